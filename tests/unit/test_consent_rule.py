"""The consent rule and the signature strokes, without an app."""

import json
from datetime import date

import pytest

from planner.consent import ConsentEvidence
from planner.consent import ConsentMethod
from planner.consent import StrokeError
from planner.consent import decide_consent
from planner.consent import expires_on
from planner.consent import form_blocks
from planner.consent import parse_strokes
from planner.consent import render_signature_svg
from planner.consent.defaults import DEFAULT_FORMS

TODAY = date(2026, 12, 5)


def signed(on: date, version: int = 2, **extra) -> ConsentEvidence:
    return ConsentEvidence(
        form_version=version, signed_on=on, method=ConsentMethod.DRAWN, **extra
    )


def decide(evidence, *, version=2, today=TODAY, months=12):
    return decide_consent(
        evidence, current_version=version, today=today, valid_months=months
    )


def test_a_signature_on_the_current_version_within_the_age_is_valid():
    decision = decide([signed(date(2026, 6, 1))])
    assert decision.valid
    assert decision.expires_on == date(2027, 6, 1)
    assert "Version 2 signed on 1 June 2026" in decision.message


def test_no_consent_is_refused_and_says_what_to_do():
    decision = decide([])
    assert not decision.valid
    assert "has not signed" in decision.message
    assert "record why" in decision.message


def test_an_older_version_asks_for_the_new_one():
    decision = decide([signed(date(2026, 11, 1), version=1)])
    assert not decision.valid
    assert "signed version 1" in decision.message
    assert "now version 2" in decision.message


@pytest.mark.parametrize(
    ("months", "signed_on", "valid"),
    [
        (12, date(2025, 12, 6), True),  # the last day before the anniversary
        (12, date(2025, 12, 5), False),  # twelve months to the day
        (6, date(2026, 6, 5), False),
        (6, date(2026, 6, 6), True),
        (24, date(2025, 1, 1), True),
    ],
)
def test_the_clinic_age_asks_for_re_consent(months, signed_on, valid):
    decision = decide([signed(signed_on)], months=months)
    assert decision.valid is valid
    if not valid:
        assert f"more than {months} months ago" in decision.message


def test_a_withdrawn_consent_is_refused_even_when_recent():
    decision = decide([signed(date(2026, 11, 1), withdrawn_on=date(2026, 12, 1))])
    assert not decision.valid
    assert "withdrew" in decision.message
    assert "1 December 2026" in decision.message


def test_a_new_signature_after_a_withdrawal_counts():
    old = signed(date(2026, 10, 1), withdrawn_on=date(2026, 10, 2), record_id=1)
    new = signed(date(2026, 11, 1), record_id=2)
    assert decide([old, new]).valid


def test_a_recorded_reason_counts_and_is_quoted():
    reason = ConsentEvidence(
        form_version=2,
        signed_on=date(2026, 12, 1),
        method=ConsentMethod.RECORDED,
        reason="Paper form scanned into the hospital record",
    )
    decision = decide([reason])
    assert decision.valid
    assert "Paper form scanned" in decision.message


def test_a_recorded_reason_for_an_old_version_or_too_old_is_refused():
    old_version = ConsentEvidence(2 - 1, date(2026, 12, 1), ConsentMethod.RECORDED)
    too_old = ConsentEvidence(2, date(2024, 1, 1), ConsentMethod.RECORDED)
    assert not decide([old_version]).valid
    assert not decide([too_old]).valid


def test_a_consent_given_after_the_day_does_not_count():
    assert not decide([signed(date(2026, 12, 6))]).valid


def test_months_are_calendar_months():
    assert expires_on(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert expires_on(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_the_age_is_at_least_a_month():
    with pytest.raises(ValueError, match="at least 1"):
        decide([], months=0)


STROKE = [[10, 10], [50, 40], [120, 60]]


def test_strokes_are_read_rounded_and_drawn_as_svg():
    strokes = parse_strokes(json.dumps([[[10.04, 20.06], [100, 150]], [[300, 100]]]))
    assert strokes == [[(10.0, 20.1), (100.0, 150.0)], [(300.0, 100.0)]]
    svg = render_signature_svg(strokes, label='Signature of "Ada" <Okafor>')
    assert svg.startswith("<svg")
    assert "M10 20.1L100 150" in svg
    assert "M300 100h0.1" in svg
    assert "&lt;Okafor&gt;" in svg
    assert "<Okafor>" not in svg


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "is empty"),
        ("[]", "is empty"),
        ("not json", "not readable"),
        ('{"a": 1}', "is empty"),
        ("[[]]", "no points"),
        ("[[[1, 2, 3]]]", "pair of numbers"),
        ('[[["1", 2]]]', "pair of numbers"),
        ("[[[true, 2], [50, 50]]]", "pair of numbers"),
        ("[[[700, 10], [10, 10]]]", "outside the signature box"),
        ("[[[-1, 10], [10, 10]]]", "outside the signature box"),
        ("[[[10, 10], [11, 10]]]", "too short"),
        ("[[[1e999, 10]]]", "finite"),
        (json.dumps([STROKE] * 61), "more than 60 strokes"),
        (json.dumps([[[1, 1]] * 2001]), "too many points"),
        (json.dumps([[[1, 1]] * 1500] * 5), "too many points"),
        ("[" * 60_000 + "]" * 60_000, "too large"),
    ],
)
def test_bad_strokes_are_refused_by_name(text, says):
    with pytest.raises(StrokeError, match=says):
        parse_strokes(text)


def test_the_shipped_forms_read_as_headings_paragraphs_and_lists():
    for form in DEFAULT_FORMS.values():
        blocks = form_blocks(form.body)
        assert blocks[0].kind == "heading"
        assert any(block.kind == "list" for block in blocks)
    treatment = DEFAULT_FORMS["treatment"].body
    # The emergency signs of distant spread [S35] and that the effect wears off.
    for words in ("difficulty swallowing", "difficulty breathing", "wears off"):
        assert words in treatment
    assert "Other choices" in treatment
