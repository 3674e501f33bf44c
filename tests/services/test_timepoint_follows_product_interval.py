"""A score's time point counts the next cycle from its product's own interval.

The next cycle is due where the cycle's full treatment's re-treatment window
opens (``scheduling.retreatment_opens_day``): the clinic's opening day (12 weeks
as shipped) or that treatment's product's minimum interval as the chair's
``interval_short`` reads it (for Dysport the clinic's setting
``min_interval_days.dysport``), whichever is later. So with Dysport at 100 days
a score on day 90 is not yet the next cycle's pre-treatment score, as a Dysport
full treatment that day would still be under its interval; Botox's label keeps
84 days, and Dysport at 70 days keeps the clinic's 12 weeks.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import Product
from planner.models import Role
from planner.services import outcomes
from planner.services.audit import Actor
from planner.services.schedule_settings import follow_up_days
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from tests.factories import ZONE
from tests.services.test_other_product_top_up import treat

D0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
KEY = "min_interval_days.dysport"
SAQ = {f"q{n}": 3 for n in range(1, 10)}
DOSES = {"botox": 4, "dysport": 15}

# (full treatment's product, Dysport's interval, the day the next cycle is due)
DUE = [("botox", 100, 84), ("dysport", 70, 84), ("dysport", 100, 100)]
EACH = pytest.mark.parametrize(
    ("product", "interval", "due"),
    DUE,
    ids=["botox", "dysport-70", "dysport-100"],
)


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN)
    return Actor(user.id, user.email)


def set_dysport_interval(session, admin, days):
    update_setting(
        session,
        admin,
        KEY,
        str(days),
        version=get_setting(session, KEY).version,
        now=D0 - timedelta(days=1),
        zone=ZONE,
    )


def treated(session, injector, make_patient, product):
    patient = make_patient()
    sites = [("mentalis", "left", DOSES[product])]
    treat(session, injector, patient, sites, D0, product, sign=True)
    return patient


def record(session, actor, patient, timepoint, when):
    return outcomes.record_assessment(
        session, actor, patient.id, "saq", SAQ, timepoint=timepoint, zone=ZONE, now=when
    )


@EACH
def test_a_pre_treatment_score_fits_from_the_products_window(
    session, injector, admin, make_patient, product, interval, due
):
    set_dysport_interval(session, admin, interval)
    patient = treated(session, injector, make_patient, product)

    before = D0 + timedelta(days=due - 1)
    with pytest.raises(InvalidInput) as refused:
        record(session, injector, patient, "pre_treatment", before)
    assert f"from day {due}" in refused.value.fields["timepoint"]
    assert record(session, injector, patient, "wear_off", before)

    on = D0 + timedelta(days=due)
    saved = record(session, injector, patient, "pre_treatment", on)
    assert saved.timepoint == "pre_treatment"


@EACH
def test_the_suggested_time_point_follows_the_products_window(
    session, injector, admin, make_patient, product, interval, due
):
    set_dysport_interval(session, admin, interval)
    patient = treated(session, injector, make_patient, product)

    def suggested(days):
        day = (D0 + timedelta(days=days)).date()
        return outcomes.suggest_timepoint(session, patient.id, day=day, zone=ZONE)

    assert suggested(due - 1) == "other"
    assert suggested(due) == "pre_treatment"


def test_a_dysport_score_on_day_90_at_100_days_is_the_cycles_wear_off(
    session, injector, admin, make_patient
):
    """Self-entered without a time point, it is suggested, not the next cycle's."""
    set_dysport_interval(session, admin, 100)
    patient = treated(session, injector, make_patient, "dysport")
    saved = outcomes.record_assessment(
        session,
        injector,
        patient.id,
        "saq",
        SAQ,
        timepoint=None,
        zone=ZONE,
        now=D0 + timedelta(days=90),
        self_entered=True,
    )
    assert saved.timepoint == "other"


@EACH
def test_the_follow_up_days_read_the_products_interval(
    session, admin, product, interval, due
):
    set_dysport_interval(session, admin, interval)
    stored = session.exec(select(Product).where(Product.code == product)).one()
    assert follow_up_days(session, stored).retreat_first == due
    # No full treatment yet: the clinic's own opening day.
    assert follow_up_days(session, None).retreat_first == 84


def set_opening_weeks(session, admin, weeks):
    key = "retreat_window_start_weeks"
    update_setting(
        session,
        admin,
        key,
        str(weeks),
        version=get_setting(session, key).version,
        now=D0 - timedelta(days=1),
        zone=ZONE,
    )


LABEL = "[S20] Botox label: more often than every 3 months may cause tolerance"
# (product, Dysport's interval, the clinic's opening in weeks, the due day and
# whose figure it is): Botox's 84 days are its label's even where the clinic's
# 12 weeks fall on the same day; Dysport's are the clinic's setting, shipped or
# changed; and a clinic opening later than Botox's label is the clinic's own.
WHOSE = [
    (
        "botox",
        84,
        12,
        f"from day 84 (12 weeks), Botox's minimum interval, not a "
        f"clinic setting ({LABEL})",
    ),
    (
        "dysport",
        84,
        12,
        "from day 84 (12 weeks), a clinic setting: Dysport's "
        "minimum interval (no source gives Dysport an interval)",
    ),
    (
        "dysport",
        100,
        12,
        "from day 100 (100 days), a clinic setting: Dysport's "
        "minimum interval (no source gives Dysport an interval)",
    ),
    (
        "botox",
        84,
        14,
        "from day 98 (14 weeks), a clinic setting: the clinic's "
        "re-treatment window opens then",
    ),
]


@pytest.mark.parametrize(
    ("product", "interval", "weeks", "whose"),
    WHOSE,
    ids=["botox", "dysport", "dysport-changed", "botox-clinic-opening"],
)
def test_a_refused_pre_treatment_score_says_whose_figure_the_day_is(
    session, injector, admin, make_patient, product, interval, weeks, whose
):
    set_dysport_interval(session, admin, interval)
    set_opening_weeks(session, admin, weeks)
    patient = treated(session, injector, make_patient, product)

    with pytest.raises(InvalidInput) as refused:
        record(session, injector, patient, "pre_treatment", D0 + timedelta(days=80))
    said = refused.value.fields["timepoint"]
    assert said == (
        "it is day 80 after the treatment: a score before treatment is taken on "
        f"the day of the next treatment, or once it is due {whose}"
    )
