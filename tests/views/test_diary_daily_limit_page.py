"""The diary's daily limit over HTTP: the clinic's day, a named refusal, no loss."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.models import DiaryEntry
from planner.services import diary_entries as entries
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import printable_link
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.views.test_diary_pages import post

TREATED = datetime(2026, 7, 1, 9, tzinfo=UTC)
EVENING = datetime(2026, 7, 14, 21, tzinfo=UTC)  # 22:00 BST on 14 July
MORNING = datetime(2026, 7, 15, 7, tzinfo=UTC)  # 08:00 BST on 15 July
LATE = datetime(2026, 7, 15, 22, 30, tzinfo=UTC)  # 23:30 BST on 15 July


@pytest.fixture
def token(session, injector, make_patient):
    patient = make_patient()
    treatment = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 4)],
        when=TREATED,
        sign=True,
        lot_number="LIMIT1",
    )
    printed = printable_link(
        session, treatment.id, key=DIARY_KEY, now=TREATED, zone=ZONE
    )
    return printed.printed.token


def send_many(session, token, at):
    for second in range(entries.MAX_ENTRIES_PER_DAY):
        now = at + timedelta(seconds=second)
        diary = open_diary(session, token, client="203.0.113.9", now=now, zone=ZONE)
        entries.record_weekly(session, diary, {"face": "same"}, client=None, now=now)


def at(monkeypatch, moment):
    monkeypatch.setattr("planner.views.diary.utc_now", lambda: moment)


def test_last_nights_entries_do_not_refuse_this_morning(
    session, client, token, monkeypatch
):
    send_many(session, token, EVENING)
    at(monkeypatch, MORNING)
    response = post(client, token, "weekly", {"face": "relaxed"})
    assert response.status_code == 302
    assert len(session.exec(select(DiaryEntry)).all()) == 41


def test_the_refusal_names_the_form_and_why_and_loses_nothing(
    session, client, token, monkeypatch
):
    send_many(session, token, MORNING)
    at(monkeypatch, LATE)
    response = post(client, token, "weekly", {"face": "relaxed"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#field-form"' in page
    # A refusal of the whole entry, not of an answer: no answer is counted.
    assert '<h2 id="errors-title">Your entry was not saved</h2>' in page
    assert (
        "Today&#39;s entries: you have sent 40 entries today, the most we take in "
        "one day. Your earlier entries are saved; please send this one tomorrow."
    ) in page
    assert 'value="relaxed" checked' in page  # the answer is still on the page
    assert len(session.exec(select(DiaryEntry)).all()) == 40
