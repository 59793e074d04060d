-- Rollup tiers of an hour and a day beside the minute, same columns, kept forever: a year-long trend reads
-- 365 rows a tag, never a raw row. The writer upserts each batch into tag_rollup_open (the minutes still
-- filling: a few hundred rows, updated in place) and moves the minutes a batch has passed into the minute
-- tier (written once, so it does not bloat) and folds them into the hour and day tiers (storage.rollup).
-- The views add the open minutes, so every tier answers up to the newest batch.

CREATE TABLE tag_rollup_1h (LIKE tag_rollup_1m INCLUDING ALL);
CREATE TABLE tag_rollup_1d (LIKE tag_rollup_1m INCLUDING ALL);
CREATE TABLE tag_rollup_open (LIKE tag_rollup_1m INCLUDING ALL);
-- Updated with every batch: room on each page for in-place (HOT) updates; the writer vacuums it often.
ALTER TABLE tag_rollup_open SET (fillfactor = 50, autovacuum_vacuum_threshold = 200,
                                 autovacuum_vacuum_scale_factor = 0);

INSERT INTO tag_rollup_1h
SELECT tag_id, date_bin('1 hour', bucket, '1970-01-01+00') AS b, sum(n_samples), sum(n_values), sum(good_count),
       sum(sum), min(min), max(max), min(first_time),
       (array_agg(first_value ORDER BY first_time) FILTER (WHERE first_time IS NOT NULL))[1],
       max(last_time), (array_agg(last_value ORDER BY last_time DESC) FILTER (WHERE last_time IS NOT NULL))[1]
FROM tag_rollup_1m GROUP BY tag_id, b;
INSERT INTO tag_rollup_1d
SELECT tag_id, date_bin('1 day', bucket, '1970-01-01+00') AS b, sum(n_samples), sum(n_values), sum(good_count),
       sum(sum), min(min), max(max), min(first_time),
       (array_agg(first_value ORDER BY first_time) FILTER (WHERE first_time IS NOT NULL))[1],
       max(last_time), (array_agg(last_value ORDER BY last_time DESC) FILTER (WHERE last_time IS NOT NULL))[1]
FROM tag_rollup_1h GROUP BY tag_id, b;

CREATE OR REPLACE VIEW tag_history_1m AS
SELECT t.name AS tag, r.bucket, r.n_samples, r.n_values, r.good_count, r.sum, r.min, r.max, r.first_time,
       r.first_value, r.last_time, r.last_value
FROM tag_rollup_1m r JOIN tag_ids t ON t.id = r.tag_id
UNION ALL
SELECT t.name AS tag, r.bucket, r.n_samples, r.n_values, r.good_count, r.sum, r.min, r.max, r.first_time,
       r.first_value, r.last_time, r.last_value
FROM tag_rollup_open r JOIN tag_ids t ON t.id = r.tag_id;
CREATE VIEW tag_history_1h AS
SELECT t.name AS tag, r.bucket, r.n_samples, r.n_values, r.good_count, r.sum, r.min, r.max, r.first_time,
       r.first_value, r.last_time, r.last_value
FROM tag_rollup_1h r JOIN tag_ids t ON t.id = r.tag_id
UNION ALL
SELECT t.name AS tag, r.bucket, r.n_samples, r.n_values, r.good_count, r.sum, r.min, r.max, r.first_time,
       r.first_value, r.last_time, r.last_value
FROM tag_rollup_open r JOIN tag_ids t ON t.id = r.tag_id;
CREATE VIEW tag_history_1d AS
SELECT t.name AS tag, r.bucket, r.n_samples, r.n_values, r.good_count, r.sum, r.min, r.max, r.first_time,
       r.first_value, r.last_time, r.last_value
FROM tag_rollup_1d r JOIN tag_ids t ON t.id = r.tag_id
UNION ALL
SELECT t.name AS tag, r.bucket, r.n_samples, r.n_values, r.good_count, r.sum, r.min, r.max, r.first_time,
       r.first_value, r.last_time, r.last_value
FROM tag_rollup_open r JOIN tag_ids t ON t.id = r.tag_id;
