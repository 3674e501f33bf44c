from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from planner import clinic_time
from planner import scoring
from planner import vocabulary
from planner.models import enums

LONDON = ZoneInfo("Europe/London")
# 00:30 on 15 July in London (BST) is 23:30 on 14 July in UTC.
SUMMER_NIGHT = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)


def test_local_day_is_the_clinic_calendar_day():
    assert clinic_time.local_day(SUMMER_NIGHT, LONDON) == date(2026, 7, 15)
    assert clinic_time.local_day(SUMMER_NIGHT, UTC) == date(2026, 7, 14)


def test_clinic_today_and_now_are_on_the_clinic_clock():
    assert clinic_time.clinic_today(LONDON, SUMMER_NIGHT) == date(2026, 7, 15)
    assert clinic_time.clinic_now(LONDON, SUMMER_NIGHT).hour == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: clinic_time.require_aware("moment", naive),
        lambda naive: clinic_time.require_aware_or_none("moment", naive),
        lambda naive: clinic_time.local_day(naive, LONDON),
        lambda naive: clinic_time.clinic_today(LONDON, naive),
    ],
)
def test_a_naive_moment_is_refused(call):
    with pytest.raises(ValueError, match="must be timezone-aware"):
        call(datetime(2026, 7, 15, 0, 30))


def test_none_passes_where_a_moment_is_optional():
    clinic_time.require_aware_or_none("reconstituted_at", None)


def test_models_store_the_vocabulary_enums():
    assert enums.Role is vocabulary.Role
    assert enums.AuditAction is vocabulary.AuditAction


@pytest.mark.parametrize("table", sorted(vocabulary.LABELS))
def test_every_label_table_is_keyed_by_stored_values(table):
    labels = vocabulary.LABELS[table]
    assert labels
    assert all(type(key) is str for key in labels)


def test_every_instrument_is_named_as_its_scoring_title():
    assert vocabulary.LABELS["instrument"] == {
        code: definition.title for code, definition in scoring.INSTRUMENTS.items()
    }


def test_label_shows_an_unknown_value_as_itself():
    assert vocabulary.label("side", vocabulary.Side.LEFT) == "Left"
    assert vocabulary.label("side", "nowhere") == "nowhere"


@pytest.mark.parametrize(
    ("now", "began"),
    [
        # A London summer night: 00:30 BST on 15 July began at 23:00 UTC.
        (SUMMER_NIGHT, datetime(2026, 7, 14, 23, tzinfo=UTC)),
        # Late on 14 July (22:30 BST) is still 14 July, begun an hour before UTC's.
        (
            datetime(2026, 7, 14, 21, 30, tzinfo=UTC),
            datetime(2026, 7, 13, 23, tzinfo=UTC),
        ),
        # Clocks forward (29 March): the day began at GMT midnight, 23 hours long.
        (datetime(2026, 3, 29, 22, tzinfo=UTC), datetime(2026, 3, 29, 0, tzinfo=UTC)),
        (datetime(2026, 3, 29, 23, tzinfo=UTC), datetime(2026, 3, 29, 23, tzinfo=UTC)),
        # Clocks back (25 October): the day began at BST midnight, 25 hours long.
        (
            datetime(2026, 10, 25, 23, 30, tzinfo=UTC),
            datetime(2026, 10, 24, 23, tzinfo=UTC),
        ),
        (datetime(2026, 10, 26, 0, tzinfo=UTC), datetime(2026, 10, 26, 0, tzinfo=UTC)),
    ],
)
def test_today_starts_at_the_clinic_midnight(now, began):
    assert clinic_time.today_start(LONDON, now) == began
    assert clinic_time.today_start(LONDON, now).tzinfo is UTC


def test_today_start_refuses_a_naive_moment():
    with pytest.raises(ValueError, match="must be timezone-aware"):
        clinic_time.today_start(LONDON, datetime(2026, 7, 15, 0, 30))
