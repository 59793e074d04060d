-- tag_history on plain PostgreSQL: native range partitions by day (created ahead by the writer and
-- storage.partitions), a default partition as a safety net, and a writer-maintained 1-minute rollup.

CREATE TABLE tag_history (
    time    timestamptz NOT NULL,
    tag     text NOT NULL,
    value   double precision,
    quality smallint NOT NULL,
    source  text NOT NULL DEFAULT ''
) PARTITION BY RANGE (time);
CREATE TABLE tag_history_default PARTITION OF tag_history DEFAULT;
CREATE INDEX tag_history_tag_time_idx ON tag_history (tag, time);

-- Partial aggregates per tag and minute, merged by upsert: n_samples counts every row, n_values the
-- rows with a value (sum/min/max/first/last are over those), good_count the rows of quality good.
CREATE TABLE tag_history_1m (
    tag         text NOT NULL,
    bucket      timestamptz NOT NULL,
    n_samples   integer NOT NULL,
    n_values    integer NOT NULL,
    good_count  integer NOT NULL,
    sum         double precision,
    min         double precision,
    max         double precision,
    first_time  timestamptz,
    first_value double precision,
    last_time   timestamptz,
    last_value  double precision,
    PRIMARY KEY (tag, bucket)
);
