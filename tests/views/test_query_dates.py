"""A bad date, month or instrument in a page's URL is a 400 naming it.

At the ends of the calendar these were 500s, and an impossible date (30
February) silently showed this week's diary, or this month's stock, under a
heading that looked like the answer (review rB, RB4).
"""

import pytest

from planner.models import Role


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def injector(login_as):
    return login_as(Role.INJECTOR)


MONTH_REASON = "must be a month as YYYY-MM between 1900-01 and 2999-12"
START_REASON = "must be a date as YYYY-MM-DD between 1900-01-01 and 2999-12-31"


@pytest.mark.parametrize("path", ["/stock/report", "/stock/report.csv"])
@pytest.mark.parametrize(
    "month", ["0001-01", "9999-12", "1899-12", "3000-01", "2026-13", "2026-1", "junk"]
)
def test_a_bad_month_is_refused_naming_it(injector, path, month):
    response = injector.get(f"{path}?month={month}")
    assert response.status_code == 400
    page = text(response)
    assert "month" in page
    assert MONTH_REASON in page


@pytest.mark.parametrize("path", ["/stock/report", "/stock/report.csv"])
@pytest.mark.parametrize("month", ["1900-01", "2999-12", ""])
def test_months_in_range_and_none_are_shown(injector, path, month):
    assert injector.get(f"{path}?month={month}").status_code == 200


@pytest.mark.parametrize(
    "start",
    ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01", "2026-02-30", "2026-2-3"],
)
def test_a_bad_week_start_is_refused_naming_it(injector, start):
    response = injector.get(f"/schedule/week?start={start}")
    assert response.status_code == 400
    page = text(response)
    assert "start" in page
    assert START_REASON in page
    assert "Week of" not in page


def test_the_json_answer_names_the_parameter(injector):
    response = injector.get(
        "/schedule/week?start=2026-02-30", headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "The page's address holds a date it cannot show.",
        "fields": {"start": START_REASON},
    }


@pytest.mark.parametrize("start", ["1900-01-01", "2999-12-31", "2026-02-28", ""])
def test_week_starts_in_range_and_none_are_shown(injector, start):
    response = injector.get(f"/schedule/week?start={start}")
    assert response.status_code == 200
    assert "Week of" in text(response)


def test_an_unknown_instrument_is_refused_naming_the_field(injector, make_patient):
    patient = make_patient()
    response = injector.get(f"/patients/{patient.id}/assessments/new?instrument=nope")
    assert response.status_code == 400
    page = text(response)
    assert "instrument" in page
    assert "must be one of sunnybrook" in page
    assert "Sunnybrook Facial Grading System" not in page
    known = injector.get(f"/patients/{patient.id}/assessments/new?instrument=fdi")
    assert known.status_code == 200


SELF_ENTRY_REASON = (
    "must be one of saq, fdi: the questionnaires patients answer themselves"
)


@pytest.mark.parametrize("instrument", ["nope", "SAQ", "sunnybrook", "eface"])
def test_an_instrument_patients_do_not_answer_is_refused_naming_it(
    injector, make_patient, instrument
):
    """The kiosk's start page used to hand over the SAQ for any unknown value."""
    patient = make_patient()
    response = injector.get(
        f"/patients/{patient.id}/self-entry/new?instrument={instrument}"
    )
    assert response.status_code == 400
    page = text(response)
    assert "<strong>instrument</strong>" in page
    assert SELF_ENTRY_REASON in page
    assert "Hand the tablet" not in page
    as_json = injector.get(
        f"/patients/{patient.id}/self-entry/new?instrument={instrument}",
        headers={"Accept": "application/json"},
    )
    assert as_json.get_json()["fields"] == {"instrument": SELF_ENTRY_REASON}


@pytest.mark.parametrize(("query", "chosen"), [("", "saq"), ("?instrument=fdi", "fdi")])
def test_a_missing_instrument_keeps_the_saq_and_a_known_one_is_chosen(
    injector, make_patient, query, chosen
):
    patient = make_patient()
    response = injector.get(f"/patients/{patient.id}/self-entry/new{query}")
    assert response.status_code == 200
    assert f'value="{chosen}" checked' in text(response)
