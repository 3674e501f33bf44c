"""A photo's timepoint must agree with its cycle's treatment dates (review rF, RF6).

Cycle 1 is treated on 2 Mar 2026 and cycle 2 on 8 Jun 2026, in two products
(Botox then Dysport, and the other way round). Days are the clinic's (London):
23:30 UTC on 7 Jun is already 8 Jun there.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models.photos import Photo
from planner.services.audit import Actor
from planner.services.photos import add_photo
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.photo_images import face_jpeg
from tests.views.test_photos_pages import consent
from tests.views.test_photos_pages import upload

FIRST = datetime(2026, 3, 2, 10, tzinfo=UTC)
SECOND = datetime(2026, 6, 8, 10, tzinfo=UTC)
PRODUCTS = {
    "botox": {"product": "botox"},
    "dysport": {"product": "dysport", "vial_units": 300, "diluent_ml": 1.5},
}
DEC_7 = datetime(2026, 12, 7, 11, tzinfo=UTC)
# 00:30 on 8 Jun in London: cycle 2's treatment day, though 7 Jun in UTC.
JUN_8_LOCAL = datetime(2026, 6, 7, 23, 30, tzinfo=UTC)
# 00:30 on 9 Jun in London: the day after cycle 2's treatment.
JUN_9_LOCAL = datetime(2026, 6, 8, 23, 30, tzinfo=UTC)

# (clock, cycle index, timepoint, refusal naming the dates or None if accepted)
CASES = [
    (DEC_7, 0, "pre_treatment", "after cycle 1's treatment on 2 Mar 2026"),
    (DEC_7, 1, "pre_treatment", "after cycle 2's treatment on 8 Jun 2026"),
    (DEC_7, 0, "review", "after cycle 2's treatment on 8 Jun 2026"),
    (DEC_7, 1, "review", None),
    (DEC_7, 0, "other", None),
    (JUN_8_LOCAL, 1, "pre_treatment", None),
    (JUN_8_LOCAL, 1, "review", None),
    (JUN_9_LOCAL, 1, "pre_treatment", "dated 9 Jun 2026, after cycle 2's"),
    (JUN_9_LOCAL, 0, "review", "after cycle 2's treatment on 8 Jun 2026"),
    (FIRST - timedelta(days=1), 0, "review", "before cycle 1's treatment"),
    (FIRST, 0, "pre_treatment", None),
    (FIRST, 0, "review", None),
]


@pytest.fixture(params=[("botox", "dysport"), ("dysport", "botox")], ids="->".join)
def two_cycles(request, session, login_as, make_patient):
    browser = login_as(Role.INJECTOR)
    user = session.exec(
        select(AuditEvent.actor_id).where(AuditEvent.action == AuditAction.LOGIN)
    ).first()
    actor = Actor(user, "injector")
    patient = make_patient(affected_side="left")
    first, second = request.param
    cycles = [
        make_treatment(session, actor, patient.id, when=when, **PRODUCTS[product]).id
        for when, product in ((FIRST, first), (SECOND, second))
    ]
    consent(browser, patient.id)
    return browser, actor, patient, cycles


@pytest.mark.parametrize(("clock", "index", "timepoint", "refusal"), CASES)
def test_upload_refuses_a_timepoint_its_date_contradicts(
    two_cycles, session, monkeypatch, clock, index, timepoint, refusal
):
    browser, _actor, _patient, cycles = two_cycles
    monkeypatch.setattr("planner.views.photos.utc_now", lambda: clock)
    response = upload(browser, cycles[index], face_jpeg(), timepoint=timepoint)
    saved = session.exec(select(Photo)).all()
    if refusal is None:
        assert response.status_code == 302
        assert len(saved) == 1
        return
    assert response.status_code == 400
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert "timepoint" in page.lower()
    assert refusal in page
    assert saved == []
    capture = browser.get(
        f"/sessions/{cycles[index]}/photos/capture?timepoint={timepoint}"
    )
    assert capture.status_code == 400
    assert refusal in capture.get_data(as_text=True).replace("&#39;", "'")


@pytest.mark.parametrize(("clock", "index", "timepoint", "refusal"), CASES)
def test_service_names_the_timepoint(
    two_cycles, session, clock, index, timepoint, refusal
):
    _browser, actor, _patient, cycles = two_cycles

    def take():
        return add_photo(
            session,
            actor,
            cycles[index],
            view_code="rest",
            timepoint=timepoint,
            data=face_jpeg(),
            now=clock,
            zone=ZONE,
        )

    if refusal is None:
        assert take().timepoint == timepoint
        return
    with pytest.raises(InvalidInput, match="not saved") as refused:
        take()
    assert set(refused.value.fields) == {"timepoint"}
    assert refusal in refused.value.fields["timepoint"]


def test_album_offers_only_the_timepoints_the_dates_allow(two_cycles, monkeypatch):
    browser, _actor, patient, cycles = two_cycles
    monkeypatch.setattr("planner.views.photos.utc_now", lambda: DEC_7)
    page = browser.get(f"/patients/{patient.id}/photos").get_data(as_text=True)
    capture = "/sessions/{}/photos/capture?timepoint={}"
    assert capture.format(cycles[1], "review") in page
    for index, timepoint in ((0, "pre_treatment"), (0, "review"), (1, "pre_treatment")):
        assert capture.format(cycles[index], timepoint) not in page
    monkeypatch.setattr("planner.views.photos.utc_now", lambda: JUN_8_LOCAL)
    page = browser.get(f"/patients/{patient.id}/photos").get_data(as_text=True)
    assert capture.format(cycles[1], "pre_treatment") in page
    assert capture.format(cycles[0], "review") in page
