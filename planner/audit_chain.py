"""The audit trail's hash chain: each event's hash covers its content and the last hash.

Pure: plain values in, hex digests out. An event's hash is SHA-256 over a
canonical JSON array of the previous event's hash and the event's own fields, so
changing any field of any event, or removing or replacing one, breaks the chain
from there on; ``first_broken_link`` walks it and names the first event that
does not fit.

A hash chain proves the trail has not been changed *unless* someone with write
access recomputes every hash after their edit. Writing the head (the newest
event's id and hash, printed by ``flask audit-verify``) somewhere else, such as
the backup log, pins the trail up to that point against that too.
"""

import hashlib
import json
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from enum import Enum
from typing import Any

GENESIS = "0" * 64
# The fields an event's hash covers, in this order. The id is left out: the
# database assigns it at the INSERT, and the order of the chain already fixes it.
FIELDS = (
    "at",
    "actor_id",
    "actor_email",
    "action",
    "entity_type",
    "entity_id",
    "patient_id",
    "before",
    "after",
    "remote_addr",
)


def _json_value(value: Any) -> Any:
    """Return a JSON column's value as the database hands it back.

    The trail's ``before`` and ``after`` go through ``json.dumps`` on the way in,
    so tuples come back as lists and integer keys as text; hashing the round
    trip makes the hash made at the INSERT the one a later read recomputes.
    """
    if value is None:
        return None
    return json.loads(json.dumps(value))


def _when(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("an audit event's time must carry its zone")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(content: Mapping[str, Any]) -> list[Any]:
    """Return an event's hashed fields as plain JSON values, in ``FIELDS`` order."""
    action = content["action"]
    return [
        _when(content["at"]),
        content["actor_id"],
        content["actor_email"],
        action.value if isinstance(action, Enum) else action,
        content["entity_type"],
        content["entity_id"],
        content["patient_id"],
        _json_value(content["before"]),
        _json_value(content["after"]),
        content["remote_addr"],
    ]


def event_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """Return the hash of an event whose predecessor's hash is ``prev_hash``."""
    text = json.dumps(
        [prev_hash, *canonical(content)],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainedEvent:
    """One stored event: its id, the two hashes it carries, and what they cover."""

    id: int
    prev_hash: str
    event_hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class BrokenLink:
    """The first event that does not fit the chain, and why."""

    event_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found."""

    events: int
    head_id: int | None
    head_hash: str
    broken: BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def walk_chain(events: Iterable[ChainedEvent]) -> ChainReport:
    """Check events in id order; stop at the first broken link.

    An edited event no longer matches its own hash; a deleted or replaced one
    leaves the next event naming a predecessor hash that is not there.
    """
    expected = GENESIS
    count = 0
    head_id: int | None = None
    for found in events:
        reason = None
        if found.prev_hash != expected:
            where = "the start" if head_id is None else f"event {head_id}"
            reason = (
                f"its previous-hash does not match {where}: an event before "
                "it was deleted, replaced or inserted out of turn"
            )
        elif event_hash(found.prev_hash, found.content) != found.event_hash:
            reason = (
                "its content does not match its hash: it was changed after "
                "it was written"
            )
        if reason is not None:
            return ChainReport(count, head_id, expected, BrokenLink(found.id, reason))
        expected = found.event_hash
        head_id = found.id
        count += 1
    return ChainReport(count, head_id, expected, None)
