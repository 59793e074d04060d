-- The central's history of a fleet of locks (fleet/central): the same rows as tag_history plus the site
-- (Sparkplug edge node id). Written by storage.history_writer.HistoryWriter with the fleet ingester; its
-- batch ids share ingest_batches, so spool replays are skipped here too. One plain table with a BRIN on
-- time: day partitions or a hypertable are the next step for a fleet kept for years.
CREATE TABLE fleet_history (
    site    text NOT NULL,
    time    timestamptz NOT NULL,
    tag     text NOT NULL,
    value   double precision,
    quality smallint NOT NULL,
    source  text NOT NULL DEFAULT ''
);
CREATE INDEX fleet_history_site_tag_time_idx ON fleet_history (site, tag, time);
CREATE INDEX fleet_history_time_brin ON fleet_history USING brin (time);
