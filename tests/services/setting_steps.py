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
from planner.services.settings import get_setting
from planner.services.settings import update_setting

LONDON = ZoneInfo("Europe/London")


def save_setting_at(
    session: Any, actor: Any, key: str, value: Any, at: datetime
) -> None:
    """Save ``key`` as ``value`` at ``at``, the trail's entry dated ``at``."""
    stamp = AuditEvent.model_fields["at"]
    with mock.patch.object(stamp, "default_factory", return_value=at):
        update_setting(
            session,
            actor,
            key,
            str(value),
            version=get_setting(session, key).version,
            now=at,
            zone=LONDON,
        )
