"""Changing a template's product never relabels its doses (review rC, C5).

Units of two products are not interchangeable and a dose is never converted
(clinical reference §2.1): a template's product changes only with its doses
entered again in the new product's units. Until then the edit is refused, each
dose named "Dose not carried over", as applying another product's template
says, and nothing is saved; the saved change is audited with its doses.
"""

import re

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.models import Product
from planner.models import ProtocolTemplate
from planner.models import Role
from planner.services import protocols
from planner.services.audit import Actor
from tests.services.test_protocols import FACE_MAP
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import Chair

# Each product's doses for the same two sites, in its own units.
DOSES = {"botox": ["10", "4"], "dysport": ["25", "10"], "daxxify": ["8", "4"]}
BRANDS = {"botox": "Botox", "dysport": "Dysport", "daxxify": "Daxxify"}
CHANGES = [("botox", "dysport"), ("botox", "daxxify")]


def _sites(code):
    return [
        {"muscle": muscle, "role": "affected", "x": "", "y": "", "units": units}
        for muscle, units in zip(("platysma", "mentalis"), DOSES[code], strict=True)
    ]


def _product_id(session, code):
    return session.exec(select(Product.id).where(Product.code == code)).one()


def _template(session, template_id):
    session.expire_all()
    return session.get(ProtocolTemplate, template_id)


def _updates(session, template_id):
    return session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "protocol_template",
            AuditEvent.entity_id == template_id,
            AuditEvent.action == "update",
        )
    ).all()


def _units(template):
    return [site["units"] for site in template.sites]


def _template_for(session, actor, code):
    """A template of two sites, its doses in ``code``'s units."""
    return protocols.create_template(
        session,
        actor,
        face_map=FACE_MAP,
        name="Lower face",
        description=None,
        product=code,
        sites=_sites(code),
    )


@pytest.fixture
def admin_actor(make_user):
    user = make_user(Role.ADMIN)
    return Actor(user.id, user.email)


def _edit(session, actor, template, code, sites, **doses_product):
    return protocols.update_template(
        session,
        actor,
        template.id,
        face_map=FACE_MAP,
        name=template.name,
        description=template.description,
        product=code,
        sites=sites,
        version=template.version,
        **doses_product,
    )


def _refused_as_other_units(session, actor, template, code, was, **doses_product):
    """Save ``template`` under ``code`` with its doses as they are: refused."""
    with pytest.raises(InvalidInput) as refused:
        _edit(session, actor, template, code, template.sites, **doses_product)
    reason = f"Dose not carried over: the template was for {BRANDS[was]}, units differ"
    assert refused.value.fields == {
        "product": f"is now {BRANDS[code]}: enter every dose again in "
        f"{BRANDS[code]} units",
        "sites.0.units": reason,
        "sites.1.units": reason,
    }
    assert isinstance(refused.value, protocols.DosesNotCarriedOver)
    assert refused.value.product == code
    stored = _template(session, template.id)
    assert (stored.product_id, stored.version) == (
        _product_id(session, was),
        template.version,
    )
    assert _units(stored) == _units(template)


@pytest.mark.parametrize(("old", "new"), CHANGES)
def test_a_product_change_waits_for_the_doses_in_the_new_units(
    session, admin_actor, injector, make_patient, old, new
):
    template = _template_for(session, admin_actor, old)
    # The doses as they stand, unnamed or named as the old product's: refused.
    _refused_as_other_units(session, admin_actor, template, new, old)
    _refused_as_other_units(session, admin_actor, template, new, old, doses_product=old)
    assert _updates(session, template.id) == []

    # Entered again in the new product's units, the change is saved and audited.
    changed = _edit(session, admin_actor, template, new, _sites(new), doses_product=new)
    assert changed.product_id == _product_id(session, new)
    assert _units(changed) == [float(u) for u in DOSES[new]]
    (event,) = _updates(session, template.id)
    assert event.before["product_id"] == _product_id(session, old)
    assert event.after["product_id"] == _product_id(session, new)
    assert [s["units"] for s in event.before["sites"]] == [float(u) for u in DOSES[old]]
    assert [s["units"] for s in event.after["sites"]] == [float(u) for u in DOSES[new]]

    # A chart of the new product takes the new doses; one of the old, none.
    chair = Chair(session, injector)
    for code, expected in ((new, DOSES[new]), (old, [None, None])):
        record, version = chair.open(
            make_patient(affected_side="left"), DAY0, product=code
        )
        chair.apply_template(record, version, changed)
        charted = session.exec(
            select(InjectionSite)
            .where(InjectionSite.session_id == record.id)
            .order_by(InjectionSite.number)
        ).all()
        assert [s.units for s in charted] == [
            None if u is None else float(u) for u in expected
        ]
        if code == old:
            assert {s.unset_reason for s in charted} == {
                f"Dose not carried over: the template is for {BRANDS[new]}, "
                "units differ"
            }

    # And back: the new product's doses are not the old product's either.
    _refused_as_other_units(session, admin_actor, changed, old, new)
    back = _edit(session, admin_actor, changed, old, _sites(old), doses_product=old)
    assert (back.product_id, _units(back)) == (
        _product_id(session, old),
        [float(u) for u in DOSES[old]],
    )
    assert len(_updates(session, template.id)) == 2


def test_an_edit_that_keeps_the_product_keeps_the_doses(session, admin_actor):
    template = _template_for(session, admin_actor, "dysport")
    template.name = "Lower face v2"
    renamed = _edit(session, admin_actor, template, "dysport", template.sites)
    assert (renamed.name, _units(renamed)) == ("Lower face v2", [25.0, 10.0])


def _form(page):
    """The edit form's fields as the browser would post them."""
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
    )
    fields.pop("csrf_token", None)
    fields["name"] = re.search(r'id="name" name="name"[^>]*value="([^"]*)"', page)[1]
    fields["product"] = re.search(r'name="product" value="(\w+)"[^>]* checked', page)[1]
    rows = re.findall(r'id="sites\.(\d+)\.(muscle|role|units|x|y)"', page)
    count = max(int(n) for n, _ in rows) + 1
    for column in ("muscle", "role"):
        fields[column] = []
        for n in range(count):
            select = re.search(rf'id="sites\.{n}\.{column}".*?</select>', page, re.S)
            chosen = re.search(r'<option value="(\w*)" selected', select[0])
            fields[column].append(chosen[1] if chosen else "")
    for column in ("units", "x", "y"):
        fields[column] = [
            re.search(
                rf'id="sites\.{n}\.{column}" name="{column}"[^>]*value="([^"]*)"', page
            )[1]
            for n in range(count)
        ]
    return fields


@pytest.mark.parametrize(("old", "new"), CHANGES)
def test_the_settings_form_clears_the_doses_when_the_product_changes(
    session, admin_actor, login_as, old, new
):
    template = _template_for(session, admin_actor, old)
    admin = login_as(Role.ADMIN)
    path = f"/settings/templates/{template.id}"
    form = _form(admin.get(f"{path}/edit").get_data(as_text=True))
    assert form["units"][:2] == DOSES[old]

    refused = admin.post_form(path, {**form, "product": new})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert form["doses_product"] == old
    assert (
        f"Site 1 units Dose not carried over: the template was for {BRANDS[old]}, "
        "units differ"
    ) in page
    again = _form(page)
    assert (again["product"], again["doses_product"]) == (new, new)
    assert again["units"][:2] == ["", ""]  # cleared, to be entered again
    assert _template(session, template.id).product_id == _product_id(session, old)

    entered = {**again, "units": DOSES[new] + again["units"][2:]}
    assert admin.post_form(path, entered).status_code == 302
    saved = _template(session, template.id)
    assert (saved.product_id, _units(saved)) == (
        _product_id(session, new),
        [float(u) for u in DOSES[new]],
    )

    # Back to the old product: cleared again, then saved in its units.
    form = _form(admin.get(f"{path}/edit").get_data(as_text=True))
    back = admin.post_form(path, {**form, "product": old})
    assert back.status_code == 400
    again = _form(back.get_data(as_text=True))
    entered = {**again, "units": DOSES[old] + again["units"][2:]}
    assert admin.post_form(path, entered).status_code == 302
    saved = _template(session, template.id)
    assert (saved.product_id, _units(saved)) == (
        _product_id(session, old),
        [float(u) for u in DOSES[old]],
    )
