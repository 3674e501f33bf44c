"""An adverse event's days fall in its treatment's cycle, on the clinic's calendar.

The clinic's form refuses an onset before the treatment's clinic day, as the
patient's diary does (one rule: ``clinic_time.cycle_day_problem``). Something
noticed before the injection was not caused by it, and a report to the
regulator names the batch (clinical reference §3 [S13], §5 [S58]).
"""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.services import diary_entries as entries
from planner.services import outcomes
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import printable_link
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import sign_chin

PRODUCTS = ["botox", "dysport"]
# 23:30 UTC on 1 June is 00:30 on 2 June in London (BST): the clinic day is 2 June.
LATE = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
TODAY = date(2026, 6, 20)


def _treated_late(session, injector, make_patient, product="botox"):
    """Sign a treatment at 23:30 UTC on 1 June: 2 June on the clinic's calendar."""
    return sign_chin(
        session,
        injector,
        make_patient().id,
        when=LATE,
        lot_number="L1",
        product=product,
    )


def _event(onset: str, **more: str) -> dict[str, str]:
    return {"kind": "eyelid_droop", "severity": "mild", "onset_date": onset, **more}


@pytest.mark.parametrize("product", PRODUCTS)
def test_onset_before_the_treatments_clinic_day_is_refused(
    session, injector, make_patient, product
):
    record = _treated_late(session, injector, make_patient, product)
    # 1 June is the treatment's UTC day but the day before its clinic day.
    for onset in ("2026-01-10", "2026-06-01"):
        with pytest.raises(InvalidInput) as info:
            outcomes.add_adverse_event(
                session, injector, record.id, _event(onset), today=TODAY, zone=ZONE
            )
        assert info.value.fields == {
            "onset_date": "cannot be before the treatment, given on 2 Jun 2026 "
            "(clinic day)"
        }
    with pytest.raises(InvalidInput) as info:
        outcomes.add_adverse_event(
            session,
            injector,
            record.id,
            {"kind": "dry_eye", "severity": "mild", "resolved_date": "2026-05-30"},
            today=TODAY,
            zone=ZONE,
        )
    assert set(info.value.fields) == {"resolved_date"}
    event = outcomes.add_adverse_event(
        session, injector, record.id, _event("2026-06-02"), today=TODAY, zone=ZONE
    )
    assert event.onset_date == date(2026, 6, 2)


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_diary_draws_the_same_line(session, injector, make_patient, product):
    record = _treated_late(session, injector, make_patient, product)
    printed = printable_link(session, record.id, key=DIARY_KEY, now=LATE, zone=ZONE)
    now = datetime(2026, 6, 20, 9, tzinfo=UTC)
    diary = open_diary(
        session, printed.printed.token, client="1.2.3.4", now=now, zone=ZONE
    )
    assert diary is not None
    with pytest.raises(InvalidInput) as info:
        entries.record_side_effect(
            session,
            diary,
            {"effects": ["eyelid_droop"], "day": "2026-06-01"},
            client="1.2.3.4",
            now=now,
        )
    assert info.value.fields == {"day": "cannot be before your injections"}
    entries.record_side_effect(
        session,
        diary,
        {"effects": ["eyelid_droop"], "day": "2026-06-02"},
        client="1.2.3.4",
        now=now,
    )


def test_the_clinic_form_names_the_field(login_as, session, injector, make_patient):
    record = _treated_late(session, injector, make_patient)
    browser = login_as(Role.INJECTOR)
    page = browser.post_form(
        f"/sessions/{record.id}/adverse-events", _event("2026-05-01")
    )
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert 'href="#event_onset_date"' in html
    assert "cannot be before the treatment, given on 2 Jun 2026 (clinic day)" in html
