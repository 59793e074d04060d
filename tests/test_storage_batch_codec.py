"""Spool and journal records: columnar binary round trip, and records of the older JSON format still read."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from storage.batch_codec import MAGIC, decode_batch, encode_batch
from storage.spool import DiskSpool, read_segment

T0 = datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)


def _rows() -> list:
    rows = []
    for tick in range(5):
        when = T0 + timedelta(milliseconds=500 * tick)
        rows += [
            (when, "nivel_camara", 7.123456789012345 + tick, 0, "s7:clp_eclusa"),
            (when, "bomba_principal_ligada", 1.0, 0, "s7:clp_eclusa"),
            (when, "pressao_sistema", None if tick == 2 else -0.5, 3 if tick == 2 else 0, "s7:clp_eclusa"),
        ]
    rows.append((T0 - timedelta(hours=1), "nivel_camara", float("1e300"), 2, "gap:process_restart"))
    return rows


def test_a_batch_comes_back_row_for_row_with_its_id() -> None:
    batch_id = uuid.uuid4()
    payload = encode_batch(batch_id, _rows())
    assert payload.startswith(MAGIC)
    decoded = decode_batch(payload)
    assert decoded.batch_id == batch_id
    assert decoded.rows == _rows()  # times to the microsecond, None kept apart from numbers, order kept
    assert decoded.rows[8][2] is None and decoded.rows[8][3] == 3


def test_an_empty_batch_round_trips() -> None:
    batch_id = uuid.uuid4()
    assert decode_batch(encode_batch(batch_id, [])).rows == []


def test_a_record_of_the_older_json_format_is_still_read() -> None:
    """A spool or journal left by the previous version must be written, not lost, after an upgrade."""
    batch_id = uuid.uuid4()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    old = [[(r[0] - epoch) // timedelta(microseconds=1), r[1], r[2], r[3], r[4]] for r in _rows()]
    payload = json.dumps({"id": str(batch_id), "rows": old}, separators=(",", ":")).encode()
    decoded = decode_batch(payload)
    assert decoded.batch_id == batch_id and decoded.rows == _rows()


def test_a_truncated_record_is_refused() -> None:
    payload = encode_batch(uuid.uuid4(), _rows())
    with pytest.raises(ValueError):
        decode_batch(payload[:-3])


def test_the_spool_reads_back_what_it_wrote(tmp_path) -> None:
    spool = DiskSpool(tmp_path)
    ids = [uuid.uuid4(), uuid.uuid4()]
    for batch_id in ids:
        spool.append(batch_id, _rows())
    read = [batch for segment in spool.segments() for batch in read_segment(segment)]
    assert [b.batch_id for b in read] == ids and all(b.rows == _rows() for b in read)
    assert DiskSpool(tmp_path).batches == 2  # counted again on a restart
