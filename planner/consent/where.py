"""Where treatment consent matters: the visits and charts signing would judge.

Only a signature needs treatment consent in force. A clinic list that badged
every row of a patient without it (their signed charts, their reviews) taught
clinicians to ignore the badge; this rule names the rows that still wait on it.
"""

from planner.vocabulary import AppointmentKind
from planner.vocabulary import AppointmentStatus
from planner.vocabulary import SessionStatus


def treatment_consent_matters(
    kind: AppointmentKind,
    status: AppointmentStatus,
    chart: SessionStatus | None,
) -> bool:
    """Whether a visit's row should say that treatment consent is not in force.

    :param chart: the status of the patient's chart for that day (None: none
        started). A draft (a full treatment or a top-up) waits on consent to be
        signed, whatever the visit; a signed chart no longer does. With no open
        chart, only a treatment appointment still to come (booked) will need it:
        not a review, an assessment, a proposal, nor a visit attended, missed or
        cancelled.
    """
    if chart == SessionStatus.DRAFT:
        return True
    if chart == SessionStatus.SIGNED:
        return False
    return kind == AppointmentKind.TREATMENT and status == AppointmentStatus.BOOKED
