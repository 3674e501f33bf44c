"""A mentalis myectomy and the central (midline) mentalis point, on every path.

The face map gives the mentalis a central part across the midline. A bilateral
myectomy covers it; a one-sided one borders it: either way a tap, a move,
copy-last and a template ask before toxin goes there, as for the procerus.
Botox and Dysport, against a real database.
"""

from datetime import date
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.services import therapy
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import chair_sites
from tests.services.test_safety_paths import point
from tests.services.test_treated_muscle_paths import TODAY
from tests.services.test_treated_muscle_paths import UNITS
from tests.services.test_treated_muscle_paths import SurgeryChair
from tests.services.test_treated_muscle_paths import make_template
from tests.services.test_treated_muscle_paths import treated

CENTRAL = ("mentalis", "midline")


@pytest.fixture
def chair(session, injector):
    return SurgeryChair(session, injector)


def mentalis_myectomy(session, actor, patient, side, on=date(2026, 1, 5)):
    return therapy.add_procedure(
        session,
        actor,
        patient.id,
        {
            "kind": "selective_myectomy",
            "side": side,
            "performed_on": on.isoformat(),
            "surgeon": "Ms Surgeon",
            "muscles": ["mentalis"],
        },
        today=TODAY,
    )


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize("side", ["bilateral", "left"])
def test_a_tap_on_the_central_mentalis_is_refused_then_warns_once_confirmed(
    session, chair, make_patient, product, side
):
    patient = make_patient(affected_side="left")
    mentalis_myectomy(session, chair.injector, patient, side)
    record, version = chair.open(patient, DAY0, product=product)
    with pytest.raises(InvalidInput) as info:
        chair.tap(record, version, *CENTRAL, UNITS[product])
    assert "confirm_treated_muscle" in info.value.fields
    assert info.value.message.startswith("Nothing placed: the central mentalis")
    assert "Selective myectomy, 5 Jan 2026" in info.value.message
    assert chair_sites(session, record, DAY0) == []
    version, site = chair.tap_confirmed(record, version, UNITS[product], where=CENTRAL)
    assert (site.muscle, site.side.value) == CENTRAL
    (warning,) = treated(chair.warnings(record, DAY0))
    assert (warning["side"], warning["needs_reason"]) == ("midline", True)
    assert "the central mentalis" in warning["message"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_moving_a_site_onto_the_central_mentalis_needs_the_confirmation(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    mentalis_myectomy(session, chair.injector, patient, "bilateral")
    record, version = chair.open(patient, DAY0, product=product)
    version, site = chair.tap(record, version, "platysma", "left", UNITS[product])
    x, y = point(*CENTRAL)
    move = {"version": version, "x": x, "y": y}
    with pytest.raises(InvalidInput) as info:
        chair.change(record, site.id, move)
    assert "confirm_treated_muscle" in info.value.fields
    session.rollback()
    version, moved = chair.change(
        record, site.id, {**move, "confirm_treated_muscle": True}
    )
    assert (moved.muscle, moved.side.value) == CENTRAL
    assert len(treated(chair.warnings(record, DAY0))) == 1


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_copy_last_cycle_leaves_out_the_central_mentalis_after_a_myectomy(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    units = UNITS[product]
    chair.given(
        patient,
        DAY0,
        [(*CENTRAL, units), ("platysma", "left", units)],
        product=product,
    )
    mentalis_myectomy(session, chair.injector, patient, "bilateral", date(2026, 4, 1))
    later = DAY0 + timedelta(days=100)
    record, version = chair.open(patient, later, product=product)
    done = chair.copy_last(record, version, later)
    assert [s["muscle"] for s in chair_sites(session, record, later)] == ["platysma"]
    assert done.left_out == (
        "Left out the central mentalis: excised (Selective myectomy, 1 Apr 2026).",
    )
    assert treated(chair.warnings(record, later)) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_template_leaves_out_the_central_mentalis_after_a_myectomy(
    session, chair, make_patient, make_user, product
):
    template = make_template(
        session,
        make_user,
        f"Chin ({product})",
        product,
        [
            {"muscle": "mentalis", "role": "midline", "units": 2},
            {"muscle": "platysma", "role": "affected", "units": 2},
        ],
    )
    patient = make_patient(affected_side="left")
    mentalis_myectomy(session, chair.injector, patient, "bilateral")
    record, version = chair.open(patient, DAY0, product=product)
    done = chair.apply_template(record, version, template)
    placed = [(s["muscle"], s["side"]) for s in chair_sites(session, record, DAY0)]
    assert placed == [("platysma", "left")]
    assert done.left_out == (
        "Left out the central mentalis: excised (Selective myectomy, 5 Jan 2026).",
    )
