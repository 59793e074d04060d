-- On TimescaleDB the compressed chunks do what the plain path's hourly compaction does: the hourly table
-- exists (same columns, never filled: storage.compaction runs on the plain path only) and
-- tag_history_between(lo, hi) reads the hypertable, so readers are the same on both paths.
-- Not exercised on machines without the extension.

CREATE TABLE tag_history_hours (
    tag_id     smallint NOT NULL,
    hour       timestamptz NOT NULL,
    source_id  smallint NOT NULL,
    offsets_us bigint[] NOT NULL,
    vals       double precision[] NOT NULL,
    quals      smallint[] NOT NULL,
    PRIMARY KEY (tag_id, hour, source_id)
);

CREATE FUNCTION tag_history_between(lo timestamptz, hi timestamptz)
RETURNS TABLE ("time" timestamptz, tag text, value double precision, quality smallint, source text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT h.time, h.tag, h.value, h.quality, h.source FROM tag_history h WHERE h.time >= $1 AND h.time < $2
$$;
