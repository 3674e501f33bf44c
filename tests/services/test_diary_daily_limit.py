"""The diary's daily limit counts the clinic's day, not the last 24 hours.

"Please try again tomorrow" must be true: entries sent late yesterday evening do
not refuse this morning, and the day is the clinic's (London), whatever its
length on a day the clocks change.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import func
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import DiaryEntry
from planner.services import diary_entries as entries
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import printable_link
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import sign_chin

CLIENT = "203.0.113.7"
PRODUCTS = [("botox", 4), ("dysport", 10)]


@pytest.fixture(params=PRODUCTS, ids=[name for name, _ in PRODUCTS])
def token_for(request, session, injector, make_patient):
    """Sign a treatment at ``treated``; return the token of its diary."""
    product, units = request.param

    def token_for(treated: datetime) -> str:
        patient = make_patient()
        treatment = sign_chin(
            session,
            injector,
            patient.id,
            when=treated,
            product=product,
            units=units,
            lot_number=f"L{treated:%y%m%d}",
        )
        printed = printable_link(
            session, treatment.id, key=DIARY_KEY, now=treated, zone=ZONE
        )
        assert printed is not None
        return printed.printed.token

    return token_for


def send(session, token: str, now: datetime) -> DiaryEntry:
    """Open the diary at ``now`` (as each request does) and send a weekly check."""
    diary = open_diary(session, token, client=CLIENT, now=now, zone=ZONE)
    assert diary is not None
    return entries.record_weekly(
        session, diary, {"face": "same"}, client=CLIENT, now=now
    )


def fill_the_day(session, token: str, now: datetime) -> None:
    for minute in range(entries.MAX_ENTRIES_PER_DAY):
        send(session, token, now + timedelta(seconds=minute))


def saved(session) -> int:
    return session.exec(select(func.count()).select_from(DiaryEntry)).one()


def refused(session, token: str, now: datetime) -> InvalidInput:
    before = saved(session)
    with pytest.raises(InvalidInput) as caught:
        send(session, token, now)
    session.rollback()
    assert saved(session) == before  # nothing saved is lost, nothing added
    return caught.value


def test_a_busy_evening_does_not_refuse_the_next_morning(session, token_for):
    token = token_for(datetime(2026, 7, 1, 9, tzinfo=UTC))
    fill_the_day(session, token, datetime(2026, 7, 14, 21, tzinfo=UTC))  # 22:00 BST
    assert send(session, token, datetime(2026, 7, 15, 7, tzinfo=UTC))  # 08:00 BST


def test_the_refusal_names_the_form_and_why_and_keeps_the_day(session, token_for):
    token = token_for(datetime(2026, 7, 1, 9, tzinfo=UTC))
    # 00:30 BST on 15 July is 23:30 UTC on 14 July: the clinic's 15 July.
    fill_the_day(session, token, datetime(2026, 7, 14, 23, 30, tzinfo=UTC))
    # 23:45 BST, the same clinic day: refused, by name and reason.
    error = refused(session, token, datetime(2026, 7, 15, 22, 45, tzinfo=UTC))
    assert error.message == "You have sent a lot today. Please try again tomorrow."
    assert error.fields == {"form": entries.VOLUME_WORDS}
    assert "40 entries today" in error.fields["form"]
    assert "earlier entries are saved" in error.fields["form"]
    assert saved(session) == entries.MAX_ENTRIES_PER_DAY
    # 00:15 BST on 16 July, the clinic's tomorrow (23h45 later): taken.
    assert send(session, token, datetime(2026, 7, 15, 23, 15, tzinfo=UTC))


def test_clocks_forward_day_is_23_hours(session, token_for):
    token = token_for(datetime(2026, 3, 16, 10, tzinfo=UTC))
    # 00:30 GMT on Sunday 29 March, the day the clocks go forward.
    fill_the_day(session, token, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    refused(session, token, datetime(2026, 3, 29, 22, 59, tzinfo=UTC))  # 23:59 BST
    # 00:15 BST on 30 March: tomorrow, though under 23 hours later.
    assert send(session, token, datetime(2026, 3, 29, 23, 15, tzinfo=UTC))


def test_clocks_back_day_is_25_hours(session, token_for):
    token = token_for(datetime(2026, 10, 12, 10, tzinfo=UTC))
    # 00:30 BST on Sunday 25 October (23:30 UTC on the 24th), clocks go back.
    fill_the_day(session, token, datetime(2026, 10, 24, 23, 30, tzinfo=UTC))
    # 23:45 GMT on 25 October: over 24 hours later, still the same clinic day.
    refused(session, token, datetime(2026, 10, 25, 23, 45, tzinfo=UTC))
    # 00:05 GMT on 26 October: tomorrow.
    assert send(session, token, datetime(2026, 10, 26, 0, 5, tzinfo=UTC))
