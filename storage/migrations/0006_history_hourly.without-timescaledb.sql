-- Closed days of raw rows compacted into one row per tag, hour and source (storage.compaction, nightly by
-- the maintenance part): arrays of microsecond offsets from the hour, the float8 values exactly as stored
-- and the quality codes, kept in time order. Measured on three hours of the bench's plant history
-- (README "Historian"): 0.77 bytes a collected sample against 2.64 as rows. pglz (set, not left to
-- default_toast_compression) measured smaller than lz4 (0.82); toast_tuple_target 128 compresses the
-- short hours of quiet tags too, and MAIN storage keeps the compressed arrays in the row (out of line
-- only past a page). The source is in the key: a gap marker's source differs from the collector's.
-- tag_history (the view every reader knew) now reads both; tag_history_between(lo, hi) is the same
-- rows bounded by time, pruning the hours by their key: time-bounded readers use it.

CREATE TABLE tag_history_hours (
    tag_id     smallint NOT NULL,
    hour       timestamptz NOT NULL,
    source_id  smallint NOT NULL,
    offsets_us bigint[] NOT NULL,
    vals       double precision[] NOT NULL,
    quals      smallint[] NOT NULL,
    PRIMARY KEY (tag_id, hour, source_id)
) WITH (toast_tuple_target = 128);
ALTER TABLE tag_history_hours
    ALTER offsets_us SET STORAGE MAIN, ALTER vals SET STORAGE MAIN, ALTER quals SET STORAGE MAIN,
    ALTER offsets_us SET COMPRESSION pglz, ALTER vals SET COMPRESSION pglz, ALTER quals SET COMPRESSION pglz;

CREATE OR REPLACE VIEW tag_history AS
SELECT r.time, t.name AS tag, r.value, r.quality, s.name AS source
FROM tag_history_rows r JOIN tag_ids t ON t.id = r.tag_id JOIN source_ids s ON s.id = r.source_id
UNION ALL
SELECT h.hour + u.off * interval '1 microsecond', t.name, u.value, u.quality, s.name
FROM tag_history_hours h JOIN tag_ids t ON t.id = h.tag_id JOIN source_ids s ON s.id = h.source_id
CROSS JOIN LATERAL unnest(h.offsets_us, h.vals, h.quals) AS u(off, value, quality);

-- One SELECT, STABLE, not STRICT: the planner inlines it, so a caller's `WHERE tag = ...` reaches both
-- halves (the BRIN on the rows' time, the hours' primary key).
CREATE FUNCTION tag_history_between(lo timestamptz, hi timestamptz)
RETURNS TABLE ("time" timestamptz, tag text, value double precision, quality smallint, source text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT r.time, t.name, r.value, r.quality, s.name
FROM tag_history_rows r JOIN tag_ids t ON t.id = r.tag_id JOIN source_ids s ON s.id = r.source_id
WHERE r.time >= $1 AND r.time < $2
UNION ALL
SELECT u.time, t.name, u.value, u.quality, s.name
FROM tag_history_hours h JOIN tag_ids t ON t.id = h.tag_id JOIN source_ids s ON s.id = h.source_id
CROSS JOIN LATERAL (
    SELECT h.hour + x.off * interval '1 microsecond' AS time, x.value, x.quality
    FROM unnest(h.offsets_us, h.vals, h.quals) AS x(off, value, quality)
) u
WHERE h.hour > $1 - interval '1 hour' AND h.hour < $2 AND u.time >= $1 AND u.time < $2
$$;
