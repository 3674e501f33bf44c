"""Each cycle's heading in the photo album names the product it was given in.

A review photo follows the toxin given in its cycle, and units of two products
never compare (reference §2.1): a patient switched from Botox to Dysport sees
which cycle was which, as the compare page already says (review rF, RF3).
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from tests.factories import make_treatment

FIRST = datetime(2026, 3, 2, 10, tzinfo=UTC)
FORMS = {
    "botox": ({"product": "botox", "vial_units": 100}, "Botox"),
    "dysport": (
        {"product": "dysport", "vial_units": 300, "diluent_ml": 1.5},
        "Dysport",
    ),
    "xeomin": ({"product": "xeomin", "vial_units": 100}, "Xeomin"),
}


def headings(page: str) -> list[str]:
    found = re.findall(r'<h2 id="cycle-\d+">(.*?)</h2>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", h)).strip() for h in found]


@pytest.mark.parametrize(
    "products", [("botox", "dysport"), ("dysport", "xeomin")], ids="->".join
)
def test_each_cycle_heading_names_its_product(
    session, login_as, make_patient, injector, products
):
    browser = login_as(Role.INJECTOR)
    patient = make_patient(affected_side="left")
    for index, code in enumerate(products):
        form, _ = FORMS[code]
        make_treatment(
            session,
            injector,
            patient.id,
            [("mentalis", "left", 4 if code != "dysport" else 10)],
            when=FIRST + timedelta(weeks=14 * index),
            sign=True,
            lot_number=f"LOT{index}",
            **form,
        )
    page = browser.get(f"/patients/{patient.id}/photos").get_data(as_text=True)
    first, second = (FORMS[code][1] for code in products)
    # Newest first.
    assert headings(page) == [
        f"Cycle 2 · {second} · treated 8 Jun 2026",
        f"Cycle 1 · {first} · treated 2 Mar 2026",
    ]
