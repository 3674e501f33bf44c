"""Dose limits per product: every product and muscle checked, in its own units."""

from datetime import date

import pytest

from planner.dosing.dose_limits import check_dose_limits
from planner.dosing.dose_limits import check_sites
from planner.dosing.dose_limits import check_totals
from planner.dosing.product_doses import SHIPPED_DOSES
from planner.dosing.product_doses import DoseLimit
from planner.dosing.product_doses import shipped_doses
from planner.dosing.records import PlannedSite
from planner.reference import PRODUCTS
from tests.unit.past_sessions import past_session

OTHER_PRODUCTS = ["dysport", "xeomin", "jeuveau", "daxxify", "letybo"]


def sites(muscle, side, *doses, role="affected"):
    return [
        PlannedSite(number=n, muscle=muscle, side=side, role=role, units=units)
        for n, units in enumerate(doses, start=1)
    ]


def codes(warnings):
    return [w.code for w in warnings]


def test_every_catalogue_product_has_rules_and_ceilings_in_its_own_units():
    assert set(SHIPPED_DOSES) == {p.code for p in PRODUCTS}
    for product in PRODUCTS:
        doses = shipped_doses(product.code)
        assert doses.unit_name == product.unit_name
        for ceiling in (doses.site_ceiling, doses.side_ceiling, doses.session_ceiling):
            assert ceiling.clinic_setting
            assert ceiling.label.startswith("Clinic setting")
            assert "UNSOURCED" in ceiling.source
        # Only Daxxify's label gives a glabellar maximum [S27]; any other label's
        # glabellar dose, used as a limit per session, is a clinic setting.
        (group,) = doses.groups
        assert group.limit.clinic_setting == (product.code != "daxxify")
        assert group.muscles == {"corrugator", "procerus"}


@pytest.mark.parametrize(
    ("code", "per_site", "glabellar", "tag"),
    [
        ("botox", 4, 20, "[S22]"),
        ("dysport", 10, 50, "[S23]"),
        ("xeomin", 4, 20, "[S25]"),
        ("jeuveau", 4, 20, "[S26]"),
        ("daxxify", 8, 40, "[S27]"),
        ("letybo", 4, 20, "[S28]"),
    ],
)
def test_each_label_glabellar_dose_is_its_own_limit(code, per_site, glabellar, tag):
    doses = shipped_doses(code)
    assert doses.per_point["corrugator"].high == per_site
    assert tag in doses.per_point["corrugator"].source
    assert doses.groups[0].limit.high == glabellar
    assert doses.defaults["corrugator"] == per_site
    # At the label's dose: quiet. A quarter unit over per point: a warning.
    label_chart = [
        *sites("corrugator", "left", per_site, per_site),
        *sites("corrugator", "right", per_site, per_site),
    ]
    assert check_dose_limits(doses, label_chart) == []
    over = check_sites(doses, sites("corrugator", "left", per_site + 0.25))
    assert codes(over) == ["dose_above_point_limit"]
    assert tag in over[0].source
    assert doses.unit_name in over[0].message


def test_daxxify_glabellar_session_maximum_is_40_units():
    doses = shipped_doses("daxxify")
    chart = [
        *sites("corrugator", "left", 8, 8),
        *sites("corrugator", "right", 8, 8),
        *sites("procerus", "midline", 8, role="midline"),
    ]
    assert check_totals(doses, chart) == []
    # A clinic that allows 16 U at the procerus still meets the label's maximum.
    doses = doses.with_overrides(
        per_muscle_side={"procerus": DoseLimit(16, "Clinic setting", True)}
    )
    chart.append(PlannedSite(6, "procerus", "midline", "midline", 8))
    (warning,) = check_totals(doses, chart)
    assert warning.code == "group_above_limit"
    assert "48 U is above 40 U per session" in warning.message
    assert "maximum per glabellar session" in warning.source


@pytest.mark.parametrize("code", ["botox", *OTHER_PRODUCTS])
def test_400_units_at_one_eyelid_site_warns_for_every_product(code):
    doses = shipped_doses(code)
    warnings = check_dose_limits(
        doses, sites("orbicularis_oculi_pretarsal_upper", "left", 400)
    )
    assert "dose_above_site_ceiling" in codes(warnings)
    assert "session_above_ceiling" in codes(warnings)
    assert all(w.severity == "warning" for w in warnings)
    # At the ceiling exactly it is quiet; the ceiling is the clinic's figure.
    at_ceiling = check_sites(doses, sites("platysma", "left", doses.site_ceiling.high))
    assert "dose_above_site_ceiling" not in codes(at_ceiling)
    ceiling = [w for w in warnings if w.code == "dose_above_site_ceiling"][0]
    assert "(clinic setting)" in ceiling.message


def test_botox_eyelid_total_per_side_fires_above_two_points():
    doses = shipped_doses("botox")
    assert (
        check_totals(
            doses, sites("orbicularis_oculi_pretarsal_upper", "left", 2.5, 2.5)
        )
        == []
    )
    twelve = sites("orbicularis_oculi_pretarsal_upper", "left", *[2.5] * 12)
    assert check_sites(doses, twelve) == []
    (warning,) = check_totals(doses, twelve)
    assert warning.code == "muscle_above_limit"
    assert warning.side == "left"
    assert "30 U is above 5 U per side (clinic setting)" in warning.message


def test_platysma_thirty_points_of_five_units_warns_per_side_and_session():
    doses = shipped_doses("botox")
    assert check_totals(doses, sites("platysma", "left", *[5] * 6)) == []
    warnings = check_totals(doses, sites("platysma", "left", *[5] * 30))
    assert codes(warnings) == [
        "muscle_above_limit",
        "side_above_ceiling",
        "session_above_ceiling",
    ]
    assert "150 U" in warnings[0].message


def test_dysport_limits_are_in_speywood_units_and_never_botox_figures():
    dysport = shipped_doses("dysport")
    # 10 U (Speywood) per corrugator point is the Dysport label's dose: quiet,
    # though it is well above Botox's 4 U.
    assert check_sites(dysport, sites("corrugator", "left", 10)) == []
    assert check_sites(shipped_doses("botox"), sites("corrugator", "left", 10))
    # No Botox per-muscle figure is carried over to Dysport: a DAO dose is checked
    # against Dysport's own ceilings only.
    assert "depressor_anguli_oris" not in dysport.per_point
    assert check_sites(dysport, sites("depressor_anguli_oris", "left", 10)) == []
    over = check_sites(dysport, sites("depressor_anguli_oris", "left", 25.5))
    assert codes(over) == ["dose_above_site_ceiling"]
    assert "U (Speywood)" in over[0].message


def test_side_ceiling_counts_left_and_right_apart_and_leaves_midline_out():
    doses = shipped_doses("botox")
    left = [
        PlannedSite(n, muscle, "left", "affected", 4)
        for n, muscle in enumerate(
            ["frontalis", "buccinator", "buccinator", "platysma", "platysma"]
            + ["platysma"] * 8,
            start=1,
        )
    ]
    assert sum(s.units for s in left) == 52
    warnings = check_totals(doses, left)
    assert "side_above_ceiling" in codes(warnings)
    split = left[:7] + [
        PlannedSite(s.number, s.muscle, "right", "contralateral", s.units)
        for s in left[7:]
    ]
    assert "side_above_ceiling" not in codes(check_totals(doses, split))
    midline = sites("procerus", "midline", *[4] * 13, role="midline")
    assert "side_above_ceiling" not in codes(check_totals(doses, midline))


def test_a_top_up_counts_the_cycle_towards_every_total():
    doses = shipped_doses("botox")
    full = past_session(
        performed_on=date(2026, 3, 2),
        kind="full",
        product_code="botox",
        units_total=4,
        muscle_units={("depressor_anguli_oris", "left"): 4},
    )
    top_up = sites("depressor_anguli_oris", "left", 1)
    assert check_totals(doses, top_up) == []
    (warning,) = check_totals(doses, top_up, [full])
    assert warning.code == "muscle_above_limit"
    assert "5 U, counting 4 U given earlier this cycle" in warning.message


def test_units_of_another_product_are_never_added_in():
    full = past_session(
        performed_on=date(2026, 3, 2),
        kind="full",
        product_code="dysport",
        units_total=10,
        muscle_units={("depressor_anguli_oris", "left"): 10},
    )
    with pytest.raises(ValueError, match="must be in botox units"):
        check_totals(shipped_doses("botox"), [], [full])


def test_clinic_overrides_replace_shipped_figures_and_are_labelled():
    doses = shipped_doses("xeomin").with_overrides(
        per_point={"mentalis": DoseLimit(3, "Clinic setting, edited", True)},
        ceilings={"site": DoseLimit(6, "Clinic setting, edited", True)},
    )
    warnings = check_sites(doses, sites("mentalis", "left", 7))
    assert codes(warnings) == ["dose_above_point_limit", "dose_above_site_ceiling"]
    assert all(w.source.startswith("Clinic setting") for w in warnings)
    with pytest.raises(ValueError, match="unknown ceilings"):
        doses.with_overrides(ceilings={"cycle": DoseLimit(1, "x", True)})
