"""Which time point a score may be recorded at, and which one to suggest.

One rule for every path that records a score (the clinic's form, the tablet
handed to the patient, the API and the diary): ``comparison.fitting_timepoints``
on the patient's full treatments, in clinic days; and the suggestion the forms
start from, ``comparison.default_timepoint``.
"""

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import select

from planner import comparison
from planner import dosing
from planner import scheduling
from planner.clinic_time import local_day
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import Product
from planner.models import SessionKind
from planner.models import Timepoint
from planner.models import TreatmentSession
from planner.services.drafts import live
from planner.services.product_rules import checked_product
from planner.services.schedule_settings import follow_up_days


def full_treatments(
    session: Session, patient_id: int, zone: ZoneInfo
) -> list[comparison.FullTreatment]:
    """Return the patient's full treatments, signed or being charted, by local day."""
    rows = session.exec(
        select(TreatmentSession.id, TreatmentSession.performed_at).where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.kind == SessionKind.FULL,
            live(),
        )
    ).all()
    return [
        comparison.FullTreatment(
            session_id, local_day(performed_at, zone), performed_at
        )
        for session_id, performed_at in rows
        if session_id is not None
    ]


def cycle_follow_up(
    session: Session, full_session_id: int | None
) -> comparison.FollowUpDays:
    """Return the follow-up days of the cycle the full treatment opened.

    Its next cycle is due where that treatment's product's re-treatment window
    opens (``schedule_settings.follow_up_days``): Dysport's at the clinic's interval for
    it, not at the clinic's 12 weeks alone. None: no full treatment yet.
    """
    return follow_up_days(session, _cycle_product(session, full_session_id))


def _cycle_product(session: Session, full_session_id: int | None) -> Product | None:
    """Return the product the cycle's full treatment was given in, if any."""
    record = (
        None
        if full_session_id is None
        else session.get(TreatmentSession, full_session_id)
    )
    return None if record is None else session.get(Product, record.product_id)


def due_from(
    session: Session, product: Product | None, follow_up: comparison.FollowUpDays
) -> str:
    """Say from which day the next cycle is due, and whose figure that day is.

    It is the later of the clinic's opening day and the full treatment's
    product's minimum interval (``schedule_settings.follow_up_days``). Where the day is
    the product's sourced interval (Botox's 84 days, its label's), the source
    is named, even when the clinic's opening falls on the same day; it is "a
    clinic setting" only where it is one: an interval no source gives (Dysport,
    as shipped or edited), or the clinic's opening where that is later.
    """
    due = follow_up.retreat_first
    day = f"from day {due} ({scheduling.interval_span(due)})"
    checked = None if product is None else checked_product(session, product)
    if checked is None or checked.min_interval_days != due:
        return f"{day}, a clinic setting: the clinic's re-treatment window opens then"
    if checked.interval_source.startswith(("UNSOURCED", dosing.CLINIC_SETTING)):
        return (
            f"{day}, a clinic setting: {checked.brand}'s minimum interval "
            f"(no source gives {checked.brand} an interval)"
        )
    return (
        f"{day}, {checked.brand}'s minimum interval, not a clinic setting "
        f"({checked.interval_source})"
    )


def _fitting(
    fulls: list[comparison.FullTreatment], day: date, now: datetime
) -> tuple[comparison.FullTreatment | None, bool]:
    """Return the latest full treatment given by ``now`` (None before the
    first) and whether ``day`` is a treatment day."""
    given = [t for t in fulls if t.performed_at is not None and t.performed_at <= now]
    latest = max(given, key=lambda t: (t.performed_at, t.session_id), default=None)
    return latest, any(t.day == day for t in fulls)


def check_timepoint(
    session: Session,
    patient_id: int,
    timepoint: str,
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> None:
    """Refuse a time point that does not fit the day, by every path's rule.

    The rule is ``comparison.fitting_timepoints``, the one the patient's
    diary follows: no score of the cycle before the toxin acts, the review
    only in the review window, a score before treatment only before the
    first treatment, on a treatment day or once the next cycle is due.

    :raises InvalidInput: the time point does not fit, saying why.
    """
    now = now or utc_now()
    day = local_day(now, zone)
    latest, treatment_day = _fitting(
        full_treatments(session, patient_id, zone), day, now
    )
    since = None if latest is None else (day - latest.day).days
    product = _cycle_product(session, None if latest is None else latest.session_id)
    follow_up = follow_up_days(session, product)
    fitting = comparison.fitting_timepoints(
        since, follow_up, treatment_day=treatment_day
    )
    if timepoint in fitting:
        return
    due = due_from(session, product, follow_up)
    raise InvalidInput(
        "This time point does not fit today.",
        fields={"timepoint": _misfit(timepoint, since, follow_up, due)},
    )


def _misfit(
    timepoint: str, since: int | None, follow_up: comparison.FollowUpDays, due: str
) -> str:
    """Say in the clinician's words why ``timepoint`` does not fit the day."""
    window = (
        f"days {follow_up.review_start} to {follow_up.review_last} after the "
        "treatment (the clinic's review window)"
    )
    if since is None:
        return (
            "no treatment has been given yet: a score now is the score before "
            "treatment (the first is the baseline)"
        )
    if since < comparison.FIRST_EFFECT_DAY:
        return (
            f"it is day {since} after the treatment: the toxin takes 2-3 days to "
            "act (clinical reference §3 [S20] [S36] [S37]), so no score yet says "
            "how this cycle worked"
        )
    if timepoint == Timepoint.REVIEW:
        return (
            f"it is day {since} after the treatment; the 2-week review is taken on "
            f"{window}. Choose when the effect wore off, or other"
        )
    if timepoint in comparison.PRE_TIMEPOINTS:
        return (
            f"it is day {since} after the treatment: a score before treatment is "
            f"taken on the day of the next treatment, or once it is due {due}"
        )
    return (
        f"it is day {since} after the treatment, in the review window ({window}): "
        "choose the review, or other"
    )


def _topped_up(session: Session, patient_id: int, now: datetime) -> bool:
    """Say whether the running cycle has had a top-up (signed or being charted)
    by ``now``: its review, the score that judges it, has been taken."""
    fulls = session.exec(
        select(TreatmentSession.performed_at).where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.kind == SessionKind.FULL,
            TreatmentSession.performed_at <= now,
            live(),
        )
    ).all()
    if not fulls:
        return False
    top_ups = session.exec(
        select(TreatmentSession.performed_at).where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.kind == SessionKind.TOP_UP,
            TreatmentSession.performed_at > max(fulls),
            live(),
        )
    ).all()
    return comparison.after_top_up(now, top_ups)


def suggest_timepoint(
    session: Session,
    patient_id: int,
    *,
    day: date,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> str:
    """Suggest a score's time point from the patient's treatment dates.

    See ``comparison.default_timepoint``: pre-treatment on a treatment day and
    before the first, review in the review window (unless the cycle has had
    its top-up by ``now``), pre-treatment once the next cycle is due,
    otherwise "other".
    """
    fulls = full_treatments(session, patient_id, zone)
    # The cycle a score that day would be in: the latest full treatment before it.
    latest = max(
        (t for t in fulls if t.day < day),
        key=lambda t: (t.day, t.session_id),
        default=None,
    )
    return comparison.default_timepoint(
        day,
        [t.day for t in fulls],
        cycle_follow_up(session, None if latest is None else latest.session_id),
        topped_up=_topped_up(session, patient_id, now or utc_now()),
    )
