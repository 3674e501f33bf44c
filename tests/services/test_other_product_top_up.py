"""A top-up in another product is shown as given but never counted as this cycle's.

Its units belong to its own product: the cycles page's cards, ledger, dose
matrices, shading and muscle view, and the printed comparison, show it apart in
its own units; the dose-change check, the chart's changes panel and signing leave
it out of the cycle they compare with today. In Botox and in Dysport.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.reports.comparison import comparison_report
from planner.services import sessions as session_service
from planner.services.chart_state import chart_state
from planner.services.cycle_records import read_cycles
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import ensure_consent
from tests.factories import make_treatment
from tests.services.test_comparison_report import document_for
from tests.services.test_comparison_report import page_texts

DAY0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# (product, vial units, mentalis dose last cycle); the other product's top-up.
PAIRS = [(("botox", 100, 1.0), "dysport"), (("dysport", 300, 5.0), "botox")]
VIALS = {"botox": 100, "dysport": 300}
BRANDS = {"botox": "Botox", "dysport": "Dysport"}
# Each product's units, as the pages write them.
UNITS = {"botox": "U", "dysport": "U (Speywood)"}
# (cycle's product, its full and same-product top-up doses), other product, its dose.
MIXED = [(("botox", 4, 1), "dysport", 10), (("dysport", 10, 5), "botox", 4)]
EACH_PAIR = pytest.mark.parametrize(("today", "other"), PAIRS, ids=["botox", "dysport"])
EACH_MIXED = pytest.mark.parametrize(
    ("cycle", "other", "other_dose"), MIXED, ids=["botox", "dysport"]
)


def treat(session, injector, patient, sites, when, product, **form):
    return make_treatment(
        session,
        injector,
        patient.id,
        sites,
        when=when,
        product=product,
        vial_units=VIALS[product],
        lot_number=f"{product[:1].upper()}{when.day}",
        **form,
    )


def signed_cycle(session, injector, patient, product, sites, top_ups):
    """Sign a full treatment of ``sites`` on day 0, then each top-up, given as
    (day, product, sites)."""
    treat(session, injector, patient, sites, DAY0, product, sign=True)
    for day, given, top_up in top_ups:
        when = DAY0 + timedelta(days=day)
        treat(session, injector, patient, top_up, when, given, sign=True, kind="top_up")


@EACH_PAIR
def test_a_dose_change_is_checked_past_another_products_top_up(
    session, injector, make_patient, today, other
):
    product, _, dose = today
    patient = make_patient(affected_side="left")
    # The other product's top-up has mentalis too: its units are never added.
    other_sites = [("platysma", "right", 5), ("mentalis", "left", 8)]
    signed_cycle(
        session,
        injector,
        patient,
        product,
        [("mentalis", "left", dose)],
        [(15, other, other_sites)],
    )
    later = DAY0 + timedelta(days=100)
    draft = treat(
        session, injector, patient, [("mentalis", "left", 3 * dose)], later, product
    )

    state = chart_state(session, draft.id, face_map=FACE_MAP, zone=ZONE, now=later)
    (changed,) = [w for w in state.warnings if w.code == "dose_changed"]
    assert (changed.muscle, changed.side, changed.needs_reason) == (
        "mentalis",
        "left",
        True,
    )
    assert "+200 %" in changed.message
    assert "product_changed" not in [w.code for w in state.warnings]
    # The changes panel: the same product's doses alone, the other's never added.
    assert [(c.muscle, c.side, c.before, c.after) for c in state.changes] == [
        ("mentalis", "left", dose, 3 * dose)
    ]
    assert state.as_json()["changes"] == [
        {"muscle": "mentalis", "side": "left", "before": dose, "after": 3 * dose}
    ]

    # Signing runs the check again: the dose change needs its reason.
    reasons = {w.key: "Agreed" for w in state.warnings if w.code != "dose_changed"}
    ensure_consent(session, injector, draft.id, when=later)
    form = {"version": draft.version, "consent_obtained": True, "reasons": reasons}
    with pytest.raises(InvalidInput) as info:
        session_service.sign_session(
            session, injector, draft.id, form, zone=ZONE, now=later
        )
    assert f"reasons.{changed.key}" in info.value.fields
    reasons[changed.key] = "Chin still dimpling"
    signed = session_service.sign_session(
        session, injector, draft.id, form, zone=ZONE, now=later
    )
    kept = {w["code"]: w for w in signed.warnings}
    assert kept["dose_changed"]["reason"] == "Chin still dimpling"


def mixed_cycle(session, injector, patient, cycle, other, other_dose):
    """Full treatment on day 0, a same-product top-up on day 14 and another
    product's top-up on day 15, all into the left mentalis."""
    product, full, top_up = cycle
    signed_cycle(
        session,
        injector,
        patient,
        product,
        [("mentalis", "left", full)],
        [
            (14, product, [("mentalis", "left", top_up)]),
            (15, other, [("mentalis", "left", other_dose)]),
        ],
    )


@EACH_MIXED
def test_another_products_top_up_is_kept_out_of_the_cycles_doses(
    session, injector, make_patient, cycle, other, other_dose
):
    product, full, top_up = cycle
    patient = make_patient(affected_side="left")
    mixed_cycle(session, injector, patient, cycle, other, other_dose)

    records = read_cycles(session, patient.id, ZONE)
    (only,) = records.cycles
    assert (only.product_code, only.full_units, only.top_up_units) == (
        product,
        full,
        top_up,
    )
    assert [(s.units, s.top_up) for s in only.sites] == [(full, False), (top_up, True)]
    assert records.top_up_days[1] == [(DAY0 + timedelta(days=14)).date()]
    assert [
        (t.given_on, t.product_code, t.brand, t.units) for t in records.other_top_ups[1]
    ] == [((DAY0 + timedelta(days=15)).date(), other, BRANDS[other], other_dose)]

    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (card,) = overview.cards
    shown = f"+{other_dose:g} {UNITS[other]} {BRANDS[other]} top-up"
    unit = UNITS[product]
    assert card.dose_text == f"{full:g} {unit} + {top_up:g} {unit} top-up"
    assert card.other_top_ups == (shown,)
    (matrix,) = overview.matrices
    (row,) = matrix.rows
    (cell,) = row.cells
    assert (cell.units, cell.top_up, cell.text) == (
        full + top_up,
        top_up,
        f"{full:g} + {top_up:g}",
    )
    assert matrix.totals == [f"{full:g} + {top_up:g}"]
    assert [key.product for key in overview.heat_keys] == [BRANDS[product]]
    assert overview.heat_keys[0].top == f"{full + top_up:g} {unit}"
    (ledger,) = overview.ledger
    assert (ledger.units, ledger.top_up, ledger.other_top_ups) == (
        f"{full:g} {unit}",
        f"+{top_up:g} {unit} top-up",
        (shown,),
    )
    chosen = cycles_overview(
        session,
        patient.id,
        face_map=FACE_MAP,
        zone=ZONE,
        muscle=("mentalis", "left"),
    ).muscle
    assert chosen is not None
    (block,) = chosen.blocks
    assert block.product == BRANDS[product]
    assert [(r.units, r.top_up) for r in block.rows] == [(f"{full:g}", f"{top_up:g}")]


@EACH_MIXED
def test_a_cycle_with_only_another_products_top_up_has_none_of_its_own(
    session, injector, make_patient, cycle, other, other_dose
):
    product, full, _ = cycle
    patient = make_patient(affected_side="left")
    signed_cycle(
        session,
        injector,
        patient,
        product,
        [("mentalis", "left", full)],
        [(15, other, [("platysma", "left", other_dose)])],
    )
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (card,) = overview.cards
    assert (card.dose_text, card.top_up_units) == (f"{full:g} {UNITS[product]}", 0)
    assert [(s.muscle, s.top_up) for s in card.sites] == [("mentalis", False)]
    assert [row.muscle for m in overview.matrices for row in m.rows] == ["mentalis"]
    assert overview.muscles == [("mentalis:left", "Mentalis, left")]
    (ledger,) = overview.ledger
    assert ledger.top_up == ""
    assert ledger.other_top_ups == (
        f"+{other_dose:g} {UNITS[other]} {BRANDS[other]} top-up",
    )


@EACH_MIXED
def test_the_printed_comparison_names_another_products_top_up_apart(
    app, session, injector, make_patient, cycle, other, other_dose
):
    product, full, top_up = cycle
    unit = UNITS[product]
    patient = make_patient(affected_side="left")
    mixed_cycle(session, injector, patient, cycle, other, other_dose)

    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    _, document = document_for(app, report)
    # A narrow ledger cell may break "top-up" at its hyphen.
    flat = " ".join(page_texts(document.write_pdf())).replace("- ", "-")
    shown = f"+{other_dose:g} {UNITS[other]} {BRANDS[other]} top-up"
    assert f"▲ {shown}" in flat
    assert f"{shown}: another product, not counted" in flat
    assert "A top-up in another product is named with its own units" in flat
    assert f"{full:g} {unit} + {top_up:g} {unit} top-up" in flat
    # The dose matrix's cell and total: the cycle's own product alone.
    assert f"Mentalis {full:g} + {top_up:g} All muscles {full:g} + {top_up:g}" in flat
