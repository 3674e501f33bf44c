"""Save a clinic setting on the test's clock, its audit entry dated then too.

The audit trail stamps an entry with the real clock; the chart runs on the test's.
An amendment reads the settings its record was signed under from the trail
(``services.settings_history``), so an edit made "before signing" on the test's
clock must be dated so in the trail for it to count as made before.
"""

from datetime import datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from planner.models import AuditEvent
from planner.services import limit_settings
from planner.services.settings import get_setting
from planner.services.settings import update_setting

LONDON = ZoneInfo("Europe/London")


def _trail_dated(at: datetime) -> Any:
    return mock.patch.object(
        AuditEvent.model_fields["at"], "default_factory", return_value=at
    )


def save_setting_at(
    session: Any, actor: Any, key: str, value: Any, at: datetime
) -> None:
    """Save ``key`` as ``value`` at ``at``, the trail's entry dated ``at``.

    A reference dose (``dose.<muscle>``) takes its dict; the rest, a number.
    """
    with _trail_dated(at):
        update_setting(
            session,
            actor,
            key,
            value if isinstance(value, dict) else str(value),
            version=get_setting(session, key).version,
            now=at,
            zone=LONDON,
        )


def limits_page(session: Any, code: str) -> dict[str, str]:
    """The dose limits form as the page fills it in: every editable figure shown."""
    limits = limit_settings.product_limits(session, code)
    figures = [*limits.ceilings, *limits.groups]
    for row in limits.muscles:
        figures += [row.low, row.high, row.per_side]
    form = {
        f.name: "" if f.value is None else f"{f.value:g}" for f in figures if f.editable
    }
    return {**form, "stamp": limits.stamp}


def save_limits_at(
    session: Any, actor: Any, code: str, at: datetime, **changes: str
) -> None:
    """Save a product's dose limits page at ``at`` with ``changes`` typed in (a
    blank clears a figure), the trail's entry dated ``at``."""
    form = limits_page(session, code)
    with _trail_dated(at):
        limit_settings.save_product_limits(
            session, actor, code, {**form, **changes}, stamp=form["stamp"], now=at
        )
