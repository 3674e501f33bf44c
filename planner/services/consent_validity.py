"""Ask the consent rule about stored records: one reading for every caller.

The pure rule (``planner.consent.decide_consent``) decides on clinic days; this
module turns stored records into its evidence and reads the clinic's re-consent
age. The consent page, the chart's signing check, the research export and photo
capture all ask through here, so they never disagree. Nothing here writes.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session

from planner.clinic_time import local_day
from planner.consent import ConsentDecision
from planner.consent import ConsentEvidence
from planner.consent import decide_consent
from planner.models import ConsentForm
from planner.models import ConsentRecord
from planner.services.settings import get_setting_value

VALID_MONTHS_KEY = "consent_valid_months"
DEFAULT_VALID_MONTHS = 12


def valid_months(session: Session) -> int:
    """Return the clinic's re-consent age in months (a clinic setting)."""
    value = get_setting_value(session, VALID_MONTHS_KEY, DEFAULT_VALID_MONTHS)
    return max(1, int(value))


def _evidence(record: ConsentRecord | Row[Any], zone: ZoneInfo) -> ConsentEvidence:
    return ConsentEvidence(
        form_version=record.form_version,
        signed_on=local_day(record.signed_at, zone),
        method=record.method,
        withdrawn_on=(
            None
            if record.withdrawn_at is None
            else local_day(record.withdrawn_at, zone)
        ),
        reason=record.reason,
        record_id=record.id,
    )


def decide_at(
    records: Sequence[ConsentRecord | Row[Any]],
    form: ConsentForm,
    *,
    months: int,
    now: datetime,
    zone: ZoneInfo,
) -> ConsentDecision:
    """Ask the rule about one patient's records of ``form``'s kind, at ``now``."""
    return decide_consent(
        [_evidence(record, zone) for record in records if record.signed_at <= now],
        current_version=form.version,
        today=local_day(now, zone),
        valid_months=months,
        form_name=f"{form.kind.value} consent form",
    )
