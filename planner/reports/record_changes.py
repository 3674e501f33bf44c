"""What the printed record says about checks and corrections.

Each safety warning with its reason and who gave it (the signer, at signing, or
an amendment's author), each hard stop's override, each amendment numbered, and
each corrected dose as old -> new with the number of the amendment that made it.
The session keeps its signing warnings in ``warnings``; an amendment keeps the
corrected chart's in ``changes["warnings"]``, with reasons for the new ones.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.dosing.dose_limits import LIMIT_CODES
from planner.models import Amendment
from planner.services.chart_state_models import AmendmentInfo
from planner.services.chart_state_models import ChartWarning


@dataclass(frozen=True)
class WarningLine:
    """A warning as kept: why it was raised, and how the clinician answered it."""

    severity: str
    message: str
    source: str
    needs_reason: bool
    reason: str | None
    # Who gave the reason: the signer, or the amendment's author.
    reason_by: str | None = None
    hard_stop: bool = False
    overridden_by: str | None = None
    # A dose limit's: an amendment's is judged by the limits as at signing.
    dose_limit: bool = False


@dataclass(frozen=True)
class SiteCorrection:
    site: int
    before: float
    after: float


@dataclass(frozen=True)
class DoseChange:
    """One correction of a site's dose, as the site table marks it."""

    amendment: int
    before: float
    after: float


@dataclass(frozen=True)
class AmendmentLine:
    number: int
    at: datetime
    author: str
    reason: str
    note: str | None
    corrections: tuple[SiteCorrection, ...]
    # Warnings the corrected chart raised that the signed record did not carry.
    warnings: tuple[WarningLine, ...]


def _key(entry: ChartWarning) -> tuple[str, str]:
    return entry.key, entry.message


def warning_lines(
    entries: Iterable[ChartWarning], *, reason_by: str | None
) -> list[WarningLine]:
    """Read kept warnings; ``reason_by`` is who answered them (None for a draft)."""
    return [
        WarningLine(
            severity=entry.severity,
            message=entry.message,
            source=entry.source,
            needs_reason=entry.needs_reason,
            reason=entry.reason or None,
            reason_by=reason_by if entry.reason else None,
            hard_stop=entry.hard_stop,
            overridden_by=entry.overridden_by or None,
            dose_limit=entry.code in LIMIT_CODES,
        )
        for entry in entries
    ]


def amendment_lines(
    session: Session,
    session_id: int,
    listed: list[AmendmentInfo],
    signed_warnings: list[ChartWarning],
) -> list[AmendmentLine]:
    """Number a session's amendments from 1, oldest first, with what each raised.

    ``listed`` is the chart state's list of amendments (oldest first, with
    authors); the warnings each kept come from the amendments themselves.
    """
    kept = session.exec(
        select(Amendment.changes)
        .where(Amendment.session_id == session_id)
        .order_by(col(Amendment.created_at), col(Amendment.id))
    ).all()
    known = {_key(entry) for entry in signed_warnings}
    lines = []
    for number, (entry, changes) in enumerate(zip(listed, kept, strict=True), 1):
        amended = [ChartWarning.model_validate(w) for w in changes.get("warnings", [])]
        raised = [w for w in amended if _key(w) not in known]
        known.update(_key(w) for w in raised)
        lines.append(
            AmendmentLine(
                number=number,
                at=entry.at,
                author=entry.author,
                reason=entry.reason,
                note=entry.note,
                corrections=tuple(
                    SiteCorrection(c.site, c.before, c.after) for c in entry.sites
                ),
                warnings=tuple(warning_lines(raised, reason_by=entry.author)),
            )
        )
    return lines


def dose_changes(amendments: list[AmendmentLine]) -> dict[int, tuple[DoseChange, ...]]:
    """Return each corrected site's changes, by site number, oldest first."""
    changes: dict[int, list[DoseChange]] = {}
    for amendment in amendments:
        for correction in amendment.corrections:
            changes.setdefault(correction.site, []).append(
                DoseChange(amendment.number, correction.before, correction.after)
            )
    return {site: tuple(found) for site, found in changes.items()}
