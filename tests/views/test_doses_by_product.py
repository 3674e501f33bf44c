""" "Doses by muscle" never sets two products' units side by side (review rW, W4).

Units of two products do not compare (clinical reference §2.1): on the cycles
page and in the printed comparison, a history that changed product gets one
block of tables per product, each in its own unit, on its own shading scale
with its own darkest shade named, totals of that product alone, and a marked
"Product changed: not comparable" break. Botox -> Dysport -> Botox and
Dysport -> Xeomin; a one-product history is laid out as before. The JSON API
keeps one matrix per side, each column named with its product and unit.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from lxml import html as lxml_html

from planner.models import Role
from planner.reports.comparison import comparison_report
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_comparison_report import page_texts
from tests.services.test_comparison_report import save_pages

DAY0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
VIALS = {"botox": 100, "dysport": 300, "xeomin": 100}
BRANDS = {"botox": "Botox", "dysport": "Dysport", "xeomin": "Xeomin"}
UNITS = {"botox": "U", "dysport": "U (Speywood)", "xeomin": "U"}
# Each cycle's product and its (muscle, side, units); the platysma is in one
# product only, so it has no row in the other product's tables.
SWITCHES = {
    "botox-dysport-botox": [
        ("botox", [("mentalis", "left", 4), ("orbicularis_oculi_orbital", "left", 4)]),
        (
            "dysport",
            [
                ("mentalis", "left", 15),
                ("orbicularis_oculi_orbital", "left", 15),
                ("platysma", "right", 7.5),
            ],
        ),
        ("botox", [("mentalis", "left", 4), ("orbicularis_oculi_orbital", "left", 3)]),
    ],
    "dysport-xeomin": [
        ("dysport", [("mentalis", "left", 20), ("platysma", "right", 10)]),
        ("xeomin", [("mentalis", "left", 5)]),
    ],
}
ONE_PRODUCT = {
    "botox": [
        ("botox", [("mentalis", "left", 2), ("platysma", "left", 5)]),
        ("botox", [("mentalis", "left", 4), ("platysma", "left", 5)]),
    ],
    "dysport": [
        ("dysport", [("mentalis", "left", 10)]),
        ("dysport", [("mentalis", "left", 20)]),
    ],
}
EACH_SWITCH = pytest.mark.parametrize("plan", SWITCHES.values(), ids=SWITCHES.keys())


def sign_cycles(session, injector, patient, plan):
    for number, (product, sites) in enumerate(plan):
        make_treatment(
            session,
            injector,
            patient.id,
            sites,
            when=DAY0 + timedelta(weeks=13 * number),
            sign=True,
            product=product,
            vial_units=VIALS[product],
            lot_number=f"{product[:1].upper()}{number}00",
        )


def expected_blocks(plan):
    """Each product (order of first use): its cycles and its largest dose."""
    found: dict[str, tuple[list[int], float]] = {}
    for number, (product, sites) in enumerate(plan, start=1):
        cycles, top = found.get(product, ([], 0.0))
        found[product] = ([*cycles, number], max(top, *(u for *_, u in sites)))
    return found


@EACH_SWITCH
def test_each_product_gets_its_own_tables_unit_shading_and_totals(
    session, injector, make_patient, plan
):
    patient = make_patient(affected_side="left")
    sign_cycles(session, injector, patient, plan)
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    expected = expected_blocks(plan)
    blocks = overview.dose_blocks
    assert [(b.product, b.unit, list(b.cycles)) for b in blocks] == [
        (BRANDS[code], UNITS[code], cycles) for code, (cycles, _) in expected.items()
    ]
    for block, (code, (cycles, top)) in zip(blocks, expected.items(), strict=True):
        assert block.mixed
        assert block.key.top == f"{top:g} {UNITS[code]}"
        for table in block.tables:
            # Only this product's cycles: nothing to read across a change.
            assert set(table.products) == {BRANDS[code]}
            assert list(table.cycles) == cycles
            assert table.unit == UNITS[code]
            # Each total is its own cycle's, this side, this product.
            given = {
                n: sum(
                    u
                    for muscle, side, u in plan[n - 1][1]
                    if side == table.side and muscle in {r.muscle for r in table.rows}
                )
                for n in cycles
            }
            assert table.totals == [f"{given[n]:g}" for n in cycles]
            # A muscle only another product reached has no empty row here.
            treated = {
                muscle
                for n in cycles
                for muscle, side, _ in plan[n - 1][1]
                if side == table.side
            }
            assert {row.muscle for row in table.rows} == treated
    assert any(
        "platysma" not in {r.muscle for t in b.tables for r in t.rows} for b in blocks
    )


@EACH_SWITCH
def test_the_cycles_page_marks_the_product_change_and_never_mixes_a_table(
    session, injector, make_patient, login_as, plan
):
    patient = make_patient(affected_side="left")
    sign_cycles(session, injector, patient, plan)
    expected = expected_blocks(plan)
    page = login_as(Role.STAFF).get(f"/patients/{patient.id}/cycles")
    tree = lxml_html.fromstring(page.get_data(as_text=True))
    (section,) = tree.xpath('//section[@aria-labelledby="doses-title"]')
    blocks = section.xpath('.//div[@class="dose-block"]')
    assert len(blocks) == len(expected)
    for index, (block, (code, (cycles, top))) in enumerate(
        zip(blocks, expected.items(), strict=True)
    ):
        brand, unit = BRANDS[code], UNITS[code]
        text = " ".join(block.text_content().split())
        breaks = block.xpath('.//p[@class="product-break"]')
        assert len(breaks) == (0 if index == 0 else 1)
        if breaks:
            assert (
                breaks[0].text_content().startswith("Product changed: not comparable.")
            )
        assert f"Darkest shade: {top:g} {unit}, the largest {brand} dose here." in text
        for table in block.xpath('.//table[@class="matrix"]'):
            heads = table.xpath(".//thead/tr/th")[1:]
            assert [h.text for h in heads] == [f"Cycle {n}" for n in cycles]
            labels = {h.xpath('./span[@class="product"]')[0].text for h in heads}
            assert labels == {f"{brand} · {unit}"}
            (total,) = table.xpath(".//tfoot/tr/th")
            assert total.text_content() == f"Total, in {unit}"
    # No legend runs two products' scales together.
    assert not section.xpath('.//span[@class="heat-key"]')


@EACH_SWITCH
def test_the_printed_comparison_splits_the_doses_by_product(
    app, session, injector, make_patient, login_as, plan
):
    patient = make_patient(affected_side="left")
    sign_cycles(session, injector, patient, plan)
    expected = expected_blocks(plan)
    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    for part in report.matrices:
        assert part.block is not None
        assert set(part.products) == {part.block.product}
    assert [p.new_product for p in report.matrices].count(True) == len(expected) - 1

    pdf = login_as(Role.STAFF).get(f"/patients/{patient.id}/comparison.pdf").data
    save_pages(pdf, f"comparison-doses-{'-'.join(expected)}")
    flat = " ".join(" ".join(page_texts(pdf)).split())
    assert flat.count("Product changed: not comparable.") == len(expected) - 1
    for code, (_, top) in expected.items():
        brand, unit = BRANDS[code], UNITS[code]
        assert f"Left side · {brand}, in {unit} · darkest {top:g} {unit}" in flat
        assert f"All muscles, in {unit}" in flat
    # The old single row across products ("Mentalis 4 15 4") is gone.
    across = " ".join(
        f"{u:g}" for _, sites in plan for m, _, u in sites if m == "mentalis"
    )
    assert f"Mentalis {across}" not in flat


@EACH_SWITCH
def test_the_json_names_each_columns_product_and_unit_and_adds_nothing_up(
    session, injector, make_patient, login_as, plan
):
    patient = make_patient(affected_side="left")
    sign_cycles(session, injector, patient, plan)
    data = login_as(Role.STAFF).api("GET", f"/api/v1/patients/{patient.id}/cycles")
    for matrix in data.json["matrices"]:
        assert matrix["products"] == [product for product, _ in plan]
        assert matrix["unit_names"] == [UNITS[product] for product, _ in plan]
        assert "totals" not in matrix


@pytest.mark.parametrize("plan", ONE_PRODUCT.values(), ids=ONE_PRODUCT.keys())
def test_a_one_product_history_keeps_its_tables_as_they_were(
    session, injector, make_patient, login_as, plan
):
    patient = make_patient(affected_side="left")
    sign_cycles(session, injector, patient, plan)
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (block,) = overview.dose_blocks
    assert not block.mixed
    assert block.tables == overview.matrices
    html = login_as(Role.STAFF).get(f"/patients/{patient.id}/cycles")
    text = html.get_data(as_text=True)
    assert "not comparable" not in text
    assert 'class="dose-block"' not in text
    (key,) = overview.heat_keys
    assert f'<span class="heat-key">{key.product}: darkest {key.top}</span>' in text
    assert '<tr><th scope="row">Total</th>' in text
    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    assert all(p.block is None and not p.new_product for p in report.matrices)
