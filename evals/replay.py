"""Feed an incident's rows to consumers as the collector would have: one batch of samples per recorded row."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from evals.incident import Incident
from lockpilot.samples import Quality, Sample, Value

SOURCE = "incident"


def row_batch(row: Mapping[str, Value], when: datetime, *, link_down: bool) -> list[Sample]:
    """The samples of one row: every tag, good; or, with the PLC link down, no value and comm_error."""
    if link_down:
        return [Sample(tag, when, None, Quality.COMM_ERROR, SOURCE) for tag in row]
    return [Sample(tag, when, value, Quality.GOOD, SOURCE) for tag, value in row.items()]


def batch_at(incident: Incident, index: int) -> list[Sample]:
    """The samples of row `index` of an incident."""
    return row_batch(
        incident.rows[index], incident.when(incident.times_s[index]), link_down=incident.link_down[index]
    )


@dataclass
class Cursor:
    """Walks an incident forward in time; `advance_to` yields the rows not yet fed, in order."""

    incident: Incident
    next_index: int = 0

    def advance_to(self, t_s: float) -> Iterator[tuple[datetime, list[Sample]]]:
        """Yield (time, batch) for every row with time <= t_s not yet yielded."""
        times = self.incident.times_s
        while self.next_index < len(times) and times[self.next_index] <= t_s + 1e-9:
            i = self.next_index
            self.next_index += 1
            yield self.incident.when(times[i]), batch_at(self.incident, i)

    @property
    def last_index(self) -> int:
        """Index of the last row fed (-1 before the first)."""
        return self.next_index - 1
