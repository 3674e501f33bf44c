"""Protocol templates: validation on the face map, locking, the trail, placing."""

from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select

from planner.errors import Forbidden
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.errors import StaleWrite
from planner.facemap import hit_test
from planner.facemap import load_face_map
from planner.facemap.mirroring import PlacedSite
from planner.facemap.mirroring import place_template_sites
from planner.facemap.mirroring import template_from_session_sites
from planner.models import InjectionSite
from planner.models import Product
from planner.models import ProtocolTemplate
from planner.models import Role
from planner.models import TreatmentSession
from planner.services import protocols as service
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from tests.factories import audit_events

FACE_MAP = load_face_map(Path(__file__).resolve().parents[2] / "face_maps")

# Drawn with the affected side on the patient's right (x < 200).
SITES = [
    {"muscle": "orbicularis_oculi_orbital", "role": "affected", "x": 90, "y": 185},
    {"muscle": "platysma", "role": "affected", "x": 180, "y": 438},
    {"muscle": "zygomaticus_major", "role": "contralateral", "x": 286, "y": 272},
    {"muscle": "procerus", "role": "midline", "x": 203, "y": 168},
]
SITES = [{**site, "units": 2.5} for site in SITES]


@pytest.fixture
def actor(make_user):
    user = make_user(Role.ADMIN)
    return Actor(user_id=user.id, email=user.email)


@pytest.fixture
def make_template(session, actor):
    def make(**overrides):
        fields = {
            "face_map": FACE_MAP,
            "name": "Ocular synkinesis",
            "description": "Lids and neck",
            "product": "botox",
            "sites": SITES,
            **overrides,
        }
        return service.create_template(session, actor, **fields)

    return make


def template_events(session):
    session.expire_all()
    return audit_events(session, "protocol_template")


def fields_of(info):
    return info.value.fields


# Pure: placing and the inverse.


def test_right_palsy_keeps_the_template_as_drawn():
    placed = place_template_sites(SITES, "right")
    assert placed == [
        PlacedSite("orbicularis_oculi_orbital", "right", 90, 185, 2.5),
        PlacedSite("platysma", "right", 180, 438, 2.5),
        PlacedSite("zygomaticus_major", "left", 286, 272, 2.5),
        PlacedSite("procerus", "midline", 203, 168, 2.5),
    ]


def test_left_palsy_mirrors_so_affected_sites_land_on_the_left():
    placed = place_template_sites(SITES, "left")
    assert placed == [
        PlacedSite("orbicularis_oculi_orbital", "left", 310, 185, 2.5),
        PlacedSite("platysma", "left", 220, 438, 2.5),
        PlacedSite("zygomaticus_major", "right", 114, 272, 2.5),
        PlacedSite("procerus", "midline", 197, 168, 2.5),
    ]
    # Each placed point charts the same muscle on the side it is placed on.
    for site in placed:
        hit = hit_test(FACE_MAP, site.x, site.y)
        assert (hit.muscle, hit.side) == (site.muscle, site.side)


def test_bilateral_palsy_keeps_the_template_as_drawn():
    assert place_template_sites(SITES, "bilateral") == place_template_sites(
        SITES, "right"
    )


def test_placing_tuples_unpack_as_muscle_side_x_y_units():
    muscle, side, x, y, units = place_template_sites(SITES[:1], "left")[0]
    assert (muscle, side, x, y, units) == (
        "orbicularis_oculi_orbital",
        "left",
        310,
        185,
        2.5,
    )


@pytest.mark.parametrize("affected_side", ["left", "right", "bilateral"])
def test_saving_a_placed_chart_gives_back_the_template(affected_side):
    placed = place_template_sites(SITES, affected_side)
    assert template_from_session_sites(placed, affected_side) == [
        {**site, "x": float(site["x"]), "y": float(site["y"])} for site in SITES
    ]


def test_a_left_palsy_chart_becomes_a_template_drawn_on_the_right():
    charted = [
        PlacedSite("depressor_anguli_oris", "left", 260, 364, 3),
        PlacedSite("zygomaticus_major", "right", 114, 272, 1),
    ]
    assert template_from_session_sites(charted, "left") == [
        {
            "muscle": "depressor_anguli_oris",
            "role": "affected",
            "x": 140.0,
            "y": 364.0,
            "units": 3.0,
        },
        {
            "muscle": "zygomaticus_major",
            "role": "contralateral",
            "x": 286.0,
            "y": 272.0,
            "units": 1.0,
        },
    ]


@pytest.mark.parametrize("side", ["", "both", "LEFT", "midline"])
def test_an_unknown_affected_side_is_refused(side):
    with pytest.raises(ValueError, match="is not a valid AffectedSide"):
        place_template_sites(SITES, side)
    with pytest.raises(ValueError, match="is not a valid AffectedSide"):
        template_from_session_sites([], side)


# Services.


def test_create_saves_the_sites_relative_to_the_palsy_and_audits(
    session, make_template
):
    template = make_template(name="  Ocular synkinesis  ")
    assert template.id is not None
    assert template.name == "Ocular synkinesis"
    assert template.version == 1
    assert template.sites == [
        {**site, "x": float(site["x"]), "y": float(site["y"])} for site in SITES
    ]
    (event,) = template_events(session)
    assert event.action == "create"
    assert event.entity_id == template.id
    assert event.after["sites"] == template.sites


def test_a_site_without_a_point_takes_the_muscles_reference_points_in_turn(
    make_template,
):
    sites = [
        {"muscle": "platysma", "role": "contralateral", "x": "", "y": "", "units": "2"},
        {"muscle": "platysma", "role": "contralateral", "units": "2"},
        {"muscle": "procerus", "role": "midline", "x": None, "y": None, "units": 4},
        {"muscle": "frontalis", "role": "affected", "x": "", "y": "", "units": 1},
    ]
    template = make_template(sites=sites)
    points = [(site["x"], site["y"]) for site in template.sites]
    assert points == [(220, 438), (224, 462), (200, 168), (176, 100)]


@pytest.mark.parametrize(
    ("site", "field", "message"),
    [
        (
            {"muscle": "zygomaticus_minor", "x": 114, "y": 272},
            "sites.0.point",
            "(114, 272) is on the Zygomaticus major (patient's right), not the "
            "Zygomaticus minor (patient's right); clear x and y to use the "
            "muscle's reference point",
        ),
        (
            {"muscle": "zygomaticus_major", "x": 286, "y": 272},
            "sites.0.point",
            "(286, 272) is on the Zygomaticus major (patient's left), not the "
            "Zygomaticus major (patient's right); clear x and y to use the "
            "muscle's reference point",
        ),
        (
            {"muscle": "zygomaticus_major", "x": 5, "y": 5},
            "sites.0.point",
            "(5, 5) is not on any muscle, not the Zygomaticus major (patient's "
            "right); clear x and y to use the muscle's reference point",
        ),
        ({"muscle": "gluteus"}, "sites.0.muscle", "is not a muscle on the face map"),
        ({"muscle": ""}, "sites.0.muscle", "is required"),
        ({"units": "0.2"}, "sites.0.units", "must be between 0.25 and 100 units"),
        ({"units": "100.5"}, "sites.0.units", "must be between 0.25 and 100 units"),
        ({"units": "lots"}, "sites.0.units", "must be a number"),
        ({"units": ""}, "sites.0.units", "is required"),
        ({"x": "left"}, "sites.0.x", "must be a number"),
        ({"role": "ipsilateral"}, "sites.0.role", None),
        ({"role": ""}, "sites.0.role", "is required"),
        (
            {"role": "midline"},
            "sites.0.role",
            "must be affected or contralateral: the Zygomaticus major has a left "
            "and a right side",
        ),
        (
            {"muscle": "procerus", "role": "affected", "x": 200, "y": 168},
            "sites.0.role",
            "must be midline: the Procerus is a single midline muscle",
        ),
    ],
)
def test_each_bad_site_is_named(session, make_template, site, field, message):
    good = {"muscle": "zygomaticus_major", "role": "affected", "units": 1}
    with pytest.raises(InvalidInput) as info:
        make_template(sites=[{**good, **site}])
    assert list(fields_of(info)) == [field]
    if message is not None:
        assert fields_of(info)[field] == message
    assert template_events(session) == []


def test_errors_name_every_bad_row(make_template):
    with pytest.raises(InvalidInput) as info:
        make_template(
            sites=[
                SITES[0],
                {**SITES[1], "muscle": "risorius"},
                SITES[2],
                {**SITES[3], "units": 0},
            ]
        )
    assert set(fields_of(info)) == {"sites.1.point", "sites.3.units"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"description": "x" * 501}, "description"),
        # Found by tests/fuzz: PostgreSQL refused the NUL on insert, a 500.
        ({"name": "Lower\x00face"}, "name"),
        ({"description": "Lips\x00"}, "description"),
        ({"sites": []}, "sites"),
        ({"sites": SITES * 21}, "sites"),
    ],
)
def test_template_fields_are_checked(make_template, overrides, field):
    with pytest.raises(InvalidInput) as info:
        make_template(**overrides)
    assert field in fields_of(info)


def test_a_blank_description_is_none(make_template):
    assert make_template(description="  ").description is None


def test_names_are_unique_whatever_their_case(session, make_template):
    make_template(name="Lower face")
    with pytest.raises(InvalidInput) as info:
        make_template(name="LOWER FACE")
    assert fields_of(info) == {"name": "is already used by another template"}


def test_a_template_needs_a_user_to_own_it(session):
    with pytest.raises(Forbidden):
        service.create_template(
            session,
            SYSTEM,
            face_map=FACE_MAP,
            name="X",
            description=None,
            product="botox",
            sites=SITES,
        )


def test_list_is_by_name_and_get_raises_not_found(session, make_template):
    make_template(name="b second")
    make_template(name="A first")
    assert [t.name for t in service.list_templates(session)] == ["A first", "b second"]
    with pytest.raises(NotFound):
        service.get_template(session, 999)


def test_update_saves_audits_changes_and_refuses_a_stale_version(
    session, actor, make_template
):
    template = make_template()
    changed = service.update_template(
        session,
        actor,
        template.id,
        face_map=FACE_MAP,
        name="Ocular synkinesis",
        description="Lids only",
        product="botox",
        sites=SITES[:1],
        version=1,
    )
    assert changed.version == 2
    assert changed.description == "Lids only"
    assert len(changed.sites) == 1
    update_event = template_events(session)[-1]
    assert update_event.action == "update"
    assert set(update_event.after) == {"description", "sites", "version"}
    assert update_event.before["description"] == "Lids and neck"

    with pytest.raises(StaleWrite):
        service.update_template(
            session,
            actor,
            template.id,
            face_map=FACE_MAP,
            name="Ocular synkinesis",
            description="Second editor",
            product="botox",
            sites=SITES,
            version=1,
        )
    session.expire_all()
    assert session.get(ProtocolTemplate, template.id).description == "Lids only"


def test_update_validates_and_keeps_names_unique(session, actor, make_template):
    make_template(name="Taken")
    template = make_template(name="Mine")
    arguments = {
        "face_map": FACE_MAP,
        "description": None,
        "product": "botox",
        "sites": SITES,
        "version": 1,
    }
    with pytest.raises(InvalidInput) as info:
        service.update_template(session, actor, template.id, name="taken", **arguments)
    assert set(fields_of(info)) == {"name"}
    with pytest.raises(InvalidInput) as info:
        service.update_template(
            session, actor, template.id, name="Mine", **{**arguments, "version": ""}
        )
    assert set(fields_of(info)) == {"version"}
    # Renaming to itself, in another case, is fine.
    renamed = service.update_template(
        session, actor, template.id, name="MINE", **arguments
    )
    assert renamed.name == "MINE"


def test_delete_needs_the_current_version_and_is_audited(session, actor, make_template):
    template = make_template()
    with pytest.raises(StaleWrite):
        service.delete_template(session, actor, template.id, version=2)
    service.delete_template(session, actor, template.id, version="1")
    session.expire_all()
    assert session.get(ProtocolTemplate, template.id) is None
    event = template_events(session)[-1]
    assert event.action == "delete"
    assert event.entity_id == template.id
    assert event.before["name"] == "Ocular synkinesis"
    assert event.after is None
    with pytest.raises(NotFound):
        service.delete_template(session, actor, template.id, version=1)


@pytest.mark.audit_exempt(
    "stores a charted session and its sites directly",
    tables=["treatment_session", "injection_site"],
)
def test_save_a_charted_session_as_a_template(session, actor, make_patient):
    patient = make_patient(affected_side="left")
    product = session.exec(select(Product).where(Product.code == "botox")).one()
    treatment = TreatmentSession(
        patient_id=patient.id,
        injector_id=actor.user_id,
        cycle_number=1,
        product_id=product.id,
        performed_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
    )
    session.add(treatment)
    session.flush()
    for number, (muscle, side, x, y, units) in enumerate(
        place_template_sites(SITES, "left"), start=1
    ):
        role = {"left": "affected", "right": "contralateral"}.get(side, "midline")
        session.add(
            InjectionSite(
                session_id=treatment.id,
                number=number,
                muscle=muscle,
                side=side,
                role=role,
                x=x,
                y=y,
                units=units,
            )
        )
    session.commit()

    template = service.save_session_as_template(
        session,
        actor,
        face_map=FACE_MAP,
        treatment_session_id=treatment.id,
        name="From Ada's chart",
    )
    assert template.sites == [
        {**site, "x": float(site["x"]), "y": float(site["y"])} for site in SITES
    ]
    with pytest.raises(NotFound):
        service.save_session_as_template(
            session, actor, face_map=FACE_MAP, treatment_session_id=999, name="X"
        )
