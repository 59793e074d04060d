-- tag_history on TimescaleDB: hypertable, compression policy and a 1-minute continuous aggregate with
-- the same columns as the plain path's rollup table. Not exercised on machines without the extension.

CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE tag_history (
    time    timestamptz NOT NULL,
    tag     text NOT NULL,
    value   double precision,
    quality smallint NOT NULL,
    source  text NOT NULL DEFAULT ''
);
SELECT create_hypertable('tag_history', 'time', chunk_time_interval => interval '1 day');
CREATE INDEX tag_history_tag_time_idx ON tag_history (tag, time);

ALTER TABLE tag_history SET (timescaledb.compress, timescaledb.compress_segmentby = 'tag',
                             timescaledb.compress_orderby = 'time');
SELECT add_compression_policy('tag_history', interval '7 days');

CREATE MATERIALIZED VIEW tag_history_1m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT tag,
       time_bucket(interval '1 minute', time) AS bucket,
       count(*)::integer AS n_samples,
       count(value)::integer AS n_values,
       (count(*) FILTER (WHERE quality = 0))::integer AS good_count,
       sum(value) AS sum,
       min(value) AS min,
       max(value) AS max,
       min(time) FILTER (WHERE value IS NOT NULL) AS first_time,
       first(value, time) FILTER (WHERE value IS NOT NULL) AS first_value,
       max(time) FILTER (WHERE value IS NOT NULL) AS last_time,
       last(value, time) FILTER (WHERE value IS NOT NULL) AS last_value
FROM tag_history
GROUP BY tag, bucket
WITH NO DATA;

SELECT add_continuous_aggregate_policy('tag_history_1m', start_offset => interval '3 days',
                                       end_offset => interval '1 minute',
                                       schedule_interval => interval '1 minute');
