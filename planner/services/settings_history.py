"""The clinic's settings as they stood at a moment, read back from the audit trail.

The settings table holds only today's values; every edit is in the trail with the
fields it changed, before and after (``settings.save_setting``, the catalogue's
``_follow_shipped``). An amendment is judged with the settings its record was
signed under, as ``clinical_flags.contraindications_as_of`` judges it with the
flags of that moment: correcting a dose does not make a top-up signed under
Dysport's 100 days ask for a reason under today's 70, nor drop one it gave.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import ClinicSetting


@dataclass(frozen=True)
class SettingAsOf:
    """One setting's value and source at a moment."""

    value: Any
    source: str | None


def settings_as_of(session: Session, moment: datetime | None) -> dict[str, SettingAsOf]:
    """Return every setting's value and source as they stood at ``moment``.

    The edits made since are undone, newest first; ``moment`` None is now. A
    setting first stored after ``moment`` keeps its value: nothing older is known.
    """
    found = {
        row.key: SettingAsOf(row.value, row.source)
        for row in session.exec(select(ClinicSetting))
    }
    if moment is None:
        return found
    since = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "clinic_setting",
            AuditEvent.action == AuditAction.UPDATE,
            col(AuditEvent.at) > moment,
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    )
    for event in since:
        before = event.before or {}
        key = before.get("key")
        if not isinstance(key, str) or key not in found:
            continue  # a dose limit edit names its keys otherwise: not undone here
        kept = found[key]
        found[key] = SettingAsOf(
            before.get("value", kept.value), before.get("source", kept.source)
        )
    return found


def scalar_settings_as_of(session: Session, moment: datetime) -> dict[str, Any]:
    """Return the scalar settings' values at ``moment`` (doses excluded), by key,
    as ``schedule_settings.clinic_settings`` returns today's."""
    return {
        key: setting.value
        for key, setting in settings_as_of(session, moment).items()
        if not key.startswith("dose.")
    }
