"""The handout's rules, without printing: red flags, advice, visits, map numbers."""

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from planner.reports.advice import ADVICE
from planner.reports.advice import BREASTFEEDING
from planner.reports.advice import STRONGER_SIDE
from planner.reports.advice import TELL_OTHERS
from planner.reports.advice import good_to_know
from planner.reports.appointments import NextAppointment
from planner.reports.appointments import VisitState
from planner.reports.appointments import patient_visits
from planner.reports.maps import NUMBER_PER_RADIUS
from planner.reports.maps import legible_radius
from planner.reports.red_flags import RED_FLAGS
from planner.reports.red_flags import Urgency
from planner.reports.red_flags import red_flags_for
from planner.reports.sourced import CLINIC_ADVICE
from tests.factories import FACE_MAP

ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


def test_each_symptom_has_exactly_one_rule():
    keys = [flag.key for flag in RED_FLAGS]
    texts = [flag.symptom.text for flag in RED_FLAGS]
    assert len(keys) == len(set(keys))
    assert len(texts) == len(set(texts))


def said(flags):
    """Join the text of every line of the rules given, in lower case."""
    return " ".join(line.text for flag in flags for line in flag.lines).lower()


def test_the_emergency_rules_are_the_boxed_warning_and_an_allergic_reaction():
    emergency = said(red_flags_for(set())[Urgency.EMERGENCY])
    for sign in ("breathing", "swallowing", "allergic reaction", "hives", "faint"):
        assert sign in emergency
    assert "voice" in emergency
    same_day = said(red_flags_for(set())[Urgency.SAME_DAY])
    for sign in ("double vision", "blurred", "will not close"):
        assert sign in same_day


def test_a_part_of_the_face_brings_its_rule_only_when_treated():
    untreated = red_flags_for(set())
    treated = red_flags_for({"neck", "smile"})
    assert "head up" not in said(untreated[Urgency.EMERGENCY])
    assert "head up" in said(treated[Urgency.EMERGENCY])
    assert "smile" in said(treated[Urgency.WORKING_HOURS])
    tied = {flag.advice for flag in RED_FLAGS if flag.advice}
    assert tied <= set(ADVICE)


@pytest.mark.parametrize("advice", list(ADVICE.values()), ids=lambda a: a.key)
def test_tailored_advice_never_says_when_to_call_or_calls_a_red_flag_normal(advice):
    text = " ".join(point.text for point in advice.points).lower()
    assert "call" not in text
    for normalised in (
        "not close",
        "on its own",
        "swallowing may",
        "double",
        "droop",
        "voice",
    ):
        assert normalised not in text, normalised


def every_line():
    """Yield each line of advice the handout can print."""
    for flag in RED_FLAGS:
        yield from flag.lines
    for advice in ADVICE.values():
        yield from advice.points
    yield from (TELL_OTHERS, BREASTFEEDING, STRONGER_SIDE)


def test_every_line_has_its_source_or_is_the_clinics_own():
    # Reference 6.3: "protect the eye: lubricants, taping at night; UNSOURCED
    # for this use"; 1.3: "dry eye ... (UNSOURCED for synkinesis specifically)";
    # the allergy signs and "small sips" are not in the reference at all.
    for line in every_line():
        assert line.clinics_own or re.search(r"\[S[-\w]+\]|reference \d", line.source)
    own = sorted(line.text for line in every_line() if line.clinics_own)
    assert [text[:24] for text in own] == [
        "An allergic reaction: an",
        "Protect it first: use ey",
        "Take small sips and bite",
        "{part} may feel dry or g",
    ]
    assert CLINIC_ADVICE == "Your clinic's advice"


def test_breastfeeding_advice_goes_to_anyone_who_may_breastfeed():
    assert good_to_know(may_breastfeed=True) == [TELL_OTHERS, BREASTFEEDING]
    assert good_to_know(may_breastfeed=False) == [TELL_OTHERS]


def visit(status, *, due=date(2026, 12, 20), starts=None, kind="Review"):
    return NextAppointment(1, kind, status, starts, due, None, None)


@pytest.mark.parametrize(
    ("appointment", "state"),
    [
        (visit("proposed"), VisitState.TO_BOOK),
        (visit("proposed", due=date(2026, 12, 10)), VisitState.TO_BOOK),
        (visit("proposed", due=date(2026, 12, 9)), VisitState.BOOK_NOW),
        (visit("missed"), VisitState.BOOK_NOW),
        (
            visit("booked", starts=datetime(2026, 12, 11, 9, tzinfo=UTC)),
            VisitState.BOOKED,
        ),
        (visit("booked", starts=datetime(2026, 12, 9, 9, tzinfo=UTC)), None),
        (visit("attended"), None),
        (visit("cancelled"), None),
    ],
)
def test_a_visit_is_worded_without_ever_printing_a_past_date(appointment, state):
    found = patient_visits([appointment], now=NOW, zone=ZONE)
    assert [v.state for v in found] == ([] if state is None else [state])
    for worded in found:
        if worded.state == VisitState.BOOK_NOW:
            assert worded.starts_at is None
            assert worded.due_date is None


@pytest.mark.parametrize(("width", "points"), [(104.0, 10.0), (88.0, 7.0)])
def test_the_legible_floor_is_the_smallest_dot_whose_number_reaches_the_size(
    width, points
):
    floor = legible_radius(FACE_MAP, width_mm=width, min_pt=points)
    mm_per_unit = width / FACE_MAP.view_box[2]

    def printed_pt(radius):
        return radius * NUMBER_PER_RADIUS * mm_per_unit * 72 / 25.4

    assert printed_pt(floor) >= points
    assert printed_pt(floor * 0.95) < points + 0.05


def test_a_map_too_narrow_for_its_numbers_is_refused():
    with pytest.raises(ValueError, match="cannot print"):
        legible_radius(FACE_MAP, width_mm=40, min_pt=10)
