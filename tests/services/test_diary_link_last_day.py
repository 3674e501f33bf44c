"""The diary link stays open through the whole clinic day it names (review rD, RD1).

The handout and the diary page say the link "works until 31 Aug 2026": it must
open at 23:30 that day on the clinic's clock and close at 00:00 the next,
whatever time of day the chart was signed and across a clock change (signed in
GMT, closing in BST in London; signed in NZDT, closing in NZST in Auckland).
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from planner.clinic_time import last_open_day
from planner.clinic_time import open_through
from planner.models import DiaryLink
from planner.services import sessions as session_service
from planner.services.chart_state import chart_state
from planner.services.diary_links import link_expiry
from planner.services.diary_links import links_for_patient
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import give_new_link
from planner.services.diary_reprint import printable_link
from tests.factories import CHIN_DOSES
from tests.factories import DIARY_KEY
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import ensure_consent
from tests.factories import make_treatment
from tests.factories import sign_chin

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
# 10:00 GMT on 2 Mar 2026; 26 weeks on is Monday 31 Aug 2026, in BST.
SIGNED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LAST_DAY = date(2026, 8, 31)
PRODUCTS = pytest.mark.parametrize("product", ["botox", "dysport"])


def at(day, hour, minute, zone):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def opens(session, token, now, zone):
    return open_diary(session, token, client="203.0.113.9", now=now, zone=zone)


def test_the_expiry_is_the_clinic_midnight_after_the_last_day():
    assert ZONE == LONDON
    assert link_expiry(SIGNED, 26, LONDON) == at(date(2026, 9, 1), 0, 0, LONDON)
    assert link_expiry(SIGNED, 26, LONDON) == datetime(2026, 8, 31, 23, tzinfo=UTC)
    # 08:30 NZDT on 2 Mar is still 1 Mar in UTC; the clinic day is 2 Mar.
    early = at(date(2026, 3, 2), 8, 30, AUCKLAND)
    assert early.astimezone(UTC).day == 1
    closes = link_expiry(early, 26, AUCKLAND)
    assert closes == at(date(2026, 9, 1), 0, 0, AUCKLAND)
    assert closes == datetime(2026, 8, 31, 12, tzinfo=UTC)
    assert last_open_day(closes, AUCKLAND) == LAST_DAY
    # A close later in a day (a link issued before this rule) names that day.
    assert last_open_day(at(LAST_DAY, 11, 0, LONDON), LONDON) == LAST_DAY
    assert open_through(LAST_DAY, LONDON) == datetime(2026, 8, 31, 23, tzinfo=UTC)


@PRODUCTS
def test_a_new_link_opens_all_its_last_day_in_london_across_the_clock_change(
    session, injector, make_patient, product
):
    patient = make_patient()
    treatment = sign_chin(
        session, injector, patient.id, when=SIGNED, product=product, lot_number="L1"
    )
    printed = printable_link(
        session, treatment.id, key=DIARY_KEY, now=SIGNED, zone=LONDON
    ).printed
    assert printed.expires_on == LAST_DAY
    diary = opens(session, printed.token, at(LAST_DAY, 23, 30, LONDON), LONDON)
    assert diary is not None
    assert diary.open_until == LAST_DAY
    # Later than the signing's time of day (11:00 BST), still open.
    assert opens(session, printed.token, at(LAST_DAY, 20, 0, LONDON), LONDON)
    assert (
        opens(session, printed.token, at(date(2026, 9, 1), 0, 0, LONDON), LONDON)
        is None
    )
    # The patient page names the same last day, open and then expired.
    [row] = links_for_patient(
        session, patient.id, now=at(LAST_DAY, 23, 30, LONDON), zone=LONDON
    )
    assert (row.state, row.until) == ("open", LAST_DAY)
    [row] = links_for_patient(
        session, patient.id, now=at(date(2026, 9, 1), 0, 0, LONDON), zone=LONDON
    )
    assert (row.state, row.until) == ("expired", LAST_DAY)


@PRODUCTS
def test_a_new_link_in_auckland_closes_at_the_clinics_midnight(
    session, injector, make_patient, product
):
    patient = make_patient()
    signed_at = at(date(2026, 3, 2), 8, 30, AUCKLAND)
    dose, vial = CHIN_DOSES[product]
    treatment = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", dose)],
        when=signed_at,
        product=product,
        vial_units=vial,
        lot_number="A1",
    )
    ensure_consent(session, injector, treatment.id, when=signed_at)
    warnings = chart_state(
        session, treatment.id, face_map=FACE_MAP, zone=AUCKLAND, now=signed_at
    ).warnings
    session_service.sign_session(
        session,
        injector,
        treatment.id,
        {
            "version": treatment.version,
            "consent_obtained": True,
            "reasons": {w.key: "Agreed with the patient." for w in warnings},
        },
        zone=AUCKLAND,
        now=signed_at,
        diary_key=DIARY_KEY,
    )
    printed = printable_link(
        session, treatment.id, key=DIARY_KEY, now=signed_at, zone=AUCKLAND
    ).printed
    assert printed.expires_on == LAST_DAY
    last_evening = at(LAST_DAY, 23, 30, AUCKLAND)
    assert opens(session, printed.token, last_evening, AUCKLAND) is not None
    midnight = at(date(2026, 9, 1), 0, 0, AUCKLAND)
    assert opens(session, printed.token, midnight, AUCKLAND) is None


@PRODUCTS
@pytest.mark.audit_exempt(
    "stands in for a link issued before links closed at a clinic midnight",
    tables=["diary_link"],
)
def test_a_new_token_keeps_the_last_day_and_opens_all_of_it(
    session, injector, make_patient, product
):
    """A link issued before this rule closed at its signing's time of day: a new
    token moves its close to the end of the day it names, and keeps that day."""
    patient = make_patient()
    sign_chin(
        session, injector, patient.id, when=SIGNED, product=product, lot_number="L2"
    )
    link = session.exec(select(DiaryLink)).one()
    link.expires_at = at(LAST_DAY, 11, 0, LONDON)  # as such links were stored
    session.add(link)
    session.commit()
    given = at(date(2026, 6, 1), 9, 0, LONDON)
    printed = give_new_link(
        session,
        injector,
        patient.id,
        link.id,
        key=DIARY_KEY,
        now=given,
        zone=LONDON,
    )
    assert printed.expires_on == LAST_DAY
    session.refresh(link)
    assert link.expires_at == at(date(2026, 9, 1), 0, 0, LONDON)
    assert opens(session, printed.token, at(LAST_DAY, 23, 30, LONDON), LONDON)
    assert (
        opens(session, printed.token, at(date(2026, 9, 1), 0, 0, LONDON), LONDON)
        is None
    )
    # A link already closing at midnight keeps its close.
    again = give_new_link(
        session, injector, patient.id, link.id, key=DIARY_KEY, now=given, zone=LONDON
    )
    session.refresh(link)
    assert again.expires_on == LAST_DAY
    assert link.expires_at == at(date(2026, 9, 1), 0, 0, LONDON)
