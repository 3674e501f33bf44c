"""Protocol templates: a clinic's named sets of sites and doses to start a chart from.

Sites are stored relative to the palsy (see ``planner.facemap.mirroring``) and
checked on the face map by ``planner.services.template_sites``.
"""

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.errors import Forbidden
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.facemap import FaceMap
from planner.facemap.mirroring import template_from_session_sites
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import ProtocolTemplate
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.charted_products import chartable
from planner.services.lookup import get_or_raise
from planner.services.template_sites import TemplateIn
from planner.services.template_sites import invalid
from planner.services.template_sites import validate_template
from planner.services.unset_doses import missing_doses
from planner.services.unset_doses import not_carried_over


def _name_taken() -> InvalidInput:
    return invalid({"name": "is already used by another template"})


def _check_name_free(
    session: Session, name: str, template_id: int | None = None
) -> None:
    statement = select(ProtocolTemplate.id).where(
        func.lower(ProtocolTemplate.name) == name.lower()
    )
    if template_id is not None:
        statement = statement.where(col(ProtocolTemplate.id) != template_id)
    if session.exec(statement).first() is not None:
        raise _name_taken()


def list_templates(
    session: Session, *, product_id: int | None = None
) -> list[ProtocolTemplate]:
    """Return every template by name, or only those written for one product."""
    statement = select(ProtocolTemplate)
    if product_id is not None:
        statement = statement.where(ProtocolTemplate.product_id == product_id)
    return list(
        session.exec(
            statement.order_by(
                func.lower(ProtocolTemplate.name), col(ProtocolTemplate.id)
            )
        ).all()
    )


def template_product_code(session: Session, template: ProtocolTemplate) -> str | None:
    """Return the code of the product a template is written for, if it names one."""
    if template.product_id is None:
        return None
    return session.exec(
        select(Product.code).where(Product.id == template.product_id)
    ).first()


def get_template(session: Session, template_id: int) -> ProtocolTemplate:
    """Return one template, or raise NotFound."""
    return get_or_raise(
        session,
        ProtocolTemplate,
        template_id,
        f"There is no protocol template {template_id}.",
    )


def _product_id(session: Session, code: str) -> int:
    product_id = session.exec(select(Product.id).where(Product.code == code)).first()
    if product_id is None:
        raise invalid({"product": "must be a product of the catalogue"})
    return product_id


def _validated(
    face_map: FaceMap,
    name: str,
    description: str | None,
    product: str,
    sites: Sequence[Mapping[str, Any]],
) -> tuple[TemplateIn, list[dict[str, Any]]]:
    """Check a template as entered: its fields, then each site on the face map."""
    return validate_template(
        face_map,
        {
            "name": name,
            "description": description,
            "product": product,
            "sites": [dict(s) for s in sites],
        },
    )


def create_template(
    session: Session,
    actor: Actor,
    *,
    face_map: FaceMap,
    name: str,
    description: str | None,
    product: str,
    sites: Sequence[Mapping[str, Any]],
) -> ProtocolTemplate:
    """Validate and save a new template.

    :param product: the catalogue code of the product whose units the doses are in.
    :param sites: ``{"muscle", "role", "x", "y", "units"}`` each, the point drawn
        with the affected side on the patient's right; x and y may be blank.
    :raises InvalidInput: naming ``name``, ``description``, ``product``, ``sites``
        or ``sites.<n>.<muscle|role|units|x|y|point>``.
    """
    if actor.user_id is None:
        raise Forbidden("Templates are saved by a logged-in user.")
    data, stored = _validated(face_map, name, description, product, sites)
    _check_name_free(session, data.name)
    template = ProtocolTemplate(
        name=data.name,
        description=data.description,
        product_id=_product_id(session, data.product),
        sites=stored,
        created_by_id=actor.user_id,
    )
    session.add(template)
    try:
        session.flush()
    except IntegrityError:
        # Two templates of one name raced past the check above.
        session.rollback()
        raise _name_taken() from None
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "protocol_template",
        template.id,
        after=snapshot(template),
    )
    session.commit()
    return template


def _stale() -> StaleWrite:
    return StaleWrite(
        "Someone else changed this template while you were editing. "
        "Reload to see their changes, then make yours again."
    )


def _expected_version(version: int | str) -> int:
    try:
        expected = int(version)
    except (TypeError, ValueError):
        expected = 0
    if expected < 1:
        raise invalid({"version": "is missing; reload the page and try again"})
    return expected


class DosesNotCarriedOver(InvalidInput):
    """A template's product was changed with its doses in another product's units.

    The form shows the sites again with their doses cleared, to be entered in
    ``product``'s units (clinical reference §2.1: units of two products are not
    interchangeable, and a dose is never converted).
    """

    def __init__(self, message: str, *, fields: dict[str, str], product: str) -> None:
        super().__init__(message, fields=fields)
        self.product = product


def _brand(session: Session, code: str | None) -> str | None:
    if code is None:
        return None
    return session.exec(select(Product.brand).where(Product.code == code)).first()


def _refuse_other_units(
    session: Session, written_in: str | None, product: str, sites: int
) -> DosesNotCarriedOver:
    """Refuse doses written in one product's units saved under another product."""
    old, new = _brand(session, written_in), _brand(session, product) or product
    was = f"the template was for {old}" if old else "the template named no product"
    return DosesNotCarriedOver(
        f"The product is now {new}, but the doses were written for "
        f"{old or 'no product'}: units of two products are not interchangeable, so "
        f"the doses are not carried over. Enter each dose in {new} units, then save.",
        fields={
            "product": f"is now {new}: enter every dose again in {new} units",
            **{f"sites.{n}.units": not_carried_over(was) for n in range(sites)},
        },
        product=product,
    )


def update_template(
    session: Session,
    actor: Actor,
    template_id: int,
    *,
    face_map: FaceMap,
    name: str,
    description: str | None,
    product: str,
    sites: Sequence[Mapping[str, Any]],
    version: int | str,
    doses_product: str | None = None,
) -> ProtocolTemplate:
    """Save an edit made against ``version``; refuse it if that is stale.

    :param doses_product: the code of the product whose units the doses were
        entered in (the form says which): by default the template's own. Doses
        are never saved under another product: that edit is refused with
        :class:`DosesNotCarriedOver`, naming each dose.
    """
    expected = _expected_version(version)
    template = get_template(session, template_id)
    data, stored = _validated(face_map, name, description, product, sites)
    product_id = _product_id(session, data.product)
    written_in = doses_product or template_product_code(session, template)
    if data.product != written_in:
        raise _refuse_other_units(session, written_in, data.product, len(sites))
    _check_name_free(session, data.name, template_id)
    before = snapshot(template)
    try:
        result = session.execute(
            update(ProtocolTemplate)
            .where(
                col(ProtocolTemplate.id) == template_id,
                col(ProtocolTemplate.version) == expected,
            )
            .values(
                name=data.name,
                description=data.description,
                product_id=product_id,
                sites=stored,
                version=expected + 1,
            )
        )
    except IntegrityError:
        session.rollback()
        raise _name_taken() from None
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        session.rollback()
        raise _stale()
    session.refresh(template)
    old, new = changed_fields(before, snapshot(template))
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "protocol_template",
        template.id,
        before=old,
        after=new,
    )
    session.commit()
    return template


def delete_template(
    session: Session, actor: Actor, template_id: int, *, version: int | str
) -> None:
    """Delete a template as it was at ``version``; refuse it if that is stale."""
    expected = _expected_version(version)
    template = get_template(session, template_id)
    before = snapshot(template)
    result = session.execute(
        delete(ProtocolTemplate).where(
            col(ProtocolTemplate.id) == template_id,
            col(ProtocolTemplate.version) == expected,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        session.rollback()
        raise _stale()
    session.expunge(template)
    record_event(
        session,
        actor,
        AuditAction.DELETE,
        "protocol_template",
        template_id,
        before=before,
    )
    session.commit()


class _DosedSite(NamedTuple):
    """A charted site with its dose entered, as a template takes it."""

    muscle: str
    side: str
    x: float
    y: float
    units: float


def save_session_as_template(
    session: Session,
    actor: Actor,
    *,
    face_map: FaceMap,
    treatment_session_id: int,
    name: str,
    description: str | None = None,
) -> ProtocolTemplate:
    """Save a charted session's sites as a new template, relative to the palsy.

    A record in a product with no dose reference (signed before it left the
    reference, or clinic-added) is refused: a template of it could only chart a
    product planner cannot chart.
    """
    treatment = get_or_raise(
        session,
        TreatmentSession,
        treatment_session_id,
        f"There is no treatment session {treatment_session_id}.",
    )
    patient = get_or_raise(
        session,
        Patient,
        treatment.patient_id,
        f"There is no patient {treatment.patient_id}.",
    )
    product = get_or_raise(
        session, Product, treatment.product_id, "The session's product is missing."
    )
    if not chartable(product):
        raise InvalidInput(
            "This record cannot be saved as a template: no dose reference is held "
            f"for {product.brand}, so planner cannot chart it from a template."
        )
    sites = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == treatment_session_id)
        .order_by(col(InjectionSite.number))
    ).all()
    unset = [site.number for site in sites if site.units is None]
    if unset:
        raise InvalidInput(
            "The chart cannot be saved as a template yet.",
            fields={"doses": missing_doses(unset)},
        )
    dosed = [
        _DosedSite(s.muscle, s.side.value, s.x, s.y, s.units)
        for s in sites
        if s.units is not None
    ]
    return create_template(
        session,
        actor,
        face_map=face_map,
        name=name,
        description=description,
        product=product.code,
        sites=template_from_session_sites(dosed, patient.affected_side),
    )
