"""Start a chart from earlier work: copy the last cycle, or apply a template.

Both add a batch of sites to today's draft in one unit of work (after removing
today's sites, when asked to replace them, each removal audited): the
session's version is claimed, the sites are numbered on, and one audit event
says where they came from. Doses come along only within one product: a site
charted in another product's units (clinical reference §2.1: not interchangeable)
comes with its muscle, side, position and depth and its dose unset, saying why.
"""

from collections.abc import Callable
from datetime import datetime
from datetime import tzinfo
from typing import Any
from typing import NamedTuple
from typing import Protocol

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StrictBool
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.dosing.treated_muscles import leave_out_treated
from planner.errors import InvalidInput
from planner.facemap.mirroring import place_template_sites
from planner.models import AffectedSide
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Product
from planner.models import ProtocolTemplate
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import Side
from planner.models import TreatmentSession
from planner.services import protocols
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audited_rows import delete_audited
from planner.services.chart import side_and_next_number
from planner.services.lookup import get_or_raise
from planner.services.sessions import MAX_VERSION
from planner.services.sessions import claim_version
from planner.services.sessions import get_session_record
from planner.services.treated_sites import treated_for_record
from planner.services.unset_doses import not_carried_over
from planner.validation import parse_input
from planner.vocabulary import role_for

# Why copy-last refuses a top-up, as the refusal names the field.
NOT_FOR_A_TOP_UP = "not for a top-up: it adds to its own cycle"


class NewSite(NamedTuple):
    """A site to append to a chart, before it is numbered; ``units`` None: unset."""

    muscle: str
    side: Side
    x: float
    y: float
    units: float | None
    depth: Any = None
    unset_reason: str | None = None


class Prefilled(NamedTuple):
    """A copy or a template applied: the chart's new version, and what was left out.

    ``left_out`` says, site by site, which muscle-sides a procedure excised or
    denervated and so were not added (issue 22).
    """

    version: int
    left_out: tuple[str, ...] = ()


class PrefillPreview(NamedTuple):
    """What a copy or a template would do, before it is done (nothing is written).

    ``sites`` would be added (in the product's units, or unset saying why),
    ``left_out`` names the muscle-sides a procedure excised or denervated, and
    ``today`` counts the chart's own sites, which "replace" would remove.
    """

    sites: tuple[NewSite, ...]
    left_out: tuple[str, ...]
    today: int


class TemplatePreviewQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template_id: int = Field(ge=1, le=MAX_VERSION)


class CopyChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_VERSION)
    # True: today's sites are removed first ("replace today's sites"); else added to.
    replace: StrictBool = False


class TemplateChoice(CopyChoice):
    template_id: int = Field(ge=1, le=MAX_VERSION)


def last_cycle_sites(session: Session, record: TreatmentSession) -> list[InjectionSite]:
    """Return the sites given in the previous cycle: its full session and top-ups.

    Only signed sessions count (an amended one is still signed): a top-up
    discarded or never signed was never given. Copy-last, the chart's last-cycle
    ghosts and its changes panel all read this, as the server's dose-change
    check reads signed sessions only. A top-up has no last cycle to start from:
    it adds to its own cycle's treatment.
    """
    if record.kind != SessionKind.FULL:
        return []
    previous = session.exec(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == record.patient_id,
            TreatmentSession.kind == SessionKind.FULL,
            TreatmentSession.status == SessionStatus.SIGNED,
            col(TreatmentSession.cycle_number) < record.cycle_number,
        )
        .order_by(col(TreatmentSession.cycle_number).desc())
        .limit(1)
    ).first()
    if previous is None:
        return []
    cycle_ids = select(TreatmentSession.id).where(
        (col(TreatmentSession.id) == previous.id)
        | (col(TreatmentSession.cycle_session_id) == previous.id),
        TreatmentSession.status == SessionStatus.SIGNED,
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
    replace: StrictBool = False,
    zone: tzinfo,
) -> Prefilled:
    """Claim the chart, append the sites ``place`` gives, audit, commit.

    With ``replace``, today's sites are removed first, each removal audited, in
    the same unit of work: the chart never shows half of either.

    :param place: the sites to add, given the patient's palsied side.
    :param source: where the sites came from, for the audit event.
    :return: the chart's new version, and the sites left out on muscles a
        procedure excised or denervated.
    """
    version, patient_id = claim_version(session, session_id, expected_version, now=now)
    if replace:
        today = session.exec(
            select(InjectionSite).where(InjectionSite.session_id == session_id)
        ).all()
        for old in today:
            delete_audited(session, actor, old, "injection_site", patient_id=patient_id)
        session.flush()
    position = side_and_next_number(session, session_id, patient_id)
    affected, number = position.affected, position.number
    record = get_session_record(session, session_id)
    sites, left_out = leave_out_treated(
        place(affected), treated_for_record(session, record, zone)
    )
    for offset, site in enumerate(sites):
        session.add(
            InjectionSite(
                **site._asdict(),
                session_id=session_id,
                number=number + offset,
                role=role_for(site.side, affected),
                vial_lot_id=position.vial_lot_id,
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
        after={
            **source,
            "sites": len(sites),
            "left_out": left_out,
            "replaced": replace,
        },
    )
    session.commit()
    return Prefilled(version, tuple(left_out))


def session_products(
    session: Session, session_ids: set[int]
) -> dict[int, tuple[int, str]]:
    """Return each session's product id and brand."""
    rows = session.exec(
        select(TreatmentSession.id, Product.id, Product.brand)
        .join(Product, col(TreatmentSession.product_id) == col(Product.id))
        .where(col(TreatmentSession.id).in_(session_ids))
    ).all()
    return {
        session_id: (product_id, brand)
        for session_id, product_id, brand in rows
        if session_id is not None and product_id is not None
    }


class WholeChartChange(Protocol):
    """Copy-last or apply-template, as a view calls them."""

    def __call__(
        self,
        session: Session,
        actor: Actor,
        session_id: int,
        data: Any,
        *,
        zone: tzinfo,
        now: datetime | None = None,
    ) -> Prefilled: ...


def copy_last_cycle(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    zone: tzinfo,
    now: datetime | None = None,
) -> Prefilled:
    """Add every site of the previous cycle to today's chart (or put them in its place).

    Sites charted with today's product keep their doses; those charted with
    another product come with their doses unset; those on a muscle a procedure
    excised or denervated are left out, and the answer names them.
    """
    request: CopyChoice = parse_input(CopyChoice, data)
    record = get_session_record(session, session_id)
    copied = _copied_sites(session, record)
    # The cycle the sites came from: the one before, unless that one was never
    # signed and an older cycle was copied.
    source = session.get(TreatmentSession, copied.session_id)
    assert source is not None  # the sites were just read from it
    return _append_sites(
        session,
        actor,
        session_id,
        request.version,
        lambda _affected: copied.sites,
        {"copied_from_cycle": source.cycle_number},
        now=now or utc_now(),
        replace=request.replace,
        zone=zone,
    )


class CopiedSites(NamedTuple):
    """The last cycle's sites for today's chart, and one session they came from."""

    session_id: int
    sites: list[NewSite]


def _copied_sites(session: Session, record: TreatmentSession) -> CopiedSites:
    """Return the last cycle's sites for today's chart (doses within one product).

    Refused on a top-up, which adds to its own cycle's treatment: the cycle
    before it is not its plan.
    """
    if record.kind != SessionKind.FULL:
        raise InvalidInput(
            "Copy last cycle starts a full treatment; a top-up adds to its own "
            "cycle's treatment, so the last cycle is not copied onto it.",
            fields={"copy": NOT_FOR_A_TOP_UP},
        )
    previous = last_cycle_sites(session, record)
    if not previous:
        raise InvalidInput(
            "There is no earlier cycle to copy.", fields={"copy": "no earlier cycle"}
        )
    products = session_products(session, {site.session_id for site in previous})
    copied = []
    for site in previous:
        product_id, brand = products[site.session_id]
        same = product_id == record.product_id
        copied.append(
            NewSite(
                site.muscle,
                site.side,
                site.x,
                site.y,
                site.units if same else None,
                site.depth,
                None if same else not_carried_over(f"last cycle was {brand}"),
            )
        )
    return CopiedSites(previous[0].session_id, copied)


def apply_template(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    zone: tzinfo,
    now: datetime | None = None,
) -> Prefilled:
    """Add a protocol template's sites, placed for this patient's palsied side.

    A template written for another product, or naming none (saved before
    templates recorded their product), brings its sites with their doses unset;
    sites on a muscle a procedure excised or denervated are left out, and named.
    """
    request: TemplateChoice = parse_input(TemplateChoice, data)
    template = protocols.get_template(session, request.template_id)
    record = get_session_record(session, session_id)
    return _append_sites(
        session,
        actor,
        session_id,
        request.version,
        _template_places(session, record, template),
        {"template": template.name, "template_id": template.id},
        now=now or utc_now(),
        replace=request.replace,
        zone=zone,
    )


def _template_places(
    session: Session, record: TreatmentSession, template: ProtocolTemplate
) -> Callable[[AffectedSide], list[NewSite]]:
    """Place a template's sites for a palsied side; doses only within one product."""
    reason = None
    if template.product_id is None:
        reason = not_carried_over(f"the template “{template.name}” names no product")
    elif template.product_id != record.product_id:
        theirs = get_or_raise(session, Product, template.product_id, "No product.")
        reason = not_carried_over(f"the template is for {theirs.brand}")

    def place(affected: AffectedSide) -> list[NewSite]:
        placed = place_template_sites(template.sites, affected.value)
        return [
            NewSite(
                p.muscle,
                Side(p.side),
                p.x,
                p.y,
                p.units if reason is None else None,
                unset_reason=reason,
            )
            for p in placed
        ]

    return place


def _preview(
    session: Session,
    record: TreatmentSession,
    place: Callable[[AffectedSide], list[NewSite]],
    zone: tzinfo,
) -> PrefillPreview:
    assert record.id is not None
    affected, *_ = side_and_next_number(session, record.id, record.patient_id)
    sites, left_out = leave_out_treated(
        place(affected), treated_for_record(session, record, zone)
    )
    today = session.exec(
        select(InjectionSite.id).where(InjectionSite.session_id == record.id)
    ).all()
    return PrefillPreview(tuple(sites), tuple(left_out), len(today))


def preview_copy_last(
    session: Session, session_id: int, *, zone: tzinfo
) -> PrefillPreview:
    """Say what copying the last cycle would add and leave out; write nothing."""
    record = get_session_record(session, session_id)
    copied = _copied_sites(session, record)
    return _preview(session, record, lambda _affected: copied.sites, zone)


def preview_template(
    session: Session, session_id: int, data: Any, *, zone: tzinfo
) -> PrefillPreview:
    """Say what applying a template would add and leave out; write nothing."""
    request = parse_input(TemplatePreviewQuery, data)
    template = protocols.get_template(session, request.template_id)
    record = get_session_record(session, session_id)
    return _preview(session, record, _template_places(session, record, template), zone)
