"""Mark a cancelled appointment as needing no rebooking, with staff's reason.

Some cancellations are not waiting for anything: the patient stopped
treatment, moved clinic, or the review was done by phone. Until the patient's
next full treatment, ``rebooking.waiting`` would keep each of them on the
worklist; a reason recorded here takes the appointment off it (and off the
patient's "Coming up" list). The appointment stays cancelled, on the patient's
timeline with the reason beside it.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from sqlmodel import Session

from planner.db_types import utc_now
from planner.errors import Conflict
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.services.appointments import MAX_ID
from planner.services.appointments import get_appointment
from planner.services.appointments import update_audited
from planner.services.audit import Actor
from planner.validation import parse_input

# Short: it is read in a worklist row and a timeline entry, not a letter.
REASON_MAX = 200


class NoRebookingRequest(BaseModel):
    # Stripped before the length checks: a reason of spaces is no reason.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    version: int = Field(ge=1, le=MAX_ID - 1)
    reason: str = Field(min_length=1, max_length=REASON_MAX)


def mark_no_rebooking(
    session: Session,
    actor: Actor,
    appointment_id: int,
    data: Any,
    *,
    now: datetime | None = None,
) -> Appointment:
    """Record why a cancelled appointment needs no rebooking; it leaves the worklist.

    :raises InvalidInput: the reason is missing, blank or too long (``reason``).
    :raises Conflict: the appointment is not cancelled, or already marked.
    :raises StaleWrite: someone changed the appointment since the page was read.
    """
    request: NoRebookingRequest = parse_input(
        NoRebookingRequest, data, "Say why no rebooking is needed."
    )
    appointment = get_appointment(session, appointment_id)
    if appointment.status != AppointmentStatus.CANCELLED:
        raise Conflict(
            f"Only a cancelled appointment can be marked as needing no rebooking;"
            f" this one is {appointment.status.value}."
        )
    if appointment.no_rebooking_reason is not None:
        raise Conflict(
            "This appointment is already marked as needing no rebooking: "
            f"{appointment.no_rebooking_reason}"
        )
    return update_audited(
        session,
        actor,
        appointment,
        request.version,
        {"no_rebooking_reason": request.reason, "updated_at": now or utc_now()},
        before={"no_rebooking_reason": None},
        after={"no_rebooking_reason": request.reason},
    )
