"""A closed vial or an expired lot is refused alike, picked from the list or typed.

Typing a vial's details again as "a new vial" used to find the same vial row
(same lot and reconstitution time) and draw from it although it was closed, and
took a lot past its expiry that the list refused. One rule now covers both
paths, on the clinic's day and clock (clinical reference §5: expiry evidences
that the product was in date [S61] [S62]). The stock ledger says whether a
closed vial's units are missing from the records (a shortfall) or more were
recorded than it held (an over-draw).
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.models import TreatmentSession
from planner.services import amendments as amendment_service
from planner.services import sessions as session_service
from planner.services import stock as stock_service
from planner.services import stock_ledger as ledger
from planner.services.audit import Actor
from planner.services.lots import get_product
from planner.services.session_vials import choose_vial
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import treatment_form

# 10:00 on the clinic's clock (London summer time) on the day the vial is made up.
MADE_UP = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
CLOSED = MADE_UP + timedelta(hours=2)
# (chin dose, vial size, diluent, unit name)
PRODUCTS = {
    "botox": (4, 100, 2.5, "U"),
    "dysport": (10, 300, 2.5, "U (Speywood)"),
    "xeomin": (4, 100, 2.5, "U"),
    "daxxify": (8, 100, 1.25, "U"),
}


def vial_fields(code, **overrides):
    _, vial, diluent, _ = PRODUCTS[code]
    return {
        "lot_choice": "new",
        "lot_number": "R7140",
        "expiry_date": "2027-06-30",
        "vial_units": vial,
        "diluent_ml": diluent,
        "reconstituted_at": MADE_UP.isoformat(),
        **overrides,
    }


def chin(session, actor, patient, code, when, **vial):
    return make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", PRODUCTS[code][0])],
        when=when,
        sign=True,
        product=code,
        **vial,
    )


def close_vial(session, actor, treatment):
    """Close the treatment's vial at the end of the session, its rest wasted."""
    stock_service.close_vial(
        session,
        actor,
        treatment.record.vial_lot_id,
        {"reason": "end_of_session"},
        now=CLOSED,
        zone=ZONE,
    )


def pick(session, actor, code, lot_choice, data, now):
    return choose_vial(
        session, actor, get_product(session, code), lot_choice, data, zone=ZONE, now=now
    )


@pytest.mark.parametrize("code", list(PRODUCTS))
def test_a_closed_vial_is_not_drawn_from_again_typed_or_listed(
    session, make_patient, injector, code
):
    first = chin(session, injector, make_patient(), code, MADE_UP, **vial_fields(code))
    vial = first.record.vial_lot_id
    close_vial(session, injector, first)
    later = CLOSED + timedelta(hours=1)

    with pytest.raises(InvalidInput) as listed:
        pick(session, injector, code, str(vial), {}, later)
    assert listed.value.fields == {
        "lot_choice": "is closed; choose a vial, or a new vial and its details"
    }
    with pytest.raises(InvalidInput) as typed:
        pick(session, injector, code, "new", vial_fields(code), later)
    assert typed.value.message == listed.value.message == "That vial is closed."
    (reason,) = typed.value.fields.values()
    assert list(typed.value.fields) == ["lot_number"]
    # The clinic's clock: 11:00 UTC is 12:00 in a London summer.
    assert "was closed at 12:00 on 14 Jul 2026" in reason
    session.rollback()

    # Another vial of the lot, made up later, is a vial of its own.
    other = vial_fields(code, reconstituted_at=later.isoformat())
    assert pick(session, injector, code, "new", other, later).id != vial


@pytest.mark.parametrize("code", list(PRODUCTS))
def test_a_lot_past_its_expiry_on_the_clinics_day_is_refused_typed_or_listed(
    session, make_patient, injector, code
):
    expiry = {"expiry_date": MADE_UP.date().isoformat()}
    first = chin(
        session, injector, make_patient(), code, MADE_UP, **vial_fields(code, **expiry)
    )
    # 23:30 in London on the expiry day: in date, typed again or another vial.
    last_evening = datetime(2026, 7, 14, 22, 30, tzinfo=UTC)
    another = vial_fields(code, **expiry, reconstituted_at=last_evening.isoformat())
    assert pick(session, injector, code, "new", another, last_evening)
    session.rollback()

    # 00:30 in London on the next day is still the expiry day in UTC.
    half_past_midnight = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput) as listed:
        pick(
            session,
            injector,
            code,
            str(first.record.vial_lot_id),
            {},
            half_past_midnight,
        )
    assert "past its expiry" in listed.value.fields["lot_choice"]
    # The same vial typed again, or another vial of the lot: refused alike.
    for typed_again in (vial_fields(code, **expiry), another):
        with pytest.raises(InvalidInput) as typed:
            pick(session, injector, code, "new", typed_again, half_past_midnight)
        assert typed.value.message == listed.value.message
        assert typed.value.fields == {
            "expiry_date": "is 14 Jul 2026, before today (15 Jul 2026): a vial past "
            "its expiry is not used; check the carton"
        }


def test_opening_a_session_on_a_closed_vial_typed_as_new_is_refused(
    session, make_patient, injector
):
    """The session form's path: no chart is opened, and the error names lot_number."""
    first = chin(
        session, injector, make_patient(), "dysport", MADE_UP, **vial_fields("dysport")
    )
    close_vial(session, injector, first)
    later = MADE_UP + timedelta(hours=3)
    form = treatment_form(later, product="dysport", **vial_fields("dysport"))
    with pytest.raises(InvalidInput) as refused:
        session_service.open_session(
            session, injector, make_patient().id, form, zone=ZONE, now=later
        )
    assert "lot_number" in refused.value.fields


def amend_dose(session, actor, treatment, units):
    """Correct the one site's dose, giving a reason for any warning it raises."""
    request = {
        "version": session.get(TreatmentSession, treatment.id).version,
        "reason": "The dose given was typed wrongly.",
        "corrections": [{"site_id": treatment.sites[0].id, "units": units}],
    }
    later = MADE_UP + timedelta(hours=3)
    try:
        amendment_service.amend_session(
            session, actor, treatment.id, request, zone=ZONE, now=later
        )
    except InvalidInput as asked:
        reasons = {key.removeprefix("reasons."): "Given." for key in asked.fields}
        amendment_service.amend_session(
            session,
            actor,
            treatment.id,
            {**request, "reasons": reasons},
            zone=ZONE,
            now=later,
        )


@pytest.fixture
def staff(make_user):
    user = make_user(Role.STAFF)
    return Actor(user.id, user.email)


@pytest.mark.parametrize("code", ["botox", "dysport"])
@pytest.mark.parametrize(
    ("corrected", "problem"),
    [
        (
            1.5,
            "{diff} {unit} more is charted on signed sessions and recorded as waste "
            "than the closed vials held: a vial was drawn from after it was closed, "
            "or a dose or waste entry is wrong",
        ),
        (
            0.5,
            "{diff} {unit} in closed vials is neither charted on a signed session "
            "nor recorded as waste",
        ),
    ],
    ids=["over-draw", "shortfall"],
)
def test_the_ledger_tells_an_over_draw_from_a_shortfall(
    session, make_patient, injector, staff, code, corrected, problem
):
    """A dose corrected after its vial was closed: more, or less, than recorded."""
    dose, vial, _, unit = PRODUCTS[code]
    stock_service.receive_stock(
        session,
        staff,
        {
            "product": code,
            "lot_number": "R7140",
            "expiry_date": "2027-06-30",
            "vial_units": str(vial),
            "vials": "2",
            "supplier": "Wholesaler",
            "received_on": MADE_UP.date().isoformat(),
            "storage_place": "Fridge",
        },
        today=MADE_UP.date(),
    )
    first = chin(session, injector, make_patient(), code, MADE_UP, **vial_fields(code))
    close_vial(session, injector, first)
    amend_dose(session, injector, first, dose * corrected)
    session.expire_all()
    (lot,) = ledger.lot_balances(session)
    diff = abs(dose * corrected - dose)
    assert lot.problems == [problem.format(diff=f"{diff:g}", unit=unit)]
