"""Review rP, P4: how long the effect lasts is said per product, never Botox's for all.

Clinical reference §3 sources "about 3 months (label); 3–4 months" to the
onabotulinumtoxinA label [S20] [S36] and an NHS leaflet on Botox [S16]. No
source gives Dysport or Xeomin a duration, and Daxxify's only figure is a clinic
blog's marketing copy [S27c]. So the handout states 3 to 4 months as a fact for
Botox only; for the others it is the clinic's advice, and Daxxify's handout
gives no number. The shipped consent form, which names no product, says the 3
to 4 months are Botox's.
"""

import pytest

from planner.consent import DEFAULT_FORMS
from planner.consent import ConsentKind
from planner.consent import form_blocks
from tests.services.test_handout_print import CLINIC_LABEL
from tests.services.test_handout_print import handout_for
from tests.services.test_handout_print import injector  # noqa: F401
from tests.services.test_handout_print import plan  # noqa: F401
from tests.services.test_reports import page_texts

SOURCED = "It slowly wears off over 3 to 4 months."
ESTIMATE = CLINIC_LABEL + "We expect it to wear off slowly over 3 to 4 months."
LONGER = (
    CLINIC_LABEL + "It may last longer than other types. We will check with you "
    "how long it lasts."
)
# Each product's form, a platysma dose in its own units, and what it says.
PRODUCTS = {
    "botox": ({}, 3, SOURCED),
    "dysport": ({"product": "dysport", "vial_units": 300}, 7.5, ESTIMATE),
    "xeomin": ({"product": "xeomin", "vial_units": 100}, 3, ESTIMATE),
    "daxxify": (
        {"product": "daxxify", "vial_units": 100, "diluent_ml": 1.25},
        6,
        LONGER,
    ),
}


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_the_handout_says_how_long_it_lasts_for_its_own_product(
    app,
    session,
    plan,  # noqa: F811
    product,
):
    form, units, says = PRODUCTS[product]
    sites = [("platysma", "left", units), ("mentalis", "left", units / 2)]
    handout, _, pdf = handout_for(app, session, plan(sites, **form))
    assert handout.product.lower() == product
    flat = " ".join(page_texts(pdf))
    after = flat[flat.index("After your injections") : flat.index("At first")]
    assert "It starts to work in 2 to 3 days." in after
    assert says in after
    assert flat.count(says) == 1
    if product == "botox":
        assert CLINIC_LABEL + SOURCED not in flat
    if product == "daxxify":
        assert "month" not in flat
    else:
        assert flat.count("3 to 4 months") == 1


def test_the_consent_form_gives_no_one_products_duration():
    blocks = form_blocks(DEFAULT_FORMS[ConsentKind.TREATMENT].body)
    heading = next(
        index
        for index, block in enumerate(blocks)
        if block.text == "The effect is temporary"
    )
    temporary = blocks[heading + 1].text
    assert "How long it lasts depends on the medicine" in temporary
    assert "we will tell you what we expect with yours" in temporary
    assert "3 to 4 months" not in temporary
