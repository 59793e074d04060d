"""The index progress the copilot reads: done/total passages and an estimate of the seconds left."""

from __future__ import annotations

import pytest

from knowledge.progress import SECONDS_PER_PASSAGE_GUESS, IndexState, IndexTracker, index_progress, tracker


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_estimate_from_the_rate_so_far() -> None:
    clock = _Clock()
    progress = IndexTracker("lock", monotonic=clock)
    assert progress.progress().state is IndexState.IDLE and progress.progress().seconds_left is None
    progress.start(200)
    first = progress.progress()
    assert first.indexing and (first.done, first.total) == (0, 200)
    assert first.seconds_left == pytest.approx(200 * SECONDS_PER_PASSAGE_GUESS)
    clock.now += 10.0
    progress.advance(50)  # 5 passages per second so far
    assert progress.progress().seconds_left == pytest.approx(150 / 5.0)
    clock.now += 30.0
    progress.advance(200)
    progress.finish()
    done = progress.progress()
    assert done.state is IndexState.READY and done.done == done.total == 200 and done.seconds_left is None


def test_nothing_to_embed_is_ready_and_a_failure_is_told() -> None:
    progress = IndexTracker("lock", monotonic=_Clock())
    progress.start(0)
    assert progress.progress().state is IndexState.READY
    progress.start(10)
    progress.advance(4)
    progress.fail("OperationalError: connection lost")
    failed = progress.progress()
    assert failed.state is IndexState.FAILED and failed.done == 4 and "connection lost" in failed.error
    assert failed.seconds_left is None and not failed.indexing


def test_one_tracker_per_plant_in_the_process() -> None:
    assert tracker("progress-test-plant") is tracker("progress-test-plant")
    assert index_progress("progress-test-plant").state is IndexState.IDLE
