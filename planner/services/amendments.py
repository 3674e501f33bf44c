"""Amending a signed treatment session: the record keeps what it said and why.

A correction changes doses only (never the product, lot or sites), is made
against the record's version, re-runs every check on the corrected chart and
keeps the amended chart's warnings with the reasons given for them.
"""

import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from sqlmodel import Session
from sqlmodel import select

from planner.clinic_time import local_day
from planner.db_types import utc_now
from planner.dosing import MIN_DOSE_UNITS
from planner.dosing.dose_limits import LIMIT_CODES
from planner.dosing.records import format_day
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import Amendment
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Product
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services import safety
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.chart_requests import MAX_UNITS
from planner.services.locking import update_if_version
from planner.services.lookup import get_or_raise
from planner.services.sessions import MAX_VERSION
from planner.services.sessions import get_session_record
from planner.services.warning_reasons import amended_warnings
from planner.services.warning_reasons import kept_warnings
from planner.services.warning_reasons import named
from planner.services.warning_reasons import new_warnings
from planner.services.warning_reasons import reason_errors
from planner.validation import parse_input

STALE_AMENDMENT = (
    "This record was amended since the form was opened, so nothing was saved: "
    "check the doses as they are now, then make the correction again."
)
AMENDED_SINCE = (
    "is out of date: the record was amended since this form was opened, and "
    "nothing was saved; the doses below are the record's now"
)


class SiteCorrection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_id: int = Field(ge=1, le=MAX_VERSION)
    units: float = Field(ge=MIN_DOSE_UNITS, le=MAX_UNITS)


class AmendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The record's version the correction was made against: a stale one is refused.
    version: int = Field(ge=1, le=MAX_VERSION)
    reason: str = Field(min_length=3, max_length=2000)
    note: str | None = Field(default=None, max_length=2000)
    corrections: list[SiteCorrection] = Field(default_factory=list, max_length=100)
    # Reasons for the warnings the corrected chart raises that the record did not.
    reasons: dict[str, str] = Field(default_factory=dict, max_length=200)


def amendment_from_form(
    session: Session, session_id: int, form: dict[str, str]
) -> dict[str, Any]:
    """Read the amendment form: a reason, a note, and each site's corrected dose.

    Only doses that differ from the record become corrections; a dose that is
    not a number, or is out of range (in the record's product's own units), is
    named by its field, beside the site's box.
    """
    record = get_session_record(session, session_id)
    product = get_or_raise(session, Product, record.product_id, "No such product.")
    sites = session.exec(
        select(InjectionSite).where(InjectionSite.session_id == session_id)
    ).all()
    corrections: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for site in sites:
        raw = form.get(f"units_{site.id}", "").strip()
        if not raw:
            continue
        try:
            units = float(raw)
        except ValueError:
            errors[f"units_{site.id}"] = "must be a number of units"
            continue
        if not (math.isfinite(units) and MIN_DOSE_UNITS <= units <= MAX_UNITS):
            errors[f"units_{site.id}"] = (
                f"must be from {MIN_DOSE_UNITS:g} to {MAX_UNITS:g} {product.unit_name}"
            )
            continue
        if units != site.units:
            corrections.append({"site_id": site.id, "units": units})
    if errors:
        raise InvalidInput("Some doses cannot be read.", fields=errors)
    return {
        "version": form.get("version", ""),
        "reason": form.get("reason", ""),
        "note": form.get("note") or None,
        "corrections": corrections,
        "reasons": {
            name.removeprefix("reasons."): text
            for name, text in form.items()
            if name.startswith("reasons.") and text.strip()
        },
    }


def _limits_dated(
    raised: list[dict[str, Any]],
    errors: dict[str, str],
    record: TreatmentSession,
    zone: ZoneInfo,
) -> dict[str, str]:
    """Say, on each dose limit warning asking for a reason, that it was judged by
    the limits as at the record's signing: today's chart may read otherwise."""
    if record.signed_at is None:
        return errors  # never signed: nothing is amended
    signed = format_day(local_day(record.signed_at, zone))
    for warning in raised:
        name = f"reasons.{warning['key']}"
        if warning["code"] in LIMIT_CODES and name in errors:
            errors[name] += f" Judged by the limits as at signing, {signed}."
    return errors


def amend_session(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> Amendment:
    """Correct a signed session: the record keeps what it said and why it changed.

    It is made against the record's ``version``: one made against an earlier
    version is refused (StaleWrite, naming ``version``) with nothing saved, so a
    form opened before another amendment cannot undo it. Every check runs again
    on the corrected chart, as of its treatment time, with the settings (timing
    and dose limits) as at the record's signing; a warning the record did not
    already carry needs its reason in the amendment, which keeps the amended
    chart's warnings as its own. A dose limit warning asking for its reason says
    it was judged by the limits as at signing, and that day.
    """
    request = parse_input(AmendRequest, data, "The amendment is not valid.")
    record = get_session_record(session, session_id)
    if record.status != SessionStatus.SIGNED:
        raise Conflict(
            "Only a signed session is amended; edit the draft chart instead."
        )
    now = now or utc_now()
    update_if_version(
        session,
        TreatmentSession,
        (TreatmentSession.id, session_id),
        request.version,
        {"updated_at": now},
        stale_message=STALE_AMENDMENT,
        stale_fields={"version": AMENDED_SINCE},
    )
    changes: dict[str, Any] = {"note": request.note, "sites": []}
    sites = {
        site.id: site
        for site in session.exec(
            select(InjectionSite).where(InjectionSite.session_id == session_id)
        )
    }
    for correction in request.corrections:
        site = sites.get(correction.site_id)
        if site is None:
            session.rollback()
            raise InvalidInput(
                "A corrected site is not on this session.",
                fields={
                    "corrections": f"site {correction.site_id} is not on this session"
                },
            )
        changes["sites"].append(
            {"site": site.number, "before": site.units, "after": correction.units}
        )
        site.units = correction.units
        site.version += 1
        site.updated_at = now
    ordered = sorted(sites.values(), key=lambda site: site.number)
    found = safety.check_chart(
        session, record, zone=zone, now=now, sites=ordered, amending=True
    )
    warnings = safety.as_records(found)
    reasons = {key: text.strip() for key, text in request.reasons.items()}
    raised = new_warnings(record, warnings, amended_warnings(session, session_id))
    errors = _limits_dated(raised, reason_errors(raised, reasons, set()), record, zone)
    if errors:
        session.rollback()
        raise InvalidInput(
            "The amendment needs reasons for new warnings.", fields=errors
        )
    changes["warnings"] = kept_warnings(warnings, reasons, set(), named(session, actor))
    for site in ordered:
        session.add(site)
    assert actor.user_id is not None
    amendment = Amendment(
        session_id=session_id,
        author_id=actor.user_id,
        reason=request.reason,
        changes=changes,
        created_at=now,
    )
    session.add(amendment)
    session.flush()
    record_event(
        session,
        actor,
        AuditAction.AMEND,
        "treatment_session",
        session_id,
        patient_id=record.patient_id,
        after={"reason": request.reason, **changes},
    )
    session.commit()
    return amendment
