"""Start a chart from earlier work: copy the last cycle, or apply a template.

Both append a batch of sites to today's draft in one unit of work: the
session's version is claimed, the sites are numbered on, and one audit event
says where they came from.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from typing import NamedTuple

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.facemap.mirroring import place_template_sites
from planner.models import AffectedSide
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Product
from planner.models import Side
from planner.models import TreatmentSession
from planner.services import protocols
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.chart import VersionOnly
from planner.services.chart import side_and_next_number
from planner.services.lookup import get_or_raise
from planner.services.sessions import MAX_VERSION
from planner.services.sessions import claim_version
from planner.services.sessions import get_session_record
from planner.validation import parse_input
from planner.vocabulary import role_for


class NewSite(NamedTuple):
    """A site to append to a chart, before it is numbered."""

    muscle: str
    side: Side
    x: float
    y: float
    units: float
    depth: Any = None


class TemplateChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_VERSION)
    template_id: int = Field(ge=1, le=MAX_VERSION)


def last_cycle_sites(session: Session, record: TreatmentSession) -> list[InjectionSite]:
    """Return every site of the previous cycle: its full session and its top-ups."""
    previous = session.exec(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == record.patient_id,
            TreatmentSession.kind == "full",
            TreatmentSession.status == "signed",
            col(TreatmentSession.cycle_number) < record.cycle_number,
        )
        .order_by(col(TreatmentSession.cycle_number).desc())
        .limit(1)
    ).first()
    if previous is None:
        return []
    cycle_ids = select(TreatmentSession.id).where(
        (col(TreatmentSession.id) == previous.id)
        | (col(TreatmentSession.cycle_session_id) == previous.id)
    )
    return list(
        session.exec(
            select(InjectionSite)
            .where(col(InjectionSite.session_id).in_(cycle_ids))
            .order_by(col(InjectionSite.session_id), col(InjectionSite.number))
        )
    )


def _append_sites(
    session: Session,
    actor: Actor,
    session_id: int,
    expected_version: int,
    place: Callable[[AffectedSide], list[NewSite]],
    source: dict[str, Any],
    *,
    now: datetime,
) -> int:
    """Claim the chart, append the sites ``place`` gives, audit, commit.

    :param place: the sites to add, given the patient's palsied side.
    :param source: where the sites came from, for the audit event.
    :return: the chart's new version.
    """
    version, patient_id = claim_version(session, session_id, expected_version, now=now)
    affected, number, _ = side_and_next_number(session, session_id, patient_id)
    sites = place(affected)
    for offset, site in enumerate(sites):
        session.add(
            InjectionSite(
                **site._asdict(),
                session_id=session_id,
                number=number + offset,
                role=role_for(site.side, affected),
                created_at=now,
                updated_at=now,
            )
        )
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "injection_site",
        None,
        patient_id=patient_id,
        after={**source, "sites": len(sites)},
    )
    session.commit()
    return version


def _refuse_other_products(
    session: Session, record: TreatmentSession, session_ids: set[int], what: str
) -> None:
    """Refuse to carry doses written in another product's units into this chart.

    Units of different products cannot be compared or converted (clinical reference
    §2.1), so a dose copied unit for unit would be another dose altogether.
    """
    codes = set(
        session.exec(
            select(Product.code)
            .join(TreatmentSession, col(TreatmentSession.product_id) == Product.id)
            .where(col(TreatmentSession.id).in_(session_ids))
        ).all()
    )
    today = get_or_raise(session, Product, record.product_id, "No such product.")
    others = sorted(codes - {today.code})
    if others:
        brands = _brands(session, others)
        raise InvalidInput(
            f"{what} was charted with {brands}: its doses are in that product's "
            f"units and cannot be copied into a {today.brand} chart. Tap today's "
            f"sites and enter each dose in {today.brand} units.",
            fields={"copy": f"was charted with {brands}, not {today.brand}"},
        )


def _brands(session: Session, codes: list[str]) -> str:
    return ", ".join(
        session.exec(select(Product.brand).where(col(Product.code).in_(codes))).all()
    )


def copy_last_cycle(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    now: datetime | None = None,
) -> int:
    """Add every site of the previous cycle to today's chart, exactly as charted."""
    request: VersionOnly = parse_input(VersionOnly, data)
    record = get_session_record(session, session_id)
    previous = last_cycle_sites(session, record)
    if not previous:
        raise InvalidInput(
            "There is no earlier cycle to copy.", fields={"copy": "no earlier cycle"}
        )
    _refuse_other_products(
        session,
        record,
        {site.session_id for site in previous},
        "Last cycle",
    )
    copied = [NewSite(s.muscle, s.side, s.x, s.y, s.units, s.depth) for s in previous]
    return _append_sites(
        session,
        actor,
        session_id,
        request.version,
        lambda _affected: copied,
        {"copied_from_cycle": record.cycle_number - 1},
        now=now or utc_now(),
    )


def apply_template(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    now: datetime | None = None,
) -> int:
    """Add a protocol template's sites, placed for this patient's palsied side."""
    request: TemplateChoice = parse_input(TemplateChoice, data)
    template = protocols.get_template(session, request.template_id)
    record = get_session_record(session, session_id)
    if template.product_id is None:
        raise InvalidInput(
            f"The template “{template.name}” does not say which product its doses "
            "are written in, so it cannot be applied: an admin names its product "
            "under Settings, Protocol templates.",
            fields={"template_id": "names no product"},
        )
    if template.product_id != record.product_id:
        theirs = get_or_raise(session, Product, template.product_id, "No product.")
        ours = get_or_raise(session, Product, record.product_id, "No product.")
        raise InvalidInput(
            f"The template “{template.name}” is written in {theirs.brand} units and "
            f"cannot be applied to a {ours.brand} chart: units of different products "
            "are not interchangeable.",
            fields={"template_id": f"is for {theirs.brand}, not {ours.brand}"},
        )

    def place(affected: AffectedSide) -> list[NewSite]:
        placed = place_template_sites(template.sites, affected.value)
        return [NewSite(p.muscle, Side(p.side), p.x, p.y, p.units) for p in placed]

    return _append_sites(
        session,
        actor,
        session_id,
        request.version,
        place,
        {"template": template.name, "template_id": template.id},
        now=now or utc_now(),
    )
