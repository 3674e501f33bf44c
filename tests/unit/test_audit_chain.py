"""The audit trail's hash chain, as plain values (issue 18, finding 6)."""

from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from planner.audit_chain import GENESIS
from planner.audit_chain import ChainedEvent
from planner.audit_chain import event_hash
from planner.audit_chain import walk_chain
from planner.vocabulary import AuditAction

AT = datetime(2026, 12, 5, 9, 30, 1, 123456, tzinfo=UTC)


def content(number: int, **overrides):
    return {
        "at": AT + timedelta(seconds=number),
        "actor_id": 1,
        "actor_email": "a@example.org",
        "action": "update",
        "entity_type": "patient",
        "entity_id": number,
        "patient_id": number,
        "before": {"family_name": "Old"},
        "after": {"family_name": "New", "units": 2.5},
        "remote_addr": "10.0.0.1",
        **overrides,
    }


def chain(count):
    events, head = [], GENESIS
    for number in range(1, count + 1):
        values = content(number)
        own = event_hash(head, values)
        events.append(ChainedEvent(number, head, own, values))
        head = own
    return events


def test_an_untouched_chain_is_intact_and_reports_its_head():
    events = chain(5)
    report = walk_chain(events)
    assert report.intact
    assert report.events == 5
    assert (report.head_id, report.head_hash) == (5, events[-1].event_hash)


def test_an_empty_trail_is_intact_at_the_genesis_hash():
    report = walk_chain([])
    assert report.intact
    assert (report.events, report.head_id, report.head_hash) == (0, None, GENESIS)


def test_the_hash_is_the_same_for_the_values_as_the_database_returns_them():
    # The enum as the app writes it, the text as the database hands it back; a
    # zone other than UTC for the same instant; JSON keys and tuples round-tripped.
    written = content(1, action=AuditAction.UPDATE, before={1: ("a", 2)})
    read = content(
        1,
        at=(AT + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=5))),
        before={"1": ["a", 2]},
    )
    assert event_hash(GENESIS, written) == event_hash(GENESIS, read)


@pytest.mark.parametrize(
    "change",
    [
        {"actor_email": "b@example.org"},
        {"after": {"family_name": "New", "units": 25}},
        {"at": AT},
        {"patient_id": None},
        {"action": "delete"},
    ],
)
def test_an_edited_event_is_the_first_broken_link(change):
    events = chain(5)
    events[2] = replace(events[2], content={**events[2].content, **change})
    report = walk_chain(events)
    assert report.broken is not None
    assert report.broken.event_id == 3
    assert "content does not match" in report.broken.reason
    assert (report.events, report.head_id) == (2, 2)


def test_a_deleted_event_breaks_the_link_of_the_one_after_it():
    events = chain(5)
    del events[1]
    report = walk_chain(events)
    assert report.broken is not None
    assert report.broken.event_id == 3
    assert "event 1" in report.broken.reason


def test_a_replaced_event_with_its_own_fresh_hash_still_breaks_the_next_link():
    events = chain(5)
    forged = content(3, actor_email="someone@else.example")
    prev = events[1].event_hash
    events[2] = ChainedEvent(3, prev, event_hash(prev, forged), forged)
    report = walk_chain(events)
    assert report.broken is not None
    assert report.broken.event_id == 4


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="zone"):
        event_hash(GENESIS, content(1, at=datetime(2026, 1, 1)))
