""" "4 + 1" is explained in the product's own units, or in none.

The dose tables' hint read "4 U at the treatment and a 1 U top-up" for every
patient. A Dysport-only history is in U (Speywood), so its hint says so; beside
two products' tables the hint names no product's unit at all, and points at
each table's own. The cycles page and the printed comparison (read back with
pdftotext) say the same.
"""

import pytest
from lxml import html as lxml_html

from planner.models import Role
from planner.unit_words import top_up_example
from tests.services.test_comparison_report import page_texts
from tests.services.test_comparison_report import save_pages
from tests.views.test_doses_by_product import ONE_PRODUCT
from tests.views.test_doses_by_product import SWITCHES
from tests.views.test_doses_by_product import sign_cycles

SEVERAL = (
    "“4 + 1” is 4 units at the treatment and a 1-unit top-up,"
    " in that table’s product’s units."
)
PLANS = {
    "botox": (
        ONE_PRODUCT["botox"],
        "“4 + 1” is 4 U at the treatment and a 1 U top-up.",
    ),
    "dysport": (
        ONE_PRODUCT["dysport"],
        "“4 + 1” is 4 U (Speywood) at the treatment and a 1 U (Speywood) top-up.",
    ),
    "botox-dysport": (SWITCHES["botox-dysport-botox"], SEVERAL),
}
EACH_PLAN = pytest.mark.parametrize(("plan", "hint"), PLANS.values(), ids=PLANS.keys())


def test_the_example_is_in_one_products_units_or_in_none():
    assert top_up_example(["U (Speywood)"]) == (
        "“4 + 1” is 4 U (Speywood) at the treatment and a 1 U (Speywood) top-up"
    )
    # Botox and Xeomin both say "U", and still do not share a unit.
    assert "U " not in top_up_example(["U", "U"])
    assert top_up_example(["U", "U (Speywood)"]) == SEVERAL.removesuffix(".")


@EACH_PLAN
def test_the_cycles_page_explains_a_top_up_in_the_shown_units(
    session, injector, make_patient, login_as, plan, hint
):
    patient = make_patient(affected_side="left")
    sign_cycles(session, injector, patient, plan)
    page = login_as(Role.STAFF).get(f"/patients/{patient.id}/cycles")
    tree = lxml_html.fromstring(page.get_data(as_text=True))
    (section,) = tree.xpath('//section[@aria-labelledby="doses-title"]')
    (note,) = section.xpath('./p[@class="hint"]')
    text = " ".join(note.text_content().split())
    assert text.startswith(f"Units per muscle in each cycle; {hint}")


@EACH_PLAN
def test_the_printed_comparison_explains_a_top_up_in_the_shown_units(
    session, injector, make_patient, login_as, plan, hint
):
    patient = make_patient(affected_side="left")
    sign_cycles(session, injector, patient, plan)
    pdf = login_as(Role.STAFF).get(f"/patients/{patient.id}/comparison.pdf").data
    products = "-".join(dict.fromkeys(product for product, _ in plan))
    save_pages(pdf, f"comparison-top-up-hint-{products}")
    flat = " ".join(" ".join(page_texts(pdf)).split())
    assert f"Units per muscle; {hint}" in flat
    if len({product for product, _ in plan}) > 1:
        assert "4 U at" not in flat
