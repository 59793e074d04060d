"""A small run of `lockpilot bench historian`: an hour of the plant through the writer, every figure there."""

from __future__ import annotations

from bench.historian import report_rows, run_historian_bench
from evals.incident import IncidentLibrary
from rules.bundle import load_bundle


def test_an_hour_of_the_plant_through_the_writer_prints_every_figure(pg_admin_url: str) -> None:
    plant = load_bundle("lock").plant
    report = run_historian_bench(
        pg_admin_url, plant, IncidentLibrary(plant.incidents_dir, plant), days=1 / 24, baseline_hours=0.1
    )
    assert report.collected == 155 * 2 * 3600
    assert report.rollup_samples == report.collected  # the rollup saw every sample
    assert 0 < report.stored_rows < 0.2 * report.collected
    assert report.bytes_per_sample < report.baseline_bytes_per_sample
    assert report.hour_rows > 0 and report.bytes_on_disk < report.bytes_before_compaction  # compacted
    names = [row[0] for row in report_rows(report)]
    assert "bytes on disk per collected sample, compacted" in names
    assert "1 year at 1 day, compacted p50 / p95 ms" in names
    assert all(lat.p95_ms > 0 for lat in report.latencies)
