import math
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import numpy as np
import pytest

import planner.dosing as dosing
from planner.dosing import ClinicRules
from planner.dosing import Contraindications
from planner.dosing import LotInfo
from planner.dosing import PlannedSession
from planner.dosing import PlannedSite
from planner.dosing import cap_window
from planner.dosing import check_contraindications
from planner.dosing import check_cumulative_cap
from planner.dosing import check_dose_changes
from planner.dosing import check_interval
from planner.dosing import check_lot
from planner.dosing import check_product_change
from planner.dosing import check_smile_muscles
from planner.dosing import concentration
from planner.dosing import dilution_table
from planner.dosing import format_units
from planner.dosing import format_volume_ml
from planner.dosing import months_before
from planner.dosing import product_from_reference
from planner.dosing import remaining_units
from planner.dosing import run_all_checks
from planner.dosing import shipped_doses
from planner.dosing import syringe_draw
from planner.dosing import syringe_marks
from planner.dosing import syringe_size_ml
from planner.dosing import units_per_tenth_ml
from planner.dosing import vials_used
from planner.dosing import volume_ml
from planner.dosing.records import format_day
from planner.dosing.table import own_doses
from planner.reference import PRODUCTS
from planner.reference import product_reference
from tests.unit.past_sessions import past_session

BOTOX = product_from_reference(product_reference("botox"))
DYSPORT = product_from_reference(product_reference("dysport"))
DAXXIFY = product_from_reference(product_reference("daxxify"))
RULES = ClinicRules(doses=shipped_doses("botox"))
TODAY = date(2026, 5, 31)
NOW = datetime(2026, 5, 31, 10, 0, tzinfo=UTC)

# (product, vial U, diluent mL, U per 0.1 mL): label and reference worked examples.
DILUTIONS = [
    ("botox", 100, 1.0, 10.0),
    ("botox", 100, 2.0, 5.0),
    ("botox", 100, 2.5, 4.0),
    ("botox", 100, 4.0, 2.5),
    ("botox", 100, 8.0, 1.25),
    ("botox", 100, 10.0, 1.0),
    ("botox", 50, 1.25, 4.0),
    ("dysport", 300, 1.5, 20.0),
    ("dysport", 300, 2.5, 12.0),
    ("dysport", 500, 1.0, 50.0),
    ("dysport", 500, 2.5, 20.0),
    ("dysport", 500, 5.0, 10.0),
    ("xeomin", 50, 1.25, 4.0),
    ("xeomin", 100, 2.5, 4.0),
    ("jeuveau", 100, 2.5, 4.0),
    ("daxxify", 50, 0.625, 8.0),
    ("daxxify", 100, 1.25, 8.0),
    ("letybo", 50, 1.25, 4.0),
    ("letybo", 100, 2.5, 4.0),
]


def make_site(number=1, muscle="frontalis", side="right", role="affected", units=2.0):
    return PlannedSite(number, muscle, side, role, units)


def make_past(days_ago, kind="full", product="botox", units=20.0, muscle_units=None):
    return past_session(
        TODAY - timedelta(days=days_ago), kind, product, units, muscle_units or {}
    )


def make_plan(*sites, kind="full", product=BOTOX, lot=None):
    return PlannedSession(kind, product, tuple(sites), lot)


def codes(warnings):
    return [w.code for w in warnings]


# Volume arithmetic


def test_worked_examples_cover_every_reference_dilution():
    listed = {
        (p.code, d.vial_units, d.diluent_ml) for p in PRODUCTS for d in p.dilutions
    }
    assert {(code, vial, ml) for code, vial, ml, _ in DILUTIONS} == listed


@pytest.mark.parametrize(("code", "vial", "diluent", "per_tenth"), DILUTIONS)
def test_units_per_tenth_ml(code, vial, diluent, per_tenth):
    assert units_per_tenth_ml(vial, diluent) == pytest.approx(per_tenth)
    assert concentration(vial, diluent) == pytest.approx(per_tenth * 10)
    assert volume_ml(per_tenth, vial, diluent) == pytest.approx(0.1)


@pytest.mark.parametrize(("code", "vial", "diluent", "per_tenth"), DILUTIONS)
def test_dilution_table_row(code, vial, diluent, per_tenth):
    reference = product_reference(code)
    rows = {(r.vial_units, r.diluent_ml): r for r in dilution_table(reference)}
    row = rows[(vial, diluent)]
    source = next(
        d.source
        for d in reference.dilutions
        if (d.vial_units, d.diluent_ml) == (vial, diluent)
    )
    assert (row.product_code, row.unit_name, row.source) == (
        code,
        reference.unit_name,
        source,
    )
    assert row.units_per_tenth_ml == pytest.approx(per_tenth)
    own = np.array(own_doses(reference), dtype=float)
    assert [d.units for d in row.doses] == list(own)
    np.testing.assert_allclose([d.volume_ml for d in row.doses], own / (per_tenth * 10))
    np.testing.assert_allclose([d.marks for d in row.doses], own * 10 / per_tenth)


@pytest.mark.parametrize(
    ("code", "doses"),
    [
        # Botox: its tap defaults per muscle (the reference's Botox table).
        ("botox", [1, 1.25, 2, 2.5, 4]),
        # Dysport: ¼ to all of its label's 10 U (Speywood) per glabellar site.
        ("dysport", [2.5, 5, 7.5, 10]),
    ],
)
def test_a_dilution_table_offers_the_products_own_doses(code, doses):
    """Never one list of Botox-looking doses (1, 2, 2.5, 4, 5) for every product."""
    reference = product_reference(code)
    for row in dilution_table(reference):
        assert [d.units for d in row.doses] == doses
        assert row.unit_name == reference.unit_name


def test_dilution_table_has_a_row_per_dilution():
    for product in PRODUCTS:
        assert len(dilution_table(product)) == len(product.dilutions)


@pytest.mark.parametrize(
    ("units", "vial", "diluent", "expected_ml", "shown"),
    [
        (20, 100, 2.5, 0.5, "0.500 mL"),  # Botox glabellar, label
        (24, 100, 2.5, 0.6, "0.600 mL"),  # Botox lateral canthal, label
        (40, 100, 2.5, 1.0, "1.000 mL"),  # Botox forehead + glabellar, label
        (4, 50, 1.25, 0.1, "0.100 mL"),
        (10, 300, 1.5, 0.05, "0.050 mL"),  # Dysport: 10 U per 0.05 mL
        (10, 300, 2.5, 1 / 12, "0.083 mL"),  # Dysport: 10 U per 0.08 mL, as rounded
        (20, 50, 1.25, 0.5, "0.500 mL"),  # Xeomin, Letybo 50 U vial, glabellar
        (40, 100, 1.25, 0.5, "0.500 mL"),  # Daxxify glabellar 5 x 8 U
        (2.5, 100, 2.5, 0.0625, "0.063 mL"),
    ],
)
def test_label_doses_to_volume(units, vial, diluent, expected_ml, shown):
    volume = volume_ml(units, vial, diluent)
    assert volume == pytest.approx(expected_ml)
    assert format_volume_ml(volume) == shown


def test_quarter_dose_on_an_insulin_syringe():
    draw = syringe_draw(2.5, 100, 2.5)
    assert draw.volume_ml == pytest.approx(0.0625)
    assert draw.marks == pytest.approx(6.25)
    assert draw.syringe_ml == 0.3


@pytest.mark.parametrize(
    ("volume", "marks", "syringe"),
    [
        (0.0625, 6.25, 0.3),
        (0.3, 30, 0.3),
        (0.3001, 30.01, 0.5),
        (0.5, 50, 0.5),
        (0.6, 60, 1.0),
        (1.0, 100, 1.0),
        (1.01, 101, None),
    ],
)
def test_syringe_marks_and_size(volume, marks, syringe):
    assert syringe_marks(volume) == pytest.approx(marks)
    assert syringe_size_ml(volume) == syringe


def test_volume_from_dose_fits_its_syringe_despite_float_error():
    # 12 U at 4 U per 0.1 mL is 0.3 mL: exactly a full 30-mark syringe.
    assert syringe_draw(12, 100, 2.5).syringe_ml == 0.3
    assert syringe_size_ml(0.1 + 0.2) == 0.3


@pytest.mark.parametrize(
    ("total", "vial", "vials", "left"),
    [
        (0, 100, 0, 0),
        (1, 100, 1, 99),
        (30, 100, 1, 70),
        (100, 100, 1, 0),
        (100.25, 100, 2, 99.75),
        (250, 100, 3, 50),
        (sum([0.1] * 1000), 100, 1, 0),
        (40, 50, 1, 10),
        (350, 300, 2, 250),
    ],
)
def test_vials_used_and_remaining(total, vial, vials, left):
    assert vials_used(total, vial) == vials
    assert remaining_units(total, vial) == pytest.approx(left, abs=1e-9)


@pytest.mark.parametrize("bad", [0, -1, -0.5, math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda bad: volume_ml(bad, 100, 2.5), "units"),
        (lambda bad: volume_ml(2, bad, 2.5), "vial_units"),
        (lambda bad: volume_ml(2, 100, bad), "diluent_ml"),
        (lambda bad: concentration(bad, 2.5), "vial_units"),
        (lambda bad: concentration(100, bad), "diluent_ml"),
        (lambda bad: units_per_tenth_ml(100, bad), "diluent_ml"),
        (lambda bad: syringe_marks(bad), "volume_ml"),
        (lambda bad: syringe_size_ml(bad), "volume_ml"),
        (lambda bad: vials_used(10, bad), "vial_units"),
        (lambda bad: remaining_units(10, bad), "vial_units"),
    ],
)
def test_nonsense_is_rejected_naming_the_argument(call, argument, bad):
    with pytest.raises(ValueError, match=rf"^{argument} must be"):
        call(bad)


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf])
def test_vials_used_rejects_nonsense_totals(bad):
    with pytest.raises(ValueError, match="^total_units must be"):
        vials_used(bad, 100)


@pytest.mark.parametrize("bad", [True, "2", None])
def test_non_numbers_are_rejected(bad):
    with pytest.raises(ValueError, match="^units must be a number"):
        volume_ml(bad, 100, 2.5)
    with pytest.raises(ValueError, match="^total_units must be a number"):
        vials_used(bad, 100)


@pytest.mark.parametrize(
    ("volume", "shown"),
    [
        (0.0625, "0.063 mL"),
        (0.125, "0.125 mL"),
        (0.0005, "0.001 mL"),
        (0.015, "0.015 mL"),
        (0, "0.000 mL"),
    ],
)
def test_format_volume_rounds_half_up_to_a_thousandth(volume, shown):
    assert format_volume_ml(volume) == shown


@pytest.mark.parametrize(
    ("units", "shown"),
    [(2.5, "2.5"), (4.0, "4"), (6.25, "6.25"), (1 / 3, "0.33"), (0, "0"), (100, "100")],
)
def test_format_units(units, shown):
    assert format_units(units) == shown


def test_no_cross_product_conversion_is_offered():
    names = [n.lower() for n in dosing.__all__]
    assert not [n for n in names if "convert" in n or "equivalen" in n]


def test_products_from_reference():
    products = {p.code: product_from_reference(p) for p in PRODUCTS}
    assert [c for c, p in products.items() if p.uses_reference_units] == ["botox"]
    assert products["botox"].cap_units_3_months == 400
    assert "[S20]" in (products["botox"].cap_source or "")
    assert products["daxxify"].in_use_hours == 72
    assert all(products[c].cap_units_3_months is None for c in products if c != "botox")


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: make_site(units=0), "units"),
        (lambda: make_site(units=math.nan), "units"),
        (lambda: make_site(number=0), "number"),
        (lambda: make_site(side="top"), "side"),
        (lambda: make_site(role="healthy"), "role"),
        (lambda: make_past(1, kind="booster"), "kind"),
        (lambda: make_past(1, units=-1), "units_total"),
        (lambda: make_plan(kind="booster"), "kind"),
        (lambda: ClinicRules(RULES.doses, dose_change_share=0), "dose_change_share"),
        (lambda: ClinicRules(RULES.doses, near_cap_share=1.5), "near_cap_share"),
        (lambda: LotInfo("A1", TODAY, datetime(2026, 5, 31, 9)), "reconstituted_at"),
    ],
)
def test_malformed_inputs_are_rejected(build, argument):
    with pytest.raises(ValueError, match=f"^{argument}"):
        build()


# Smile muscles


@pytest.mark.parametrize(
    ("muscle", "severity"),
    [
        ("zygomaticus_major", "warning"),
        ("zygomaticus_minor", "warning"),
        ("risorius", "warning"),
        ("levator_labii_superioris", "caution"),
        ("levator_labii_superioris_alaeque_nasi", "caution"),
    ],
)
@pytest.mark.parametrize("role", ["affected", "contralateral"])
def test_smile_muscles_on_the_affected_side(muscle, severity, role):
    warnings = check_smile_muscles([make_site(7, muscle, side="left", role=role)])
    if role == "contralateral":
        assert warnings == []
        return
    (warning,) = warnings
    assert warning.code == "smile_muscle_affected_side"
    assert (warning.severity, warning.site_number, warning.side) == (
        severity,
        7,
        "left",
    )
    assert "weaken the smile" in warning.message


def test_smile_rule_quotes_the_reference():
    (warning,) = check_smile_muscles([make_site(muscle="risorius")])
    assert "avoid on the affected side (it is the smile)" in warning.source


def test_other_muscles_on_the_affected_side_are_quiet():
    sites = [make_site(muscle="depressor_anguli_oris"), make_site(2, "platysma")]
    assert check_smile_muscles(sites) == []


# Interval since the last full treatment


@pytest.mark.parametrize(
    ("days", "fires"),
    [(0, True), (1, True), (14, True), (83, True), (84, False), (120, False)],
)
def test_interval_since_last_full_treatment(days, fires):
    warnings = check_interval("full", BOTOX, [make_past(days)], TODAY)
    assert codes(warnings) == (["interval_short"] if fires else [])
    if fires:
        (warning,) = warnings
        assert warning.severity == "warning"
        since = "1 day" if days == 1 else f"{days} days"
        assert f"{since} since the last full treatment" in warning.message
        assert "84 days (12 weeks)" in warning.message
        assert warning.source == BOTOX.interval_source


def test_top_ups_do_not_reset_the_interval():
    history = [make_past(90), make_past(76, kind="top_up"), make_past(10, "top_up")]
    assert check_interval("full", BOTOX, history, TODAY) == []


def test_interval_uses_the_latest_full_treatment_of_any_product():
    history = [make_past(200), make_past(40, product="dysport"), make_past(150)]
    (warning,) = check_interval("full", BOTOX, history, TODAY)
    assert "40 days" in warning.message


def test_planned_top_up_is_not_an_interval_breach():
    assert check_interval("top_up", BOTOX, [make_past(14)], TODAY) == []


def test_interval_ignores_no_history_and_future_sessions():
    assert check_interval("full", BOTOX, [], TODAY) == []
    assert check_interval("full", BOTOX, [make_past(-3)], TODAY) == []


# Rolling 3 months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2026, 5, 30), 3, date(2026, 2, 28)),
        (date(2026, 5, 29), 3, date(2026, 2, 28)),
        (date(2026, 5, 28), 3, date(2026, 2, 28)),
        (date(2028, 5, 31), 3, date(2028, 2, 29)),
        (date(2028, 5, 29), 3, date(2028, 2, 29)),
        (date(2026, 3, 31), 3, date(2025, 12, 31)),
        (date(2026, 7, 31), 3, date(2026, 4, 30)),
        (date(2026, 1, 15), 3, date(2025, 10, 15)),
        (date(2028, 2, 29), 3, date(2027, 11, 29)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
        (date(2026, 5, 31), 15, date(2025, 2, 28)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_months_before_rejects_negative_months():
    with pytest.raises(ValueError, match="^months"):
        months_before(TODAY, -1)


@pytest.mark.parametrize(
    ("today", "first_in", "last_out"),
    [
        (date(2026, 5, 31), date(2026, 2, 28), date(2026, 2, 27)),
        (date(2028, 5, 31), date(2028, 2, 29), date(2028, 2, 28)),
        (date(2026, 3, 31), date(2025, 12, 31), date(2025, 12, 30)),
        (date(2026, 5, 15), date(2026, 2, 15), date(2026, 2, 14)),
    ],
)
def test_cap_window_includes_its_first_day(today, first_in, last_out):
    assert cap_window(today) == (first_in, today)
    history = [
        past_session(first_in, "full", "botox", 380),
        past_session(last_out, "full", "botox", 1000),
    ]
    (warning,) = check_cumulative_cap(BOTOX, 30, history, today, 0.8)
    assert warning.code == "cap_exceeded"
    assert "410 U" in warning.message
    assert f"from {format_day(first_in)} to {format_day(today)}" in warning.message


@pytest.mark.parametrize(
    ("planned", "expected"),
    [
        (0, []),
        (19.75, []),
        (20, ["cap_near"]),
        (50, ["cap_near"]),
        (100, ["cap_near"]),
        (100.25, ["cap_exceeded"]),
    ],
    ids=["none", "below-80", "at-80", "near", "at-cap", "above-cap"],
)
def test_cumulative_cap(planned, expected):
    history = [make_past(60, units=250), make_past(46, "top_up", units=50)]
    warnings = check_cumulative_cap(BOTOX, planned, history, TODAY, 0.8)
    assert codes(warnings) == expected
    if expected == ["cap_exceeded"]:
        (warning,) = warnings
        assert warning.severity == "warning"
        assert "400.25 U" in warning.message
        assert "above the 400 U cap" in warning.message
        assert warning.source == BOTOX.cap_source
    if expected == ["cap_near"]:
        (warning,) = warnings
        assert warning.severity == "caution"
        assert "% of the 400 U cap" in warning.message
        assert "Clinic setting" in warning.source


def test_cap_counts_only_this_product():
    history = [make_past(20, product="dysport", units=500)]
    assert check_cumulative_cap(BOTOX, 60, history, TODAY, 0.8) == []


def test_products_without_a_cap_are_not_checked():
    assert check_cumulative_cap(DYSPORT, 5000, [], TODAY, 0.8) == []


def test_near_cap_share_is_the_clinics():
    assert codes(check_cumulative_cap(BOTOX, 200, [], TODAY, 0.5)) == ["cap_near"]
    assert check_cumulative_cap(BOTOX, 199, [], TODAY, 0.5) == []


# Vial lot


def test_missing_lot_is_a_caution():
    (warning,) = check_lot(None, BOTOX, NOW)
    assert (warning.code, warning.severity) == ("lot_missing", "caution")


@pytest.mark.parametrize(
    ("expiry", "fires"),
    [(date(2026, 5, 30), True), (date(2026, 5, 31), False), (date(2026, 6, 1), False)],
    ids=["yesterday", "today", "tomorrow"],
)
def test_lot_expiry(expiry, fires):
    lot = LotInfo("A123", expiry, NOW - timedelta(hours=1))
    warnings = check_lot(lot, BOTOX, NOW)
    assert codes(warnings) == (["lot_expired"] if fires else [])
    if fires:
        assert "A123 expired on 30 May 2026 (1 day ago)" in warnings[0].message


@pytest.mark.parametrize(
    ("product", "hours", "fires"),
    [
        (BOTOX, 0, False),
        (BOTOX, 24, False),
        (BOTOX, 24 + 1 / 60, True),
        (BOTOX, 48, True),
        (DAXXIFY, 48, False),
        (DAXXIFY, 72, False),
        (DAXXIFY, 72 + 1 / 3600, True),
    ],
)
def test_reconstituted_longer_ago_than_allowed(product, hours, fires):
    lot = LotInfo("A123", date(2027, 1, 1), NOW - timedelta(hours=hours))
    warnings = check_lot(lot, product, NOW)
    assert codes(warnings) == (["reconstitution_expired"] if fires else [])
    if fires:
        (warning,) = warnings
        assert warning.severity == "warning"
        assert f"within {product.in_use_hours} h" in warning.message
        assert warning.source == product.in_use_source


def test_reconstitution_in_the_future_is_a_data_error():
    lot = LotInfo("A123", date(2027, 1, 1), NOW + timedelta(minutes=1))
    (warning,) = check_lot(lot, BOTOX, NOW)
    assert (warning.code, warning.severity) == ("reconstitution_in_future", "warning")
    assert "10:01" in warning.message


def test_reconstitution_now_is_fine():
    assert check_lot(LotInfo("A123", date(2027, 1, 1), NOW), BOTOX, NOW) == []


def test_unrecorded_reconstitution_is_a_caution():
    (warning,) = check_lot(LotInfo("A123", date(2027, 1, 1)), BOTOX, NOW)
    assert (warning.code, warning.severity) == ("reconstitution_unrecorded", "caution")


def test_lot_times_compare_across_time_zones():
    clinic = timezone(timedelta(hours=2))
    now = datetime(2026, 5, 31, 12, 0, tzinfo=clinic)
    made = datetime(2026, 5, 30, 9, 0, tzinfo=UTC)  # 11:00 clinic time, 25 h ago
    (warning,) = check_lot(LotInfo("A123", date(2027, 1, 1), made), BOTOX, now)
    assert "25 h ago (30 May 2026 11:00)" in warning.message


def test_lot_check_needs_an_aware_now():
    with pytest.raises(ValueError, match="^now must be timezone-aware"):
        check_lot(None, BOTOX, datetime(2026, 5, 31, 10))


# Product change


def test_product_changed_since_last_cycle():
    history = [make_past(100, product="dysport"), make_past(86, "top_up")]
    (warning,) = check_product_change(BOTOX, history, TODAY)
    assert (warning.code, warning.severity) == ("product_changed", "warning")
    assert warning.needs_reason
    assert "Dysport" in warning.message
    assert "not interchangeable" in warning.message


@pytest.mark.parametrize(
    "history",
    [[], [make_past(100)], [make_past(100), make_past(86, "top_up", "dysport")]],
    ids=["no-history", "same", "top-up-differs"],
)
def test_product_change_quiet(history):
    assert check_product_change(BOTOX, history, TODAY) == []


# Contraindications


@pytest.mark.parametrize(
    ("flag", "text", "source"),
    [
        ("pregnant", "pregnant", "[S14]"),
        ("breastfeeding", "24–48 h", "[S15]"),
        ("neuromuscular_disease", "neuromuscular", "[S35]"),
        ("aminoglycosides", "aminoglycosides", "[S28]"),
        ("toxin_allergy", "contraindication", "[S35]"),
    ],
)
def test_each_contraindication_flag_warns(flag, text, source):
    (warning,) = check_contraindications(Contraindications(**{flag: True}))
    assert (warning.code, warning.severity) == (flag, "warning")
    assert text in warning.message
    assert source in warning.source


def test_no_contraindications_no_warnings():
    assert check_contraindications(Contraindications()) == []


def test_all_contraindications_in_order():
    flags = Contraindications(True, True, True, True, True)
    assert codes(check_contraindications(flags)) == [
        "pregnant",
        "breastfeeding",
        "neuromuscular_disease",
        "aminoglycosides",
        "toxin_allergy",
    ]


# Dose change against last cycle

FRONTALIS_RIGHT = ("frontalis", "right")


@pytest.mark.parametrize(
    ("units", "change"),
    [(6, None), (6.25, "+56 %"), (2, None), (1.75, "-56 %"), (4, None)],
    ids=["plus-50", "plus-56", "minus-50", "minus-56", "same"],
)
def test_dose_change_beyond_share_needs_a_reason(units, change):
    history = [make_past(90, muscle_units={FRONTALIS_RIGHT: 4})]
    plan = make_plan(make_site(units=units))
    warnings = check_dose_changes(plan, history, TODAY, 0.5)
    if change is None:
        assert warnings == []
        return
    (warning,) = warnings
    assert (warning.code, warning.severity, warning.needs_reason) == (
        "dose_changed",
        "warning",
        True,
    )
    assert (warning.muscle, warning.side) == FRONTALIS_RIGHT
    assert change in warning.message
    assert "more than the clinic's 50 %" in warning.message
    assert warning.source == "Clinic setting"


def test_dose_change_share_comes_from_the_clinic():
    history = [make_past(90, muscle_units={FRONTALIS_RIGHT: 4})]
    assert check_dose_changes(make_plan(make_site(units=5)), history, TODAY, 0.25) == []
    warnings = check_dose_changes(
        make_plan(make_site(units=5.25)), history, TODAY, 0.25
    )
    assert codes(warnings) == ["dose_changed"]


def test_dose_change_counts_last_cycles_top_ups():
    history = [
        make_past(200, muscle_units={FRONTALIS_RIGHT: 40}),
        make_past(186, "top_up", muscle_units={FRONTALIS_RIGHT: 40}),
        make_past(90, muscle_units={FRONTALIS_RIGHT: 4}),
        make_past(76, "top_up", muscle_units={FRONTALIS_RIGHT: 2}),
    ]
    for units, fires in [(6, False), (9, False), (9.25, True), (3, False)]:
        warnings = check_dose_changes(
            make_plan(make_site(units=units)), history, TODAY, 0.5
        )
        assert codes(warnings) == (["dose_changed"] if fires else [])


@pytest.mark.parametrize(
    ("product", "other", "before", "today"),
    [(BOTOX, "dysport", 1, 3), (DYSPORT, "botox", 10, 30)],
    ids=["botox", "dysport"],
)
def test_dose_change_leaves_out_last_cycles_top_up_in_another_product(
    product, other, before, today
):
    history = [
        make_past(100, product=product.code, muscle_units={FRONTALIS_RIGHT: before}),
        make_past(86, "top_up", product=other, muscle_units={("platysma", "left"): 50}),
    ]
    plan = make_plan(make_site(units=today), product=product)
    (warning,) = check_dose_changes(plan, history, TODAY, 0.5)
    assert (warning.code, warning.muscle, warning.side) == (
        "dose_changed",
        *FRONTALIS_RIGHT,
    )
    assert "+200 %" in warning.message


def test_dose_change_never_adds_another_products_top_up():
    history = [
        make_past(100, muscle_units={FRONTALIS_RIGHT: 4}),
        make_past(86, "top_up", "dysport", muscle_units={FRONTALIS_RIGHT: 10}),
    ]
    # 4 U of Botox last cycle; the 10 Dysport units are not 10 more Botox units.
    assert check_dose_changes(make_plan(make_site(units=5)), history, TODAY, 0.5) == []
    warnings = check_dose_changes(make_plan(make_site(units=12)), history, TODAY, 0.5)
    assert codes(warnings) == ["dose_changed"]
    assert "against 4 U last cycle" in warnings[0].message


def test_zero_units_last_cycle_counts_as_not_injected():
    history = [make_past(90, muscle_units={("frontalis", "left"): 0})]
    warnings = check_dose_changes(make_plan(make_site(units=2)), history, TODAY, 0.5)
    assert [(w.code, w.side) for w in warnings] == [("muscle_added", "right")]


def test_added_and_removed_muscles_need_no_reason():
    history = [make_past(90, muscle_units={("frontalis", "left"): 4})]
    warnings = check_dose_changes(make_plan(make_site(units=2)), history, TODAY, 0.5)
    assert [(w.code, w.side, w.needs_reason) for w in warnings] == [
        ("muscle_removed", "left", False),
        ("muscle_added", "right", False),
    ]


@pytest.mark.parametrize(
    ("plan", "history"),
    [
        (make_plan(make_site(units=20)), []),
        (make_plan(), [make_past(90, muscle_units={FRONTALIS_RIGHT: 4})]),
        (
            make_plan(make_site(units=20), kind="top_up"),
            [make_past(14, muscle_units={FRONTALIS_RIGHT: 4})],
        ),
        (
            make_plan(make_site(units=20)),
            [make_past(90, product="dysport", muscle_units={FRONTALIS_RIGHT: 4})],
        ),
        (
            make_plan(make_site(units=20)),
            [
                make_past(90, product="dysport", muscle_units={FRONTALIS_RIGHT: 4}),
                make_past(76, "top_up", muscle_units={FRONTALIS_RIGHT: 4}),
            ],
        ),
    ],
    ids=[
        "no-history",
        "nothing-charted",
        "top-up",
        "other-product",
        "other-product-with-a-top-up-in-todays",
    ],
)
def test_dose_change_not_compared(plan, history):
    assert check_dose_changes(plan, history, TODAY, 0.5) == []


# All checks together


def test_run_all_checks_sorts_by_severity_then_site():
    plan = make_plan(
        make_site(4, "zygomaticus_major", units=1),
        make_site(2, "frontalis", units=5),
        make_site(1, "levator_labii_superioris", units=2),
        lot=LotInfo("A123", date(2027, 1, 1), NOW - timedelta(hours=2)),
    )
    history = [make_past(100, product="dysport")]
    warnings = run_all_checks(
        plan,
        history=history,
        contraindications=Contraindications(pregnant=True),
        rules=RULES,
        now=NOW,
    )
    assert [(w.severity, w.site_number, w.code) for w in warnings] == [
        ("warning", None, "pregnant"),
        ("warning", None, "product_changed"),
        ("warning", 2, "dose_above_point_limit"),
        ("warning", 4, "smile_muscle_affected_side"),
        ("caution", 1, "smile_muscle_affected_side"),
    ]
    assert [w.needs_reason for w in warnings] == [True, True, True, True, False]


def test_run_all_checks_quiet_for_a_routine_session():
    plan = make_plan(
        make_site(1, "orbicularis_oculi_orbital", units=2.5),
        make_site(2, "zygomaticus_major", side="left", role="contralateral", units=1),
        lot=LotInfo("A123", TODAY, NOW - timedelta(hours=24)),
    )
    history = [
        make_past(
            84,
            muscle_units={
                ("orbicularis_oculi_orbital", "right"): 2.5,
                ("zygomaticus_major", "left"): 1,
            },
        )
    ]
    warnings = run_all_checks(
        plan,
        history=history,
        contraindications=Contraindications(),
        rules=RULES,
        now=NOW,
    )
    assert warnings == []


def test_run_all_checks_informs_and_never_blocks():
    plan = make_plan(
        *[make_site(n, "platysma", units=50) for n in range(1, 10)],
        lot=LotInfo("A123", date(2020, 1, 1), NOW + timedelta(days=1)),
    )
    warnings = run_all_checks(
        plan,
        history=[make_past(1, units=400)],
        contraindications=Contraindications(True, True, True, True, True),
        rules=RULES,
        now=NOW,
    )
    assert {
        "cap_exceeded",
        "interval_short",
        "lot_expired",
        "toxin_allergy",
        "dose_above_point_limit",
        "dose_above_site_ceiling",
        "muscle_above_limit",
        "side_above_ceiling",
        "session_above_ceiling",
    } <= set(codes(warnings))
    assert all(w.severity in ("warning", "caution") for w in warnings)
    # Only the allergy is a hard stop; every other warning asks for a reason.
    assert [w.code for w in warnings if w.hard_stop] == ["toxin_allergy"]


def test_run_all_checks_holds_another_product_to_its_own_rules():
    plan = make_plan(make_site(units=50), product=DYSPORT, lot=None)
    warnings = run_all_checks(
        plan,
        history=[],
        contraindications=Contraindications(),
        rules=ClinicRules(doses=shipped_doses("dysport")),
        now=NOW,
    )
    assert codes(warnings) == [
        "dose_above_site_ceiling",
        "lot_missing",
        "muscle_without_limit",
    ]
    assert "U (Speywood)" in warnings[0].message


def test_run_all_checks_refuses_another_products_rules():
    plan = make_plan(make_site(units=2), product=DYSPORT)
    with pytest.raises(ValueError, match="never check another's"):
        run_all_checks(
            plan,
            history=[],
            contraindications=Contraindications(),
            rules=RULES,
            now=NOW,
        )


def test_run_all_checks_needs_an_aware_now():
    with pytest.raises(ValueError, match="^now must be timezone-aware"):
        run_all_checks(
            make_plan(),
            history=[],
            contraindications=Contraindications(),
            rules=RULES,
            now=datetime(2026, 5, 31, 10),
        )


def test_dose_change_speaks_in_the_products_units():
    history = [make_past(90, product="dysport", muscle_units={FRONTALIS_RIGHT: 10})]
    plan = make_plan(make_site(units=20), product=DYSPORT)
    (warning,) = check_dose_changes(plan, history, TODAY, 0.5)
    assert "20 U (Speywood) today against 10 U (Speywood)" in warning.message


def test_numpy_numbers_are_accepted():
    assert volume_ml(np.float64(2.5), np.int64(100), 2.5) == pytest.approx(0.0625)
