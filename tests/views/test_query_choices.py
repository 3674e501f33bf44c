"""A page number, cycle, muscle or clinician in a page's URL is read or refused.

Each was quietly read as "none chosen" when it was not one: ``?page=abc``
showed the first page, ``?cycle=abc`` every cycle (on the cycles page, its
print and the photo comparison), ``?muscle=nope:left`` no muscle, and
``?clinician=abc`` every clinician's patients, each under a heading that
looked like the answer. Now each is a 400 naming the parameter and what it
must be; an absent or empty one keeps the page's default.
"""

from datetime import timedelta

import pytest

from planner.models import Role
from tests.factories import make_treatment
from tests.services.test_unlisted_product import DAY0

PAGE_REASON = "must be a page number: a whole number from 1 to 999999999"
CYCLE_REASON = "must be a cycle number: a whole number from 1 to 999"
MUSCLE_REASON = (
    "must be a muscle and its side, as muscle:left or muscle:right or muscle:midline"
)
CLINICIAN_REASON = "must be a clinician number, as the list on the page links it"


def refused(response, name, reason):
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"<strong>{name}</strong>: {reason}" in page


@pytest.fixture
def reader(login_as):
    return login_as(Role.INJECTOR)


@pytest.fixture
def treated(session, injector, make_patient):
    """A patient with a Botox cycle and a Dysport cycle."""
    patient = make_patient()
    for days, product, units in ((0, "botox", 100), (100, "dysport", 300)):
        make_treatment(
            session,
            injector,
            patient.id,
            [("mentalis", "left", 2 if product == "botox" else 6)],
            when=DAY0 + timedelta(days=days),
            sign=True,
            product=product,
            vial_units=units,
        )
    return patient


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²", "1e3", "1" * 10])
def test_a_page_number_that_is_not_one_is_refused(reader, page):
    refused(reader.get(f"/patients/?page={page}"), "page", PAGE_REASON)


@pytest.mark.parametrize("query", ["", "?page=", "?page=1", "?page=2"])
def test_a_page_number_or_none_is_shown(reader, query):
    assert reader.get(f"/patients/{query}").status_code == 200


CYCLE_PAGES = [
    "/patients/{}/cycles",
    "/patients/{}/comparison.pdf",
    "/patients/{}/photos/compare",
]


@pytest.mark.parametrize("path", CYCLE_PAGES)
@pytest.mark.parametrize("cycle", ["abc", "0", "-1", "1.5", "1000"])
def test_a_cycle_that_is_not_a_number_is_refused(reader, treated, path, cycle):
    response = reader.get(path.format(treated.id) + f"?cycle=1&cycle={cycle}")
    refused(response, "cycle", CYCLE_REASON)


@pytest.mark.parametrize("path", CYCLE_PAGES)
def test_cycles_chosen_or_none_are_shown(reader, treated, path):
    for query in ("", "?cycle=1&cycle=2", "?cycle=2"):
        assert reader.get(path.format(treated.id) + query).status_code == 200


@pytest.mark.parametrize(
    ("muscle", "reason"),
    [
        ("nope:left", "names no muscle of the face map"),
        ("mentalis:up", MUSCLE_REASON),
        ("mentalis", MUSCLE_REASON),
    ],
)
def test_a_muscle_the_face_map_does_not_have_is_refused(
    reader, treated, muscle, reason
):
    refused(
        reader.get(f"/patients/{treated.id}/cycles?muscle={muscle}"), "muscle", reason
    )


@pytest.mark.parametrize("query", ["", "?muscle=", "?muscle=mentalis:left"])
def test_a_muscle_or_none_is_shown(reader, treated, query):
    response = reader.get(f"/patients/{treated.id}/cycles{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/schedule/", "/schedule/week"])
@pytest.mark.parametrize("clinician", ["abc", "0x1", "-1", "²"])
def test_a_clinician_that_is_not_a_number_is_refused(reader, path, clinician):
    refused(reader.get(f"{path}?clinician={clinician}"), "clinician", CLINICIAN_REASON)


@pytest.mark.parametrize("path", ["/schedule/", "/schedule/week"])
def test_a_clinician_or_none_is_shown(reader, injector, path):
    for query in ("", "?clinician=", f"?clinician={injector.user_id}"):
        assert reader.get(f"{path}{query}").status_code == 200
