"""The clinic's settings as they stood at a moment, read back from the audit trail.

The settings table holds only today's values; every edit is in the trail with the
fields it changed, before and after (``settings.save_setting``, the catalogue's
``_follow_shipped``, and ``limit_settings.save_product_limits`` for a product's
dose limits, several keys to an event). An amendment is judged with the settings
its record was signed under, as ``clinical_flags.contraindications_as_of`` judges
it with the flags of that moment: correcting a dose does not make a top-up signed
under Dysport's 100 days ask for a reason under today's 70, nor drop one it gave;
nor does a dose limit lowered since raise a warning the record never had.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import tzinfo
from typing import Any

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import ClinicSetting
from planner.models import User

LIMIT_PREFIX = "limit."
# A product's dose limits event names its product beside the keys it changed.
PRODUCT_FIELD = "product"


@dataclass(frozen=True)
class SettingAsOf:
    """One setting's value and source at a moment; ``unsourced``: the clinic's."""

    value: Any
    source: str | None
    unsourced: bool = False


def edited_label(editor: str, when: datetime) -> str:
    """Say whose edit a clinic setting is: 'Clinic setting (edited … by …)'."""
    return f"Clinic setting (edited {when.day} {when:%b %Y} by {editor})"


def _limit_changes(event: AuditEvent) -> dict[str, Any]:
    """Return a dose limits event's keys with their values before it; else none."""
    before = event.before or {}
    if PRODUCT_FIELD not in before:
        return {}
    return {key: value for key, value in before.items() if key.startswith(LIMIT_PREFIX)}


def _updates(session: Session, newer: bool, moment: datetime) -> Iterable[AuditEvent]:
    """Return the settings' edits after ``moment`` (``newer``) or up to it, newest
    first."""
    at = col(AuditEvent.at)
    return session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "clinic_setting",
            AuditEvent.action == AuditAction.UPDATE,
            at > moment if newer else at <= moment,
        )
        .order_by(at.desc(), col(AuditEvent.id).desc())
    )


def _limit_sources(
    session: Session, keys: set[str], moment: datetime, zone: tzinfo
) -> dict[str, str]:
    """Name the edit, up to ``moment``, that gave each dose limit key its value
    then, as ``save_product_limits`` named it in the setting's source."""
    found: dict[str, str] = {}
    for event in _updates(session, False, moment):
        if len(found) == len(keys):
            break
        after = event.after or {}
        if PRODUCT_FIELD not in after:
            continue
        for key in keys.intersection(after).difference(found):
            user = session.get(User, event.actor_id) if event.actor_id else None
            editor = user.name if user else event.actor_email or "unknown user"
            found[key] = edited_label(editor, event.at.astimezone(zone))
    return found


def settings_as_of(
    session: Session, moment: datetime | None, zone: tzinfo = UTC
) -> dict[str, SettingAsOf]:
    """Return every setting's value and source as they stood at ``moment``.

    The edits made since are undone, newest first; ``moment`` None is now. A
    setting first stored after ``moment`` keeps its value: nothing older is known;
    a dose limit first stored after it did not stand then (the shipped figure
    did), and one cleared since stood with its value then. ``zone``, the clinic's,
    dates a dose limit's edit in its source as the page dated it.
    """
    found = {
        row.key: SettingAsOf(row.value, row.source, row.unsourced)
        for row in session.exec(select(ClinicSetting))
    }
    if moment is None:
        return found
    restored: set[str] = set()
    for event in _updates(session, True, moment):
        before = event.before or {}
        for key, value in _limit_changes(event).items():
            if value is None:
                found.pop(key, None)
                restored.discard(key)
            else:
                found[key] = SettingAsOf(value, None, True)
                restored.add(key)
        named = before.get("key")
        if not isinstance(named, str) or named not in found:
            continue
        kept = found[named]
        found[named] = SettingAsOf(
            before.get("value", kept.value),
            before.get("source", kept.source),
            before.get("unsourced", kept.unsourced),
        )
    if restored:
        sources = _limit_sources(session, restored, moment, zone)
        for key in restored:
            found[key] = SettingAsOf(found[key].value, sources.get(key), True)
    return found


def scalar_settings_as_of(session: Session, moment: datetime) -> dict[str, Any]:
    """Return the scalar settings' values at ``moment`` (doses excluded), by key,
    as ``schedule_settings.clinic_settings`` returns today's."""
    return {
        key: setting.value
        for key, setting in settings_as_of(session, moment).items()
        if not key.startswith("dose.")
    }
