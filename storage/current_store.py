"""The Redis current store: a SampleSink keeping one hash of latest values and a change stream."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence

import redis
import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from lockpilot.plant import Plant
from lockpilot.samples import Sample
from storage.current import encode
from storage.keys import RedisKeys
from storage.outage import OutageLog
from storage.sample_queue import SampleQueue

log = structlog.get_logger(__name__)


def moved(previous: Sample | None, sample: Sample, deadband: float) -> bool:
    """True when the value left the deadband around the last streamed one, or the quality changed."""
    if previous is None or previous.quality is not sample.quality:
        return True
    old, new = previous.value, sample.value
    if old is None or new is None or isinstance(old, bool) or isinstance(new, bool):
        return old != new
    return abs(float(new) - float(old)) > deadband


class CurrentStore:
    """Pipelines HSET + XADD on its own thread; while Redis is down keeps only the latest values."""

    DEFAULT_BATCH_AGE_S = 0.05

    def __init__(
        self,
        redis_url: str,
        plant: Plant,
        *,
        stream_maxlen: int = 100_000,
        change_buffer: int = 10_000,
        batch_age_s: float = DEFAULT_BATCH_AGE_S,
        max_backoff_s: float = 5.0,
        timeout_s: float = 2.0,
    ) -> None:
        self._client = redis.Redis.from_url(
            redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self.keys = RedisKeys(plant.name)
        self._units = {name: tag.unit for name, tag in plant.tags.items()}
        self._deadbands = {name: tag.deadband or 0.0 for name, tag in plant.tags.items()}
        self._stream_maxlen = stream_maxlen
        self._queue = SampleQueue[Sample](max_rows=10_000, max_age_s=batch_age_s)
        self._wait = wait_exponential_jitter(multiplier=0.1, max=max_backoff_s)
        self._outage = OutageLog("redis")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="current-store", daemon=True)
        self._latest: dict[str, Sample] = {}
        self._streamed: dict[str, Sample] = {}
        self._dirty: set[str] = set()
        self._changes: deque[Sample] = deque(maxlen=change_buffer)
        self._resync = True  # write the full snapshot on the first flush and after an outage
        self._busy = False
        self.values_written = 0
        self.changes_written = 0

    def start(self) -> None:
        """Start the store thread."""
        self._thread.start()

    def publish(self, batch: Sequence[Sample]) -> None:
        """Queue samples; never blocks."""
        self._queue.put(batch)

    @property
    def connected(self) -> bool:
        return not self._outage.down

    def wait_idle(self, *, timeout_s: float) -> bool:
        """Wait until every published sample reached Redis; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not len(self._queue) and not self._busy and not self._dirty and self.connected:
                return True
            time.sleep(0.02)
        return False

    def stop(self, *, timeout_s: float = 10.0) -> None:
        """Flush what is queued (one attempt if Redis is down), stop the thread, close the client."""
        self._stop.set()
        self._queue.wake()
        self._thread.join(timeout_s)
        self._client.close()

    def _run(self) -> None:
        while True:
            stopping = self._stop.is_set()
            samples = self._queue.take(idle_s=0.5, force=stopping)
            if stopping and not samples and not self._dirty:
                return
            try:
                self._busy = True
                self._merge(samples)
                if self._dirty or self._changes:
                    self._flush_with_retry()
            except Exception:
                log.exception("current_store_step_failed")
                time.sleep(0.1)
            finally:
                self._busy = False
            if stopping:
                return

    def _merge(self, samples: Sequence[Sample]) -> None:
        """Keep the newest sample per tag and note the ones that moved beyond their deadband."""
        for sample in samples:
            tag = sample.tag
            latest = self._latest.get(tag)
            if latest is not None and sample.time < latest.time:
                continue
            self._latest[tag] = sample
            self._dirty.add(tag)
            if moved(self._streamed.get(tag), sample, self._deadbands.get(tag, 0.0)):
                self._streamed[tag] = sample
                self._changes.append(sample)

    def _flush_with_retry(self) -> None:
        retrying = Retrying(
            retry=retry_if_exception_type(redis.RedisError),
            wait=self._wait,
            stop=self._stop_retrying,
            sleep=self._sleep_merging,
            reraise=True,
        )
        try:
            retrying(self._flush)
        except redis.RedisError:
            log.warning("current_store_gave_up_at_stop", pending_tags=len(self._dirty))

    def _stop_retrying(self, state: RetryCallState) -> bool:
        return self._stop.is_set()

    def _sleep_merging(self, seconds: float) -> None:
        """Between attempts keep merging samples so only the latest values are held."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
            self._merge(self._queue.take(idle_s=remaining))

    def _flush(self) -> None:
        """Send the dirty values (all values after an outage) and the buffered changes in one pipeline."""
        tags = set(self._latest) if self._resync else set(self._dirty)
        changes = list(self._changes)
        pipe = self._client.pipeline(transaction=False)
        if tags:
            mapping = {t: encode(self._latest[t], self._units.get(t, "")) for t in tags}
            pipe.hset(self.keys.current, mapping=mapping)  # type: ignore[arg-type]
        for sample in changes:
            fields = {
                "tag": sample.tag,
                "v": "" if sample.value is None else str(sample.value),
                "t": f"{sample.time.timestamp():.3f}",
                "q": sample.quality.value,
            }
            pipe.xadd(self.keys.changes, fields, maxlen=self._stream_maxlen, approximate=True)  # type: ignore[arg-type]
        try:
            pipe.execute()
        except redis.RedisError as exc:
            self._outage.failed(exc)
            self._resync = True
            raise
        self._outage.recovered(values=len(tags))
        self._resync = False
        self._dirty.clear()
        for _ in changes:
            self._changes.popleft()
        self.values_written += len(tags)
        self.changes_written += len(changes)
