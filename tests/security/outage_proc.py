"""A `lockpilot up`-like process for the outage test: the production HistoryWriter fed like the collector.

argv: database_url data_dir first_number seconds (0: until killed). Sample n has time T0 + n ms, value n;
after each publish the number of samples published so far is written to <data_dir>/progress.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lockpilot.samples import Quality, Sample
from storage.history_writer import HistoryWriter

T0 = datetime(2026, 5, 1, 8, tzinfo=UTC)
TAGS = [f"outage_{i}" for i in range(10)]
PER_BATCH, PERIOD_S = 20, 0.05


def main() -> None:
    url, data_dir, first, seconds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    writer = HistoryWriter(url, spool_dir=data_dir / "spool", batch_age_s=0.2, statement_timeout_s=2.0)
    writer.start()
    progress = os.open(data_dir / "progress", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    n, started = first, time.monotonic()
    while seconds == 0 or time.monotonic() - started < seconds:
        batch = [
            Sample(TAGS[k % len(TAGS)], T0 + timedelta(milliseconds=k), float(k), Quality.GOOD, "plc")
            for k in range(n, n + PER_BATCH)
        ]
        writer.publish(batch)
        n += PER_BATCH
        os.pwrite(progress, f"{n:>20}".encode(), 0)
        time.sleep(PERIOD_S)
    assert writer.wait_idle(timeout_s=60), "not idle"
    writer.stop()


if __name__ == "__main__":
    main()
