"""A database made by an earlier release gets the reference's corrected figures.

Release 2026-12 corrected the depressor anguli oris per-point dose (4 U, said to
be sourced, is per side: [S64] gives 2-3 U at one point) and relabelled the
Daxxify and Xeomin dilution tables (an UNSOURCED volume, a secondary source).
``load_catalogue`` (run by ``init-db`` on every update) brings a setting the
clinic never edited, and every product's dilution table, to what is shipped now,
auditing each change; a clinic's own edit stays.
"""

import pytest
from sqlmodel import select

from planner.models import AuditEvent
from planner.models import ClinicSetting
from planner.models import Product
from planner.models import Role
from planner.services import settings as settings_service
from planner.services.audit import Actor
from planner.services.catalogue import load_catalogue
from tests.factories import audit_events

pytestmark = pytest.mark.audit_exempt(
    "puts back the rows an earlier release shipped, by hand",
    tables=["clinic_setting", "product"],
)

DAO = "dose.depressor_anguli_oris"
# What the release before shipped.
OLD_DAO = {"low": 2, "high": 4, "default": 2}
OLD_DAO_SOURCE = "[S64] [S65] 2–3 U at one point; 3–4 U per side"
OLD_DILUTION_SOURCES = {
    "daxxify": "Arithmetic from [S27] 8 U per 0.1 mL; volume UNSOURCED",
    "xeomin": "[S25b] secondary source; arithmetic matches 4 U/0.1 mL",
}


def as_shipped_before(session):
    """Make the database look as the earlier release left it."""
    dao = session.get(ClinicSetting, DAO)
    dao.value, dao.source = OLD_DAO, OLD_DAO_SOURCE
    session.add(dao)
    for code, source in OLD_DILUTION_SOURCES.items():
        product = session.exec(select(Product).where(Product.code == code)).one()
        product.dilutions = [{**row, "source": source} for row in product.dilutions]
        session.add(product)
    session.commit()


def dilution_sources(session, code):
    product = session.exec(select(Product).where(Product.code == code)).one()
    return {row["source"] for row in product.dilutions}


def test_a_never_edited_reference_dose_and_the_dilution_tables_follow_the_reference(
    session,
):
    as_shipped_before(session)

    load_catalogue(session)

    dao = session.get(ClinicSetting, DAO)
    assert dao.value == {"low": 2, "high": 3, "default": 2}
    assert dao.source.startswith("[S64] 2–3 U at one point")
    # Still the shipped setting: no editor, first version.
    assert (dao.version, dao.updated_by_id) == (1, None)
    assert dilution_sources(session, "daxxify") == {
        "UNSOURCED: not in the label; check with the supplier; the volume is "
        "worked out to give [S27]'s 8 U per 0.1 mL"
    }
    assert all("not label text" in s for s in dilution_sources(session, "xeomin"))
    # The other products' tables were already as shipped: untouched, unaudited.
    changed = audit_events(session, "product")
    codes = {session.get(Product, event.entity_id).code for event in changed}
    assert codes == {"daxxify", "xeomin"}
    (setting_event,) = audit_events(session, "clinic_setting")
    assert setting_event.actor_email == "system"
    assert setting_event.before["value"] == OLD_DAO
    assert setting_event.after["value"]["high"] == 3

    # Run again (the next update): nothing left to correct, nothing audited.
    count = len(session.exec(select(AuditEvent)).all())
    load_catalogue(session)
    assert len(session.exec(select(AuditEvent)).all()) == count


def test_a_clinics_own_reference_dose_is_kept(session, make_user):
    as_shipped_before(session)
    admin = make_user(Role.ADMIN)
    settings_service.update_setting(
        session,
        Actor(admin.id, admin.email),
        DAO,
        {"low": 2, "high": 5, "default": 2},
        version=1,
    )

    load_catalogue(session)

    dao = session.get(ClinicSetting, DAO)
    assert dao.value == {"low": 2, "high": 5, "default": 2}
    assert dao.updated_by_id == admin.id
    assert audit_events(session, "clinic_setting")[-1].actor_email == admin.email
