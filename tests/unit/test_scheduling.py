import math
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

import planner.scheduling as scheduling
from planner.scheduling import DEFAULT_RULES
from planner.scheduling import DEFAULT_SLOT_MINUTES
from planner.scheduling import BookedIndex
from planner.scheduling import ClosedDay
from planner.scheduling import Interval
from planner.scheduling import Rules
from planner.scheduling import Window
from planner.scheduling import WorkingHours
from planner.scheduling import closed_dates
from planner.scheduling import conflict_mask
from planner.scheduling import conflicts
from planner.scheduling import conflicts_many
from planner.scheduling import cycle_windows
from planner.scheduling import epoch_micros
from planner.scheduling import first_free_slot
from planner.scheduling import free_slots
from planner.scheduling import local_day
from planner.scheduling import retreatment_window
from planner.scheduling import review_window
from planner.scheduling import slot_length
from planner.scheduling import slot_lengths_from_settings
from planner.scheduling import suggest_retreatment
from planner.scheduling import valid_wear_off_weeks
from planner.scheduling import window_days
from planner.scheduling import within_window

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SPRING_FORWARD = date(2026, 3, 29)  # 23-hour Sunday: 01:00 GMT becomes 02:00 BST
FALL_BACK = date(2026, 10, 25)  # 25-hour Sunday: 02:00 BST becomes 01:00 GMT
TREATED = date(2026, 1, 31)
NINE_TO_FIVE = [WorkingHours(1, weekday, time(9), time(17)) for weekday in range(7)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def span(start: datetime, minutes: int) -> Interval:
    return Interval(start, start + timedelta(minutes=minutes))


def starts(slots: list[Interval]) -> list[str]:
    return [slot.start.astimezone(LONDON).strftime("%H:%M") for slot in slots]


def test_public_api_is_exported():
    assert sorted(scheduling.__all__) == sorted(set(scheduling.__all__))
    for name in scheduling.__all__:
        assert hasattr(scheduling, name)


# Rules


def test_default_rules_follow_the_clinic_defaults():
    assert Rules(14, 3, 12, 16) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"retreat_start_weeks": 11}, "retreat_start_weeks"),
        ({"retreat_start_weeks": 0}, "retreat_start_weeks"),
        ({"retreat_start_weeks": 14, "retreat_end_weeks": 13}, "retreat_end_weeks"),
        ({"retreat_end_weeks": 11}, "retreat_end_weeks"),
        ({"review_tolerance_days": -1}, "review_tolerance_days"),
        ({"review_day": 3, "review_tolerance_days": 3}, "review_day"),
        ({"review_day": 0, "review_tolerance_days": 0}, "review_day"),
        ({"review_day": 80, "review_tolerance_days": 4}, "review_day"),
        ({"review_day": 14.0}, "review_day"),
        ({"retreat_start_weeks": 12.5}, "retreat_start_weeks"),
        ({"retreat_end_weeks": True}, "retreat_end_weeks"),
        ({"review_tolerance_days": "3"}, "review_tolerance_days"),
    ],
)
def test_rules_reject_bad_values_naming_the_field(overrides, field):
    with pytest.raises(ValueError, match=field):
        Rules(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"retreat_start_weeks": 12, "retreat_end_weeks": 12},
        {"retreat_start_weeks": 13, "retreat_end_weeks": 20},
        {"review_day": 7, "review_tolerance_days": 0},
        {"review_day": 4, "review_tolerance_days": 3},
    ],
)
def test_rules_accept_edge_values(overrides):
    Rules(**overrides)


def test_rules_from_settings_reads_clinic_keys_and_whole_floats():
    rules = Rules.from_settings(
        {
            "review_day": 10.0,
            "review_tolerance_days": 2,
            "retreat_window_start_weeks": 13.0,
            "retreat_window_end_weeks": 18,
            "reminder_days_before": 2,
        }
    )
    assert rules == Rules(10, 2, 13, 18)
    assert Rules.from_settings({}) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"retreat_window_start_weeks": 11}, "retreat_start_weeks must be at least 12"),
        ({"retreat_window_start_weeks": 12.5}, "retreat_window_start_weeks"),
        ({"review_day": None}, "review_day"),
    ],
)
def test_rules_from_settings_rejects_bad_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        Rules.from_settings(settings)


# Windows


def test_window_checks_its_order_and_contains_both_ends():
    window = Window(date(2026, 2, 11), date(2026, 2, 14), date(2026, 2, 17))
    assert window.contains(date(2026, 2, 11))
    assert window.contains(date(2026, 2, 17))
    assert not window.contains(date(2026, 2, 10))
    assert not window.contains(date(2026, 2, 18))
    assert window.with_due(date(2026, 2, 16)).due == date(2026, 2, 16)
    with pytest.raises(ValueError, match="start <= due <= end"):
        window.with_due(date(2026, 2, 18))
    with pytest.raises(ValueError, match="start <= due <= end"):
        Window(date(2026, 2, 17), date(2026, 2, 14), date(2026, 2, 11))


@pytest.mark.parametrize(
    ("treated_on", "start", "due", "end"),
    [
        # Month end: 31 Jan + 14 days is 14 Feb.
        (date(2026, 1, 31), date(2026, 2, 11), date(2026, 2, 14), date(2026, 2, 17)),
        # Crossing a year end.
        (date(2026, 12, 20), date(2026, 12, 31), date(2027, 1, 3), date(2027, 1, 6)),
        # Treated on a leap day.
        (date(2028, 2, 29), date(2028, 3, 11), date(2028, 3, 14), date(2028, 3, 17)),
        # Review due on the leap day.
        (date(2028, 2, 15), date(2028, 2, 26), date(2028, 2, 29), date(2028, 3, 3)),
        # The same dates a year earlier have no 29 Feb to cross.
        (date(2027, 2, 15), date(2027, 2, 26), date(2027, 3, 1), date(2027, 3, 4)),
    ],
)
def test_review_window(treated_on, start, due, end):
    assert review_window(treated_on) == Window(start, due, end)


@pytest.mark.parametrize(
    ("treated_on", "start", "end"),
    [
        (date(2026, 1, 31), date(2026, 4, 25), date(2026, 5, 23)),
        (date(2028, 2, 29), date(2028, 5, 23), date(2028, 6, 20)),
        # A window crossing 29 Feb 2028, and the same dates in a common year.
        (date(2027, 12, 1), date(2028, 2, 23), date(2028, 3, 22)),
        (date(2026, 12, 1), date(2027, 2, 23), date(2027, 3, 23)),
    ],
)
def test_retreatment_window_is_12_to_16_weeks_exactly(treated_on, start, end):
    window = retreatment_window(treated_on, min_interval_days=84)
    assert window == Window(start, start, end)
    assert (window.start - treated_on).days == 84
    assert (window.end - treated_on).days == 112


def test_windows_follow_clinic_rules():
    rules = Rules(review_day=21, review_tolerance_days=0, retreat_start_weeks=13)
    assert review_window(TREATED, rules) == Window(*[date(2026, 2, 21)] * 3)
    assert retreatment_window(TREATED, rules, min_interval_days=84) == Window(
        date(2026, 5, 2), date(2026, 5, 2), date(2026, 5, 23)
    )


def test_leap_window_contains_the_leap_day():
    window = retreatment_window(date(2027, 12, 1), min_interval_days=84)
    assert within_window(date(2028, 2, 29), window)
    assert len(window_days(window)) == 29


@pytest.mark.parametrize(
    "top_ups",
    [(), (date(2026, 2, 14),), (date(2026, 3, 1), date(2026, 2, 14)), (TREATED,)],
)
def test_top_ups_do_not_restart_the_windows(top_ups):
    cycle = cycle_windows(TREATED, top_ups, min_interval_days=84)
    assert cycle.treated_on == TREATED
    assert cycle.review == review_window(TREATED)
    assert cycle.retreatment == retreatment_window(TREATED, min_interval_days=84)
    assert cycle.top_ups == tuple(sorted(top_ups))


def test_cycle_windows_use_the_rules():
    rules = Rules(retreat_start_weeks=14, retreat_end_weeks=18)
    cycle = cycle_windows(TREATED, [date(2026, 2, 14)], rules, min_interval_days=84)
    assert cycle.retreatment == retreatment_window(TREATED, rules, min_interval_days=84)


def test_top_up_before_the_full_treatment_is_rejected():
    with pytest.raises(ValueError, match="before the full treatment"):
        cycle_windows(TREATED, [date(2026, 1, 30)], min_interval_days=84)


# Local calendar day


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (utc(2026, 3, 28, 23, 59, 59), date(2026, 3, 28)),
        (utc(2026, 3, 29, 0, 0), date(2026, 3, 29)),
        (utc(2026, 3, 29, 0, 59), date(2026, 3, 29)),
        (utc(2026, 3, 29, 1, 0), date(2026, 3, 29)),
        # After the spring change, local midnight is 23:00 UTC the day before.
        (utc(2026, 3, 29, 22, 59, 59), date(2026, 3, 29)),
        (utc(2026, 3, 29, 23, 0), date(2026, 3, 30)),
        (utc(2026, 7, 1, 23, 30), date(2026, 7, 2)),
        (utc(2026, 10, 24, 22, 59, 59), date(2026, 10, 24)),
        (utc(2026, 10, 24, 23, 0), date(2026, 10, 25)),
        # The repeated hour of the autumn change stays on the same day.
        (utc(2026, 10, 25, 0, 30), date(2026, 10, 25)),
        (utc(2026, 10, 25, 1, 30), date(2026, 10, 25)),
        (utc(2026, 10, 25, 23, 59, 59), date(2026, 10, 25)),
        (utc(2026, 10, 26, 0, 0), date(2026, 10, 26)),
        (datetime(2026, 7, 1, 20, 0, tzinfo=NEW_YORK), date(2026, 7, 2)),
    ],
)
def test_local_day_in_london(moment, day):
    assert local_day(moment, LONDON) == day


def test_local_day_needs_an_aware_moment():
    with pytest.raises(ValueError, match="moment must be timezone-aware"):
        local_day(datetime(2026, 3, 29, 12), LONDON)


# Personalised re-treatment day

WINDOW = retreatment_window(
    TREATED, min_interval_days=84
)  # 25 Apr 2026 (12 weeks) to 23 May (16 weeks)


def weeks_after(weeks: float) -> date:
    return TREATED + timedelta(days=round(weeks * 7))


@pytest.mark.parametrize(
    ("history", "valid"),
    [
        ([], 0),
        ([14.0], 1),
        ([math.nan], 0),
        ([0.0, -2.0, math.inf], 0),
        ([math.nan, 14.0], 1),
    ],
)
def test_too_little_history_suggests_the_default_day(history, valid):
    suggestion = suggest_retreatment(WINDOW, history, treated_on=TREATED)
    assert suggestion.day == WINDOW.due
    assert suggestion.basis == 0
    cycles = "1 cycle" if valid == 1 else f"{valid} cycles"
    assert suggestion.reason == (
        f"Not enough history: wear-off recorded in {cycles} (at least 2 needed) — "
        "suggested the clinic's default, 12 weeks after treatment (25 Apr 2026)"
    )


def test_default_day_follows_a_moved_due_day():
    window = WINDOW.with_due(date(2026, 5, 2))
    suggestion = suggest_retreatment(window, [14.0], treated_on=TREATED)
    assert suggestion.day == date(2026, 5, 2)
    assert "13 weeks after treatment (2 May 2026)" in suggestion.reason


def test_suggestion_reason_reads_plainly():
    suggestion = suggest_retreatment(WINDOW, [13, 14, 15], treated_on=TREATED)
    assert suggestion.day == date(2026, 5, 9)
    assert suggestion.basis == 3
    assert suggestion.reason == (
        "Wear-off recorded in the last 3 cycles: 13, 14, 15 weeks (median 14) — "
        "suggested 14 weeks after treatment (9 May 2026)"
    )


@pytest.mark.parametrize(
    ("history", "weeks", "basis"),
    [
        ([13, 15], 14, 2),  # two cycles: the mean of the pair
        ([15, 13, 14], 14, 3),  # odd count
        ([20, 20, 13, 14, 15], 14, 3),  # only the last three count
        ([14, 14, 30], 14, 3),  # one outlier does not move the median
        ([14, 2, 14], 14, 3),
        ([13, math.nan, 15, math.inf, -1, 0], 14, 2),  # unusable entries ignored
        ([12, 12], 12, 2),  # on the opening day: no clamping needed
        ([16, 16], 16, 2),  # on the closing day
        ([13, 14], 13.5, 2),  # 94.5 days rounds half up to 95
        ([13.1, 13.3], 13 + 1.4 / 7, 2),  # 92.4 days rounds to 92
    ],
)
def test_suggestion_follows_recent_median(history, weeks, basis):
    suggestion = suggest_retreatment(WINDOW, history, treated_on=TREATED)
    expected = TREATED + timedelta(days=math.floor(weeks * 7 + 0.5))
    assert suggestion.day == expected
    assert suggestion.basis == basis
    assert suggestion.reason.startswith(f"Wear-off recorded in the last {basis} cycles")


def test_even_count_uses_the_middle_pair():
    history = [12, 13, 15, 16]
    suggestion = suggest_retreatment(WINDOW, history, treated_on=TREATED, recent=4)
    assert suggestion.day == weeks_after(14)
    assert "(median 14)" in suggestion.reason
    np.testing.assert_allclose(np.median(valid_wear_off_weeks(history)), 14.0)


@pytest.mark.parametrize(
    ("history", "day", "note"),
    [
        ([8, 9, 10], WINDOW.start, "before the window opens"),
        ([11.8, 11.9], WINDOW.start, "before the window opens"),
    ],
)
def test_suggestion_is_clamped_inside_the_window(history, day, note):
    suggestion = suggest_retreatment(WINDOW, history, treated_on=TREATED)
    assert suggestion.day == day
    assert note in suggestion.reason
    assert suggestion.day >= TREATED + timedelta(weeks=12)


def test_clamped_reason_names_the_window_edge():
    suggestion = suggest_retreatment(WINDOW, [8, 9, 10], treated_on=TREATED)
    assert suggestion.reason == (
        "Wear-off recorded in the last 3 cycles: 8, 9, 10 weeks (median 9) — "
        "before the window opens, so suggested at its start, 12 weeks after "
        "treatment (25 Apr 2026)"
    )


def test_suggestion_refuses_a_window_sooner_than_12_weeks():
    early = Window(
        TREATED + timedelta(weeks=10),
        TREATED + timedelta(weeks=10),
        TREATED + timedelta(weeks=16),
    )
    with pytest.raises(ValueError, match="sooner than 12 weeks"):
        suggest_retreatment(early, [13, 14], treated_on=TREATED)


def test_suggestion_needs_at_least_two_recent_cycles():
    with pytest.raises(ValueError, match="recent must be at least 2"):
        suggest_retreatment(WINDOW, [13, 14], treated_on=TREATED, recent=1)


def test_valid_wear_off_weeks_keeps_order():
    values = valid_wear_off_weeks([15, math.nan, 0, 13.5, -1, 14])
    np.testing.assert_allclose(values, [15, 13.5, 14])
    assert values.dtype == np.float64
    assert valid_wear_off_weeks([]).shape == (0,)


# Intervals and conflicts

NINE = london(2026, 6, 1, 9, 0)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Interval(datetime(2026, 6, 1, 9), NINE),
        lambda: Interval(NINE, datetime(2026, 6, 1, 10)),
        lambda: Interval(NINE, NINE),
        lambda: Interval(NINE, NINE - timedelta(minutes=1)),
    ],
)
def test_interval_needs_aware_ordered_ends(bad):
    with pytest.raises(ValueError, match="timezone-aware|before end"):
        bad()


@pytest.mark.parametrize(
    ("start_offset", "minutes", "conflict"),
    [
        (0, 30, True),  # the same slot
        (15, 30, True),  # overlaps the second half
        (-15, 30, True),  # overlaps the first half
        (10, 10, True),  # contained
        (-10, 60, True),  # contains
        (30, 30, False),  # starts when the booking ends
        (-30, 30, False),  # ends when the booking starts
        (60, 15, False),
        (-60, 15, False),
    ],
)
def test_conflicts(start_offset, minutes, conflict):
    booked = span(NINE, 30)
    candidate = span(NINE + timedelta(minutes=start_offset), minutes)
    assert (conflicts(candidate, [booked]) == [booked]) is conflict
    assert candidate.overlaps(booked) is conflict
    assert booked.overlaps(candidate) is conflict
    assert conflicts_many([candidate], [booked]) == [[booked] if conflict else []]


def test_conflicts_compare_moments_across_zones():
    booked = span(utc(2026, 6, 1, 8, 0), 30)  # 09:00 BST
    assert conflicts(span(NINE, 15), [booked]) == [booked]
    assert conflicts(span(london(2026, 6, 1, 9, 30), 15), [booked]) == []


def test_conflicts_keep_the_booked_order():
    late, early = span(NINE + timedelta(minutes=20), 30), span(NINE, 30)
    candidate = span(NINE, 60)
    assert conflicts(candidate, [late, early]) == [late, early]
    assert conflicts_many([candidate], [late, early]) == [[late, early]]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("n_candidates", "n_booked"), [(0, 5), (5, 0), (40, 200)])
def test_vectorised_conflicts_agree_with_the_simple_version(
    seed, n_candidates, n_booked
):
    rng = np.random.default_rng(seed)

    def random_intervals(count: int) -> list[Interval]:
        # A 15-minute grid over two days makes touching and identical edges common.
        offsets = rng.integers(0, 2 * 24 * 4, size=count) * 15
        lengths = rng.integers(1, 9, size=count) * 15
        return [
            span(NINE + timedelta(minutes=int(o)), int(m))
            for o, m in zip(offsets, lengths, strict=True)
        ]

    candidates, booked = random_intervals(n_candidates), random_intervals(n_booked)
    expected = [conflicts(candidate, booked) for candidate in candidates]
    assert conflicts_many(candidates, booked) == expected
    mask = conflict_mask(candidates, booked)
    assert mask.shape == (n_candidates,)
    assert mask.tolist() == [bool(found) for found in expected]


def test_booked_index_is_reusable():
    index = BookedIndex([span(NINE, 30), span(NINE + timedelta(hours=1), 30)])
    assert len(index) == 2
    assert index.mask(
        [span(NINE, 60), span(NINE + timedelta(minutes=30), 30)]
    ).tolist() == [True, False]


def test_epoch_micros_are_exact():
    moments = [utc(1970, 1, 1), utc(2026, 3, 29, 1, 0, 0) + timedelta(microseconds=1)]
    values = epoch_micros(moments)
    assert values.dtype == np.int64
    assert values.tolist() == [0, 1774746000_000001]


# Clinic calendar


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1, 7, time(9), time(17)), "weekday"),
        ((1, -1, time(9), time(17)), "weekday"),
        ((1, 0, time(17), time(9)), "starts must be before ends"),
        ((1, 0, time(9), time(9)), "starts must be before ends"),
        ((1, 0, time(9, tzinfo=UTC), time(17)), "local wall times"),
        ((1, 0, time(9), time(17, tzinfo=UTC)), "local wall times"),
    ],
)
def test_working_hours_validation(args, message):
    with pytest.raises(ValueError, match=message):
        WorkingHours(*args)


def test_closed_dates():
    closed = [
        ClosedDay(date(2026, 12, 25), "Christmas Day"),
        ClosedDay(date(2026, 12, 28)),
    ]
    assert closed_dates(closed) == {date(2026, 12, 25), date(2026, 12, 28)}


def test_slot_lengths_from_settings():
    lengths = slot_lengths_from_settings(
        {"slot_minutes_review": 20.0, "slot_minutes_botox_clinic": 45, "review_day": 14}
    )
    assert lengths == {**DEFAULT_SLOT_MINUTES, "review": 20, "botox_clinic": 45}
    assert slot_lengths_from_settings({}) == DEFAULT_SLOT_MINUTES
    assert slot_length("review", lengths) == 20
    assert slot_length("treatment") == 30


@pytest.mark.parametrize("value", [0, -15, 12.5, True, "15", None])
def test_slot_lengths_reject_bad_minutes(value):
    with pytest.raises(ValueError, match="slot_minutes_review"):
        slot_lengths_from_settings({"slot_minutes_review": value})


def test_slot_length_of_an_unknown_kind():
    with pytest.raises(ValueError, match="no slot length for appointment kind 'x'"):
        slot_length("x")


@pytest.mark.parametrize(
    ("day", "first_utc", "last_utc"),
    [
        (date(2026, 3, 28), utc(2026, 3, 28, 9), utc(2026, 3, 28, 16)),
        (SPRING_FORWARD, utc(2026, 3, 29, 8), utc(2026, 3, 29, 15)),
        (date(2026, 7, 1), utc(2026, 7, 1, 8), utc(2026, 7, 1, 15)),
        (date(2026, 10, 24), utc(2026, 10, 24, 8), utc(2026, 10, 24, 15)),
        (FALL_BACK, utc(2026, 10, 25, 9), utc(2026, 10, 25, 16)),
    ],
)
def test_free_slots_keep_local_hours_across_dst(day, first_utc, last_utc):
    slots = free_slots(day, NINE_TO_FIVE, [], set(), 60, LONDON)
    assert starts(slots) == [f"{hour:02d}:00" for hour in range(9, 17)]
    assert slots[0].start == first_utc
    assert slots[-1].start == last_utc
    assert all(slot.start.tzinfo is UTC and slot.end.tzinfo is UTC for slot in slots)
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)
    assert {local_day(slot.start, LONDON) for slot in slots} == {day}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # 00:00-03:00 on the wall clock is 2 real hours in spring, 4 in autumn.
        (SPRING_FORWARD, [utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)]),
        (
            FALL_BACK,
            [
                utc(2026, 10, 24, 23),
                utc(2026, 10, 25, 0),
                utc(2026, 10, 25, 1),
                utc(2026, 10, 25, 2),
            ],
        ),
    ],
)
def test_hours_spanning_the_clock_change_count_real_time(day, expected):
    night = [WorkingHours(1, 6, time(0), time(3))]
    slots = free_slots(day, night, [], set(), 60, LONDON)
    assert [slot.start for slot in slots] == expected


def test_free_slots_none_on_a_closed_day():
    day = date(2026, 6, 1)
    assert free_slots(day, NINE_TO_FIVE, [], {day}, 30, LONDON) == []


def test_free_slots_none_when_fully_booked():
    day = date(2026, 6, 1)
    booked = [span(london(2026, 6, 1, 9), 4 * 60), span(london(2026, 6, 1, 13), 4 * 60)]
    assert free_slots(day, NINE_TO_FIVE, booked, set(), 30, LONDON) == []


def test_free_slots_none_without_hours_that_day():
    monday_only = [WorkingHours(1, 0, time(9), time(17))]
    assert free_slots(date(2026, 6, 2), monday_only, [], set(), 30, LONDON) == []


def test_free_slots_none_when_the_slot_is_longer_than_the_block():
    short = [WorkingHours(1, 0, time(9), time(9, 20))]
    assert free_slots(date(2026, 6, 1), short, [], set(), 30, LONDON) == []


def test_partial_bookings_leave_the_right_gaps():
    morning = [WorkingHours(1, 0, time(9), time(12))]
    booked = [
        span(london(2026, 6, 1, 9, 30), 30),
        span(london(2026, 6, 1, 10, 15), 30),
        span(london(2026, 6, 1, 12), 30),  # after hours: irrelevant
    ]
    slots = free_slots(date(2026, 6, 1), morning, booked, set(), 30, LONDON)
    assert starts(slots) == ["09:00", "11:00", "11:30"]
    assert slots[0] == Interval(utc(2026, 6, 1, 8), utc(2026, 6, 1, 8, 30))


def test_free_slots_with_a_finer_step_offer_overlapping_starts():
    morning = [WorkingHours(1, 0, time(9), time(10, 30))]
    booked = [span(london(2026, 6, 1, 9, 0), 15)]
    slots = free_slots(
        date(2026, 6, 1), morning, booked, set(), 30, LONDON, step_minutes=15
    )
    assert starts(slots) == ["09:15", "09:30", "09:45", "10:00"]


def test_free_slots_over_split_and_overlapping_blocks():
    hours = [
        WorkingHours(1, 0, time(14), time(15)),
        WorkingHours(1, 0, time(9), time(10)),
        WorkingHours(1, 0, time(9, 30), time(10, 30)),
        WorkingHours(1, 1, time(9), time(17)),
    ]
    slots = free_slots(date(2026, 6, 1), hours, [], set(), 30, LONDON)
    assert starts(slots) == ["09:00", "09:30", "10:00", "14:00", "14:30"]


def test_free_slots_not_before_now():
    now = london(2026, 6, 1, 10, 10)
    slots = free_slots(
        date(2026, 6, 1), NINE_TO_FIVE, [], set(), 60, LONDON, not_before=now
    )
    assert starts(slots)[0] == "11:00"
    slots = free_slots(
        date(2026, 6, 1),
        NINE_TO_FIVE,
        [],
        set(),
        60,
        LONDON,
        not_before=london(2026, 6, 1, 11),
    )
    assert starts(slots)[0] == "11:00"


def test_free_slots_accept_a_prebuilt_index():
    index = BookedIndex([span(london(2026, 6, 1, 9), 60)])
    slots = free_slots(date(2026, 6, 1), NINE_TO_FIVE, index, set(), 60, LONDON)
    assert starts(slots)[0] == "10:00"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"slot_minutes": 0}, "slot_minutes"),
        ({"slot_minutes": 7.5}, "slot_minutes"),
        ({"step_minutes": 0}, "step_minutes"),
        ({"not_before": datetime(2026, 6, 1, 9)}, "not_before must be timezone-aware"),
        (
            {
                "hours": [
                    WorkingHours(1, 0, time(9), time(12)),
                    WorkingHours(2, 0, time(9), time(12)),
                ]
            },
            "one clinician",
        ),
    ],
)
def test_free_slots_reject_bad_input(kwargs, message):
    args = {
        "day": date(2026, 6, 1),
        "hours": NINE_TO_FIVE,
        "booked": [],
        "closed": set(),
        "slot_minutes": 30,
        "zone": LONDON,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        free_slots(**args)


# Finding a slot in a window

REVIEW = review_window(date(2026, 5, 18))  # Fri 29 May to Thu 4 Jun, due Mon 1 Jun


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2026, 5, 28), False),
        (date(2026, 5, 29), True),
        (date(2026, 6, 1), True),
        (date(2026, 6, 4), True),
        (date(2026, 6, 5), False),
    ],
)
def test_within_window(day, inside):
    assert within_window(day, REVIEW) is inside


def test_window_days_in_order():
    assert window_days(REVIEW) == [
        date(2026, 5, 29) + timedelta(days=i) for i in range(7)
    ]
    assert window_days(REVIEW, "nearest_due") == [
        date(2026, 6, 1),
        date(2026, 5, 31),
        date(2026, 6, 2),
        date(2026, 5, 30),
        date(2026, 6, 3),
        date(2026, 5, 29),
        date(2026, 6, 4),
    ]


def test_first_free_slot_skips_closed_and_full_days():
    weekdays = [h for h in NINE_TO_FIVE if h.weekday < 5]
    # Friday closed, the weekend has no hours, Monday fully booked.
    full_monday = [span(london(2026, 6, 1, 9), 8 * 60)]
    slot = first_free_slot(
        REVIEW, weekdays, full_monday, {date(2026, 5, 29)}, 30, LONDON
    )
    assert slot == span(utc(2026, 6, 2, 8), 30)


def test_first_free_slot_nearest_due_day():
    slot = first_free_slot(
        REVIEW, NINE_TO_FIVE, [], set(), 15, LONDON, order="nearest_due"
    )
    assert slot == span(utc(2026, 6, 1, 8), 15)
    slot = first_free_slot(
        REVIEW, NINE_TO_FIVE, [], {date(2026, 6, 1)}, 15, LONDON, order="nearest_due"
    )
    assert slot is not None
    assert local_day(slot.start, LONDON) == date(2026, 5, 31)


def test_first_free_slot_not_before_now():
    now = london(2026, 5, 30, 16, 40)
    slot = first_free_slot(REVIEW, NINE_TO_FIVE, [], set(), 30, LONDON, not_before=now)
    assert slot == span(utc(2026, 5, 31, 8), 30)
    slot = first_free_slot(REVIEW, NINE_TO_FIVE, [], set(), 15, LONDON, not_before=now)
    assert slot == span(london(2026, 5, 30, 16, 45), 15)


def test_first_free_slot_none_when_nothing_is_free():
    closed = set(window_days(REVIEW))
    assert first_free_slot(REVIEW, NINE_TO_FIVE, [], closed, 30, LONDON) is None
