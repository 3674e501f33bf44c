"""Issue 22: the pure rule for muscles a procedure excised or denervated."""

from datetime import date

import pytest

from planner.dosing import PlannedSite
from planner.dosing.treated_muscles import ProcedureFact
from planner.dosing.treated_muscles import check_treated_muscles
from planner.dosing.treated_muscles import leave_out_treated
from planner.dosing.treated_muscles import tap_refusal
from planner.dosing.treated_muscles import treated_muscles

DAO_LEFT = ProcedureFact(
    "dao_excision", "left", date(2026, 5, 12), ("depressor_anguli_oris",)
)
NEUROLYSIS_BOTH = ProcedureFact(
    "selective_neurolysis", "bilateral", date(2026, 6, 1), ("platysma", "procerus")
)
BROW_LIFT = ProcedureFact("brow_lift", "left", date(2026, 4, 1), ("frontalis",))


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
