"""Births and data points of one edge node: NBIRTH (bdSeq, rebirth control, alarms), a DBIRTH per device with
every tag's latest value, and journal entries turned into metric points."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from pysparkplug import DataType as SpbType

from fleet.site.alarm_points import split_alarm_value
from fleet.site.catalog import NODE
from fleet.site.journal import Entry
from fleet.sparkplug import codec
from fleet.sparkplug.topics import BD_SEQ, FIRST_OUT, REBIRTH, MessageType, alarm_of_metric
from lockpilot.samples import Quality

if TYPE_CHECKING:
    from fleet.site.publisher import SitePublisher

log = structlog.get_logger(__name__)
BD_SEQ_DEF = codec.MetricDef(BD_SEQ, None, SpbType.INT64)
REBIRTH_DEF = codec.MetricDef(REBIRTH, None, SpbType.BOOLEAN)


class Births:
    """Builds and sends the births of a publisher; keeps its bdSeq across restarts."""

    def __init__(self, publisher: SitePublisher) -> None:
        self.pub = publisher
        self._bd_path: Path = publisher.journal.directory / "bdseq"

    def load_bd_seq(self) -> int:
        """The bdSeq of the next connection: one past the last session's (0 on the very first)."""
        try:
            return (int(self._bd_path.read_text()) + 1) % 256
        except (OSError, ValueError):
            return 0

    def save_bd_seq(self, bd_seq: int) -> None:
        """Remember the session number a birth announced (the next start continues after it)."""
        self._bd_path.write_text(str(bd_seq))

    def send(self) -> None:
        """NBIRTH with seq 0, then one DBIRTH per device (also what a rebirth request gets)."""
        pub = self.pub
        pub._seq = 0
        now_ms = int(time.time() * 1000)
        bd_seq = pub.session_bd_seq
        self.save_bd_seq(bd_seq)
        node = [
            codec.Point(BD_SEQ_DEF, now_ms, bd_seq),
            codec.Point(REBIRTH_DEF, now_ms, False),
        ]
        for name, defn in pub.catalog.devices[NODE].items():
            if name == FIRST_OUT:
                node.append(codec.Point(defn, now_ms, pub.alarm_points.first_out))
                continue
            alarm_id = alarm_of_metric(name) or name
            value, props = split_alarm_value(pub.alarm_points.value(alarm_id))
            node.append(codec.Point(defn, now_ms, value, properties=props))
        pub.publish_payload(MessageType.NBIRTH, "", node, birth=True)
        for device in pub.catalog.device_ids:
            points = []
            for name, defn in pub.catalog.devices[device].items():
                sample = pub.latest.get(name)
                if sample is None:
                    points.append(codec.Point(defn, now_ms, None))
                else:
                    ts = int(sample.time.timestamp() * 1000)
                    points.append(codec.Point(defn, ts, sample.value, sample.quality))
            pub.publish_payload(MessageType.DBIRTH, device, points, birth=True)
        pub.births_sent += 1
        log.info("sparkplug_birth", node=pub.node, bd_seq=bd_seq, devices=len(pub.catalog.device_ids))

    def points(self, device: str, entries: Sequence[Entry], *, historical: bool) -> list[codec.Point]:
        """Journal entries as points of the declared metrics (undeclared ones are counted and dropped)."""
        out = []
        catalog = self.pub.catalog
        for name, t_ms, value, code in entries:
            defn = catalog.metric(device, name)
            if defn is None:
                self.pub.dropped_metrics += 1
                continue
            quality = codec.CODE_QUALITY.get(code, Quality.BAD)
            if alarm_of_metric(name) is not None:
                state, props = split_alarm_value(value)
                out.append(codec.Point(defn, t_ms, state, quality, historical, props))
            else:
                out.append(codec.Point(defn, t_ms, value, quality, historical))
        return out
