"""Which visits and charts wait on treatment consent, without an app."""

import pytest

from planner.consent import treatment_consent_matters
from planner.vocabulary import AppointmentKind as Kind
from planner.vocabulary import AppointmentStatus as Status
from planner.vocabulary import SessionStatus as Chart


@pytest.mark.parametrize(
    ("kind", "status", "chart", "matters"),
    [
        (Kind.TREATMENT, Status.BOOKED, None, True),
        (Kind.TREATMENT, Status.BOOKED, Chart.DISCARDED, True),
        (Kind.TREATMENT, Status.BOOKED, Chart.DRAFT, True),
        # A top-up charted at a review is a draft like any other.
        (Kind.REVIEW, Status.BOOKED, Chart.DRAFT, True),
        (Kind.REVIEW, Status.PROPOSED, Chart.DRAFT, True),
        (Kind.TREATMENT, Status.BOOKED, Chart.SIGNED, False),
        (Kind.TREATMENT, Status.ATTENDED, None, False),
        (Kind.TREATMENT, Status.MISSED, None, False),
        (Kind.TREATMENT, Status.CANCELLED, None, False),
        (Kind.TREATMENT, Status.PROPOSED, None, False),
        (Kind.REVIEW, Status.BOOKED, None, False),
        (Kind.REVIEW, Status.PROPOSED, None, False),
        (Kind.ASSESSMENT, Status.BOOKED, None, False),
    ],
)
def test_consent_matters_where_a_signature_waits_on_it(kind, status, chart, matters):
    assert treatment_consent_matters(kind, status, chart) is matters
