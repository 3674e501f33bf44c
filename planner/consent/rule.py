"""Whether a patient's consent lets a treatment of that kind be signed.

The rule, as issue 20 sets it: the consent in force is the patient's latest for
the form's kind. It is valid when it was given for the form's current version,
was not withdrawn, and is younger than the clinic's re-consent age (a labelled
clinic setting, 12 months by default: not a clinical fact). A consent recorded
with a reason (a paper form scanned elsewhere) counts as a signature would.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from planner.consent.kinds import ConsentMethod


@dataclass(frozen=True)
class ConsentEvidence:
    """One recorded consent, as the rule needs it (days on the clinic's calendar)."""

    form_version: int
    signed_on: date
    method: ConsentMethod
    withdrawn_on: date | None = None
    reason: str | None = None
    record_id: int | None = None


@dataclass(frozen=True)
class ConsentDecision:
    """The rule's answer: ``valid``, and a sentence saying why, for the chart.

    ``badge``: when not valid, the same answer in a few words, for a badge shown
    before treatment (Today's clinic, the patient page); empty when valid.
    """

    valid: bool
    message: str
    evidence: ConsentEvidence | None = None
    expires_on: date | None = None
    badge: str = ""


def expires_on(signed_on: date, months: int) -> date:
    """Return the first day a consent given on ``signed_on`` no longer counts.

    Calendar months: 31 January plus one month is 28 (or 29) February.
    """
    month_index = signed_on.month - 1 + months
    year = signed_on.year + month_index // 12
    month = month_index % 12 + 1
    day = min(signed_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _short_day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def decide_consent(
    evidence: Sequence[ConsentEvidence],
    *,
    current_version: int,
    today: date,
    valid_months: int,
    form_name: str = "consent form",
) -> ConsentDecision:
    """Decide whether the latest consent given on or before ``today`` is valid.

    :param valid_months: the clinic's re-consent age in months (at least 1).
    """
    if valid_months < 1:
        raise ValueError("valid_months must be at least 1")
    given = [item for item in evidence if item.signed_on <= today]
    if not given:
        return ConsentDecision(
            False,
            f"The patient has not signed the {form_name} yet: ask them to sign "
            "it, or record why consent is held elsewhere.",
            badge="Consent needed: none signed",
        )
    latest = max(given, key=lambda item: (item.signed_on, item.record_id or 0))
    if latest.withdrawn_on is not None and latest.withdrawn_on <= today:
        return ConsentDecision(
            False,
            f"The patient withdrew their {form_name} on "
            f"{_day(latest.withdrawn_on)}: they must sign again before treatment.",
            latest,
            badge=f"Consent needed: withdrawn {_short_day(latest.withdrawn_on)}",
        )
    if latest.form_version != current_version:
        return ConsentDecision(
            False,
            f"The patient signed version {latest.form_version} of the {form_name}; "
            f"it is now version {current_version}: ask them to read and sign the "
            "new version.",
            latest,
            badge=(
                f"Consent needed: signed version {latest.form_version}, "
                f"the form is now version {current_version}"
            ),
        )
    ends = expires_on(latest.signed_on, valid_months)
    if today >= ends:
        return ConsentDecision(
            False,
            f"The patient's {form_name} was signed on {_day(latest.signed_on)}, "
            f"more than {valid_months} months ago (the clinic's re-consent age): "
            "ask them to sign again.",
            latest,
            ends,
            badge=(
                f"Consent needed: signed {_short_day(latest.signed_on)}, "
                f"over {valid_months} months ago"
            ),
        )
    if latest.method == ConsentMethod.RECORDED:
        message = (
            f"Consent recorded on {_day(latest.signed_on)} with the reason: "
            f"{latest.reason or 'none given'}."
        )
    else:
        message = (
            f"Version {latest.form_version} signed on {_day(latest.signed_on)}; "
            f"re-consent due on {_day(ends)}."
        )
    return ConsentDecision(True, message, latest, ends)


def decide_photos_page_answer(
    recorded_on: date, *, answer: str, today: date, valid_months: int
) -> ConsentDecision:
    """Decide whether photography consent recorded only on the photos page is valid.

    With no signed form to judge, the answer recorded there ages as a signature
    would: valid from its clinic day for the re-consent age, then it no longer
    counts until it is recorded again or the patient signs the form.

    :param answer: the recorded answer in words, e.g. "Clinical record only".
    """
    if valid_months < 1:
        raise ValueError("valid_months must be at least 1")
    ends = expires_on(recorded_on, valid_months)
    if today >= ends:
        return ConsentDecision(
            False,
            "Photography consent was recorded on the photos page on "
            f"{_day(recorded_on)}, more than {valid_months} months ago (the "
            "clinic's re-consent age): record the patient's answer again on the "
            "photos page, or ask them to sign the photography consent form.",
            expires_on=ends,
            badge=(
                f"Photo consent needed: recorded {_short_day(recorded_on)}, "
                f"over {valid_months} months ago"
            ),
        )
    return ConsentDecision(
        True,
        f"Recorded on the photos page on {_day(recorded_on)} ({answer}), with no "
        f"signed form; re-consent due on {_day(ends)}.",
        expires_on=ends,
    )
