"""Printing the diary link again changes nothing; a new link is a deliberate act."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import Conflict
from planner.errors import NotFound
from planner.models import DiaryLink
from planner.services.diary_links import open_diary
from planner.services.diary_links import revoke_diary_link
from planner.services.diary_reprint import give_new_link
from planner.services.diary_reprint import printable_link
from planner.services.diary_tokens import link_key
from planner.services.diary_tokens import token_digest
from tests.factories import CHIN_DOSES
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import audit_events
from tests.factories import make_treatment
from tests.factories import sign_chin

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
CLIENT = "203.0.113.9"


@pytest.fixture
def signed(session, injector, make_patient):
    def signed(product="botox", key=DIARY_KEY, when=NOW):
        patient = make_patient()
        treatment = sign_chin(
            session,
            injector,
            patient.id,
            when=when,
            product=product,
            lot_number=f"R{product[:2]}{patient.id}",
        )
        return patient, treatment

    return signed


def opens(session, token, now=NOW):
    return open_diary(session, token, client=CLIENT, now=now, zone=ZONE) is not None


@pytest.mark.parametrize("product", sorted(CHIN_DOSES))
def test_printing_twice_shows_the_same_link_and_writes_nothing(
    session, signed, product
):
    _, treatment = signed(product)
    link = session.exec(select(DiaryLink)).one()
    assert link.token_nonce is not None
    stored, trail = link.model_dump(), len(audit_events(session, "diary_link"))
    first = printable_link(session, treatment.id, key=DIARY_KEY, now=NOW, zone=ZONE)
    second = printable_link(session, treatment.id, key=DIARY_KEY, now=NOW, zone=ZONE)
    assert first.printed is not None
    assert first == second
    assert token_digest(first.printed.token) == link.token_hash
    # The nonce is no token: the stored row holds nothing that opens the diary.
    assert first.printed.token not in str(stored)
    session.expire_all()
    assert session.exec(select(DiaryLink)).one().model_dump() == stored
    assert len(audit_events(session, "diary_link")) == trail
    assert not opens(session, link.token_nonce)
    assert opens(session, first.printed.token)


def test_a_link_that_cannot_be_derived_prints_as_ask_the_clinic(session, signed):
    _, treatment = signed()
    other_key = link_key("another secret key")
    found = printable_link(session, treatment.id, key=other_key, now=NOW, zone=ZONE)
    assert found is not None
    assert found.printed is None


def test_a_link_signed_without_the_key_prints_as_ask_the_clinic(
    session, injector, make_patient, monkeypatch
):
    # As a link issued before nonces: only its hash was ever kept.
    monkeypatch.setattr("tests.factories.DIARY_KEY", None)
    patient = make_patient()
    treatment = make_treatment(
        session, injector, patient.id, [("mentalis", "left", 4)], when=NOW, sign=True
    )
    assert session.exec(select(DiaryLink)).one().token_nonce is None
    found = printable_link(session, treatment.id, key=DIARY_KEY, now=NOW, zone=ZONE)
    assert found is not None
    assert found.printed is None


def test_no_open_link_prints_nothing(session, injector, signed):
    patient, treatment = signed()
    link = session.exec(select(DiaryLink)).one()
    later = NOW + timedelta(weeks=27)
    assert (
        printable_link(session, treatment.id, key=DIARY_KEY, now=later, zone=ZONE)
        is None
    )
    revoke_diary_link(session, injector, patient.id, link.id, now=NOW)
    assert (
        printable_link(session, treatment.id, key=DIARY_KEY, now=NOW, zone=ZONE) is None
    )


@pytest.mark.parametrize("product", sorted(CHIN_DOSES))
def test_a_new_link_stops_the_old_one_and_keeps_the_cycle(
    session, injector, signed, product
):
    patient, treatment = signed(product)
    old = printable_link(session, treatment.id, key=DIARY_KEY, now=NOW, zone=ZONE)
    link = session.exec(select(DiaryLink)).one()
    later = NOW + timedelta(days=3)
    given = give_new_link(
        session, injector, patient.id, link.id, key=DIARY_KEY, now=later, zone=ZONE
    )
    assert given.token != old.printed.token
    assert (given.link_id, given.session_id) == (link.id, treatment.id)
    assert given.expires_on == old.printed.expires_on
    assert not opens(session, old.printed.token, later)
    assert opens(session, given.token, later)
    again = printable_link(session, treatment.id, key=DIARY_KEY, now=later, zone=ZONE)
    assert again.printed.token == given.token
    (given_event,) = [
        e
        for e in audit_events(session, "diary_link")
        if "new link given" in str(e.after)
    ]
    assert given_event.actor_email == injector.email
    assert given.token not in str(
        [event.after for event in audit_events(session, "diary_link")]
    )


def test_a_new_link_is_refused_for_a_closed_or_anothers_link(session, injector, signed):
    patient, _ = signed()
    other, _ = signed()
    link = session.exec(
        select(DiaryLink).where(DiaryLink.patient_id == patient.id)
    ).one()
    with pytest.raises(NotFound):
        give_new_link(
            session, injector, other.id, link.id, key=DIARY_KEY, now=NOW, zone=ZONE
        )
    revoke_diary_link(session, injector, patient.id, link.id, now=NOW)
    with pytest.raises(Conflict, match="no longer open"):
        give_new_link(
            session, injector, patient.id, link.id, key=DIARY_KEY, now=NOW, zone=ZONE
        )
