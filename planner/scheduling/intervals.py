"""Half-open time intervals and conflict detection, simple and vectorised (numpy)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from planner.clinic_time import require_aware

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Interval:
    """The time from ``start`` up to but not including ``end``; both aware.

    Half-open, so an appointment ending at 09:30 and the next starting at 09:30 do
    not overlap. Intervals in different zones compare by the moment they denote.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware("start", self.start)
        require_aware("end", self.end)
        if not self.start < self.end:
            raise ValueError(
                f"start must be before end, got {self.start.isoformat()} to "
                f"{self.end.isoformat()}"
            )

    def overlaps(self, other: "Interval") -> bool:
        """Return True when the two intervals share any moment."""
        return self.start < other.end and other.start < self.end


def epoch_micros(moments: Sequence[datetime]) -> npt.NDArray[np.int64]:
    """Return aware moments as whole microseconds since 1970-01-01 UTC.

    Integers, not float seconds, so that touching edges compare exactly.

    :return: shape (n,), microseconds.
    """
    return np.fromiter(
        ((moment - _EPOCH) // _MICROSECOND for moment in moments),
        dtype=np.int64,
        count=len(moments),
    )


def conflicts(candidate: Interval, booked: Sequence[Interval]) -> list[Interval]:
    """Return the booked intervals that overlap the candidate, in the given order.

    Whose calendar the booked intervals belong to (one clinician's, one room's,
    one patient's) is the caller's choice.
    """
    return [interval for interval in booked if candidate.overlaps(interval)]


class BookedIndex:
    """Booked intervals as sorted numpy arrays, for checking many candidates at once.

    Building costs O(m log m) for m booked intervals; each batch of n candidates then
    costs O(n log m) for ``mask``, against O(n m) for calling ``conflicts`` n times.
    """

    def __init__(self, booked: Sequence[Interval]) -> None:
        self.booked: tuple[Interval, ...] = tuple(booked)
        starts = epoch_micros([interval.start for interval in self.booked])
        ends = epoch_micros([interval.end for interval in self.booked])
        # Position in ``booked`` of each sorted entry, to report conflicts in order.
        self._order = np.argsort(starts, kind="stable")
        self._starts = starts[self._order]
        self._ends = ends[self._order]
        # The latest end among the first k sorted intervals answers "does any
        # interval starting before the candidate ends still run at its start?".
        self._latest_end = np.maximum.accumulate(self._ends) if ends.size else ends

    def __len__(self) -> int:
        return len(self.booked)

    def _bounds(
        self, candidates: Sequence[Interval]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
        starts = epoch_micros([candidate.start for candidate in candidates])
        ends = epoch_micros([candidate.end for candidate in candidates])
        # How many booked intervals start before each candidate ends.
        before_end = np.searchsorted(self._starts, ends, side="left")
        return starts, before_end

    def mask(self, candidates: Sequence[Interval]) -> npt.NDArray[np.bool_]:
        """Return, per candidate, whether any booked interval overlaps it.

        :return: shape (n,) for n candidates.
        """
        return self._busy(*self._bounds(candidates))

    def _busy(
        self, starts: npt.NDArray[np.int64], before_end: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.bool_]:
        if not self.booked:
            return np.zeros(starts.size, dtype=np.bool_)
        latest = self._latest_end[np.maximum(before_end - 1, 0)]
        result: npt.NDArray[np.bool_] = (before_end > 0) & (latest > starts)
        return result

    def conflicts(self, candidates: Sequence[Interval]) -> list[list[Interval]]:
        """Return, per candidate, the overlapping booked intervals in given order."""
        starts, before_end = self._bounds(candidates)
        busy = self._busy(starts, before_end)
        result: list[list[Interval]] = []
        for index in range(len(candidates)):
            if not busy[index]:
                result.append([])
                continue
            count = int(before_end[index])
            hits = np.nonzero(self._ends[:count] > starts[index])[0]
            positions = np.sort(self._order[hits])
            result.append([self.booked[int(p)] for p in positions])
        return result


def conflict_mask(
    candidates: Sequence[Interval], booked: Sequence[Interval]
) -> npt.NDArray[np.bool_]:
    """Return, per candidate, whether any booked interval overlaps it (shape (n,))."""
    return BookedIndex(booked).mask(candidates)


def conflicts_many(
    candidates: Sequence[Interval], booked: Sequence[Interval]
) -> list[list[Interval]]:
    """Return ``conflicts(c, booked)`` for every candidate, vectorised over booked."""
    return BookedIndex(booked).conflicts(candidates)
