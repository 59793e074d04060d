-- Hourly and daily tiers on TimescaleDB: continuous aggregates over the 1-minute one (hierarchical, 2.9+),
-- with the columns of the plain path's tables. Not exercised on machines without the extension.

CREATE MATERIALIZED VIEW tag_history_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT tag, time_bucket(interval '1 hour', bucket) AS bucket, sum(n_samples)::integer AS n_samples,
       sum(n_values)::integer AS n_values, sum(good_count)::integer AS good_count, sum(sum) AS sum,
       min(min) AS min, max(max) AS max, min(first_time) AS first_time,
       first(first_value, first_time) AS first_value, max(last_time) AS last_time,
       last(last_value, last_time) AS last_value
FROM tag_history_1m GROUP BY tag, time_bucket(interval '1 hour', bucket) WITH NO DATA;
SELECT add_continuous_aggregate_policy('tag_history_1h', start_offset => interval '3 days',
                                       end_offset => interval '1 hour', schedule_interval => interval '1 hour');

CREATE MATERIALIZED VIEW tag_history_1d
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT tag, time_bucket(interval '1 day', bucket) AS bucket, sum(n_samples)::integer AS n_samples,
       sum(n_values)::integer AS n_values, sum(good_count)::integer AS good_count, sum(sum) AS sum,
       min(min) AS min, max(max) AS max, min(first_time) AS first_time,
       first(first_value, first_time) AS first_value, max(last_time) AS last_time,
       last(last_value, last_time) AS last_value
FROM tag_history_1h GROUP BY tag, time_bucket(interval '1 day', bucket) WITH NO DATA;
SELECT add_continuous_aggregate_policy('tag_history_1d', start_offset => interval '7 days',
                                       end_offset => interval '1 day', schedule_interval => interval '1 day');
