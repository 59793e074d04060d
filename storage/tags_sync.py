"""Copy the plant's tags.yaml into the tags table at start-up."""

from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb

from lockpilot.plant import Plant, Tag

_UPSERT = """
INSERT INTO tags (name, tag_group, unit, data_type, device, address, range_min, range_max, deadband,
                  equipment, description, writable, synced_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())
ON CONFLICT (name) DO UPDATE SET
    tag_group = EXCLUDED.tag_group, unit = EXCLUDED.unit, data_type = EXCLUDED.data_type,
    device = EXCLUDED.device, address = EXCLUDED.address, range_min = EXCLUDED.range_min,
    range_max = EXCLUDED.range_max, deadband = EXCLUDED.deadband, equipment = EXCLUDED.equipment,
    description = EXCLUDED.description, writable = EXCLUDED.writable, synced_at = now()
"""


def _row(tag: Tag) -> tuple[object, ...]:
    lo, hi = tag.range if tag.range is not None else (None, None)
    return (
        tag.name,
        tag.group.value,
        tag.unit,
        tag.type.value,
        tag.source.device,
        tag.source.address,
        lo,
        hi,
        tag.deadband,
        tag.equipment,
        Jsonb(tag.description.model_dump()),
        tag.is_writable,
    )


def sync_tags(conn: psycopg.Connection, plant: Plant) -> int:
    """Upsert every tag of the plant and delete tags no longer in it; return the count synced."""
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(_UPSERT, [_row(tag) for tag in plant.tags.values()])
        cur.execute("DELETE FROM tags WHERE NOT (name = ANY(%s))", (list(plant.tags),))
    return len(plant.tags)
