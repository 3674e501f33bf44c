"""A vial's strength reads the same on the chart, its dilution tables and the record.

125 U (Speywood) of Azzalure in 0.63 mL is 19.84… U per 0.1 mL [S24]: shown to
0.01 U everywhere, as the dilution check words it, never to six
figures ("19.8413") that no syringe measures.
"""

import re

import pytest

from planner.models import Role
from tests.browser_steps import VIAL_FORM


@pytest.fixture
def chair(login_as, make_patient):
    return login_as(Role.INJECTOR), make_patient()


@pytest.mark.parametrize(
    ("vial", "strength"),
    [
        (
            {"product": "dysport", "brand": "Azzalure", "vial_units": "125"}
            | {"diluent_ml": "0.63"},
            "19.84 U (Speywood) per 0.1 mL",
        ),
        (
            {"product": "dysport", "vial_units": "300", "diluent_ml": "1.5"},
            "20 U (Speywood) per 0.1 mL",
        ),
        (
            {"product": "botox", "vial_units": "100", "diluent_ml": "3"},
            "3.33 U per 0.1 mL",
        ),
        (
            {"product": "botox", "vial_units": "100", "diluent_ml": "2.5"},
            "4 U per 0.1 mL",
        ),
    ],
)
def test_the_chart_shows_the_strength_to_a_hundredth_of_a_unit(chair, vial, strength):
    browser, patient = chair
    opened = browser.post_form(
        f"/patients/{patient.id}/sessions",
        {**VIAL_FORM, "lot_number": "STR1", "dilution_confirmed": "on", **vial},
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)[:800]
    page = browser.get(opened.headers["Location"]).get_data(as_text=True)
    shown = re.search(r"<strong>([^<]*per 0\.1 mL)</strong>", page)
    assert shown is not None
    assert shown[1] == strength


def test_the_dilution_tables_show_the_azzalure_row_to_a_hundredth(chair):
    browser, patient = chair
    page = browser.get(f"/patients/{patient.id}/sessions/new").get_data(as_text=True)
    assert "125 U (Speywood) in 0.63 mL: 19.84 U (Speywood) per 0.1 mL" in page
    assert "19.8413" not in page
