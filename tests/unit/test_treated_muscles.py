"""Issue 22: the pure rule for muscles a procedure excised or denervated."""

from datetime import date

import pytest

from planner.dosing import PlannedSite
from planner.dosing.treated_muscles import ProcedureFact
from planner.dosing.treated_muscles import check_treated_muscles
from planner.dosing.treated_muscles import leave_out_treated
from planner.dosing.treated_muscles import tap_refusal
from planner.dosing.treated_muscles import treated_muscles as treated_on_map
from tests.factories import FACE_MAP

# The sides each muscle has on the face map: the procerus is midline only, the
# mentalis has a central part beside its left and right.
MAP_SIDES = {muscle.code: muscle.sides for muscle in FACE_MAP.muscles}

DAO_LEFT = ProcedureFact(
    "dao_excision", "left", date(2026, 5, 12), ("depressor_anguli_oris",)
)
NEUROLYSIS_BOTH = ProcedureFact(
    "selective_neurolysis", "bilateral", date(2026, 6, 1), ("platysma", "procerus")
)
BROW_LIFT = ProcedureFact("brow_lift", "left", date(2026, 4, 1), ("frontalis",))


def treated_muscles(procedures, on):
    return treated_on_map(procedures, on, muscle_sides=MAP_SIDES)


def test_only_muscle_removing_procedures_on_or_before_the_day_count():
    treated = treated_muscles([DAO_LEFT, NEUROLYSIS_BOTH, BROW_LIFT], date(2026, 5, 20))
    assert [(t.muscle, t.side, t.effect) for t in treated] == [
        ("depressor_anguli_oris", "left", "excised")
    ]


def test_a_bilateral_procedure_treats_both_sides_and_a_midline_muscle_once():
    treated = treated_muscles([NEUROLYSIS_BOTH], date(2026, 6, 1))
    assert {(t.muscle, t.side) for t in treated} == {
        ("platysma", "left"),
        ("platysma", "right"),
        ("procerus", "midline"),
    }
    assert {t.effect for t in treated} == {"denervated"}


def test_a_tap_is_refused_without_confirmation_and_names_the_procedure():
    treated = treated_muscles([DAO_LEFT], date(2026, 11, 1))
    message = tap_refusal(treated, "depressor_anguli_oris", "left", confirmed=False)
    assert message is not None
    assert message.startswith("Nothing placed: the left depressor anguli oris")
    assert "DAO excision (myectomy), 12 May 2026" in message
    # Plain words for the clinician; the API names the field in ``fields``.
    assert "To place a site there anyway, confirm it" in message
    assert "confirm_treated_muscle" not in message
    assert tap_refusal(treated, "depressor_anguli_oris", "left", confirmed=True) is None
    assert (
        tap_refusal(treated, "depressor_anguli_oris", "right", confirmed=False) is None
    )


@pytest.mark.parametrize("units", [2.0, 10.0])
def test_a_site_there_warns_with_a_reason_needed(units):
    treated = treated_muscles([DAO_LEFT], date(2026, 11, 1))
    sites = (
        PlannedSite(1, "depressor_anguli_oris", "left", "affected", units),
        PlannedSite(2, "depressor_anguli_oris", "right", "contralateral", units),
    )
    (warning,) = check_treated_muscles(sites, treated)
    assert (warning.code, warning.severity, warning.needs_reason) == (
        "site_on_treated_muscle",
        "warning",
        True,
    )
    assert (warning.site_number, warning.muscle, warning.side) == (
        1,
        "depressor_anguli_oris",
        "left",
    )


def test_copied_sites_on_a_treated_muscle_are_left_out_and_named():
    treated = treated_muscles([DAO_LEFT], date(2026, 11, 1))
    sites = [
        PlannedSite(1, "depressor_anguli_oris", "left", "affected", 2),
        PlannedSite(2, "mentalis", "left", "affected", 2),
    ]
    kept, left_out = leave_out_treated(sites, treated)
    assert [s.muscle for s in kept] == ["mentalis"]
    assert left_out == [
        "Left out the left depressor anguli oris: excised (DAO excision (myectomy), "
        "12 May 2026)."
    ]


def test_the_face_map_gives_the_mentalis_a_central_part_and_the_procerus_only_one():
    assert MAP_SIDES["mentalis"] == ("right", "left", "midline")
    assert MAP_SIDES["procerus"] == ("midline",)


def test_a_bilateral_myectomy_covers_the_central_mentalis():
    myectomy = ProcedureFact(
        "selective_myectomy", "bilateral", date(2026, 1, 5), ("mentalis",)
    )
    treated = treated_muscles([myectomy], date(2026, 3, 1))
    assert [(t.muscle, t.side, t.effect, t.central) for t in treated] == [
        ("mentalis", "left", "excised", False),
        ("mentalis", "right", "excised", False),
        ("mentalis", "midline", "excised", True),
    ]
    message = tap_refusal(treated, "mentalis", "midline", confirmed=False)
    assert message is not None
    assert message.startswith("Nothing placed: the central mentalis was excised (")
    sites = [PlannedSite(1, "mentalis", "midline", "midline", 2)]
    (warning,) = check_treated_muscles(sites, treated)
    assert (warning.side, warning.needs_reason) == ("midline", True)
    assert "the central mentalis" in warning.message
    kept, left_out = leave_out_treated(sites, treated)
    assert kept == []
    assert left_out[0].startswith("Left out the central mentalis: excised (")


def test_a_one_sided_myectomy_asks_about_the_central_mentalis_it_borders():
    """As for the procerus, a procedure on one side reaches the midline part;
    the wording says which side the procedure was on, not that it was removed."""
    myectomy = ProcedureFact(
        "selective_myectomy", "left", date(2026, 1, 5), ("mentalis",)
    )
    treated = treated_muscles([myectomy], date(2026, 3, 1))
    assert [(t.muscle, t.side, t.effect) for t in treated] == [
        ("mentalis", "left", "excised"),
        ("mentalis", "midline", "excised on the left side"),
    ]
    message = tap_refusal(treated, "mentalis", "midline", confirmed=False)
    assert message is not None
    assert message.startswith(
        "Nothing placed: the central mentalis was excised on the left side "
        "(Selective myectomy, 5 Jan 2026)."
    )
    assert tap_refusal(treated, "mentalis", "right", confirmed=False) is None
