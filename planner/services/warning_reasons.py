"""The reasons and overrides a chart's warnings need before it is signed or amended.

Every warning needs a reason; a hard stop also needs the signing injector's named
override. The record keeps each warning with its reason and who overrode it.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import Amendment
from planner.models import TreatmentSession
from planner.models import User
from planner.services.audit import Actor
from planner.services.chart_state_models import MuscleChoice

MAX_REASON = 1000
REASON_PREFIX = "reasons."
OVERRIDE_PREFIX = "overrides."
CORRECTION_PREFIX = "corrections."

# Each field a signature or an amendment is refused for, other than a warning's
# reason or override, in words: what reads right before the field's reason
# ("Injection sites: chart at least one injection site before signing"). The
# refusals' ``labels`` and the amendment form's labels are read from here.
FIELD_LABELS: Mapping[str, str] = {
    "version": "The chart's version",
    "consent_obtained": "Consent obtained for this treatment",
    "consent": "Treatment consent on file",
    "sites": "Injection sites",
    "doses": "Doses",
    "reasons": "Reasons for the warnings",
    "overrides": "Overrides of the hard stops",
    "reason": "Reason for the amendment",
    "note": "What is corrected",
    "corrections": "The corrections",
}


def reason_label(name: str, muscle_names: Mapping[str, str]) -> str:
    """Name a warning's reason box as a clinician reads it, from its warning.

    ``name`` is the box's field, ``reasons.<key>``; the key is the warning's
    code, muscle, side and site number, colon-joined (``safety.warning_key``),
    and is read back here so that a box typed into before the form was refused
    for another field keeps its words: "Reason for site 1, Mentalis (left):".
    A hard stop's ``overrides.<key>`` reads "Override for …" in the same words.
    ``muscle_names``: each muscle's display name, by code (the face map's).
    """
    what = "Override" if name.startswith(OVERRIDE_PREFIX) else "Reason"
    parts = name.removeprefix(OVERRIDE_PREFIX).removeprefix(REASON_PREFIX).split(":")
    muscle = parts[1] if len(parts) > 1 else ""
    side = parts[2] if len(parts) > 2 else ""
    site = next((part for part in parts[3:] if part.isdigit()), None)
    where = muscle_names.get(muscle, muscle.replace("_", " ")) if muscle else ""
    if side:
        where = f"{where} ({side})" if where else f"the {side} side"
    if site is not None:
        return (
            f"{what} for site {site}, {where}:" if where else f"{what} for site {site}:"
        )
    if where:
        return f"{what} for {where}:"
    if any(part.startswith("vial-") for part in parts[1:]):
        return f"{what} for a warning on a vial:"
    return f"{what} for a warning on the whole chart:"


def panel_reason_label(key: str, muscles: Iterable[MuscleChoice]) -> str:
    """Name the chart panel's reason box for the warning ``key`` in words.

    ``muscles``: the chart's muscle choices (``ChartState.muscles``).
    The same words as the amendment form's and the review sheet's boxes, less
    the colon: "Reason for site 1, Mentalis (left)".
    """
    names = {muscle.code: muscle.name for muscle in muscles}
    return reason_label(REASON_PREFIX + key, names).removesuffix(":")


def reason_labels(
    names: Iterable[str], muscle_names: Mapping[str, str]
) -> dict[str, str]:
    """Label each reason box among a form's fields ``names`` (``reason_label``)."""
    return {
        name: reason_label(name, muscle_names)
        for name in names
        if name.startswith(REASON_PREFIX)
    }


def field_label(name: str, muscle_names: Mapping[str, str]) -> str | None:
    """Name a refused field in words, less the colon, or None for a field no
    signature or amendment has (one the client made up keeps its own name).

    A reason or override is named by its warning ("Reason for site 4,
    Zygomaticus major (left)"); one correction of an amendment by its place in
    the list ("corrections.0.units": "Correction 1"); any other by ``FIELD_LABELS``.
    """
    if name.startswith((REASON_PREFIX, OVERRIDE_PREFIX)):
        return reason_label(name, muscle_names).removesuffix(":")
    place = name.removeprefix(CORRECTION_PREFIX).split(".")[0]
    if name.startswith(CORRECTION_PREFIX) and place.isdigit():
        return f"Correction {int(place) + 1}"
    return FIELD_LABELS.get(name)


def refusal_labels(
    fields: Iterable[str], muscle_names: Mapping[str, str]
) -> dict[str, str]:
    """Name each of a refusal's ``fields`` in words (``field_label``), for a
    client to show before the field's reason: a refused box the page does not
    show is named by its warning, never by its key, and "sites" reads
    "Injection sites".
    """
    named = {name: field_label(name, muscle_names) for name in fields}
    return {name: label for name, label in named.items() if label}


def reason_errors(
    warnings: list[dict[str, Any]],
    reasons: dict[str, str],
    overrides: set[str],
) -> dict[str, str]:
    """Name each warning still missing its reason, or its hard stop's override."""
    errors: dict[str, str] = {}
    for warning in warnings:
        key = warning["key"]
        if warning["needs_reason"] and not reasons.get(key):
            errors[REASON_PREFIX + key] = "needs a reason: " + warning["message"]
        if warning.get("hard_stop") and key not in overrides:
            errors[OVERRIDE_PREFIX + key] = (
                "is a hard stop: the signing injector overrides it by name, with a "
                "reason, or the treatment is not given. " + warning["message"]
            )
        if len(reasons.get(key, "")) > MAX_REASON:
            errors[REASON_PREFIX + key] = f"must be at most {MAX_REASON} characters"
    return errors


def kept_warnings(
    warnings: list[dict[str, Any]],
    reasons: dict[str, str],
    overrides: set[str],
    by: str,
) -> list[dict[str, Any]]:
    """Return the warnings as the record keeps them: reason, override and by whom."""
    kept = []
    for warning in warnings:
        key = warning["key"]
        entry = {**warning, "reason": reasons.get(key) or None}
        if warning.get("hard_stop") and key in overrides:
            entry["overridden_by"] = by
        kept.append(entry)
    return kept


def named(session: Session, actor: Actor) -> str:
    """Name the acting user as the record shows them: 'Eve Injector (eve@…)'."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    return f"{user.name} ({user.email})" if user else str(actor.email)


def _word_for_word(warning: dict[str, Any]) -> tuple[Any, Any]:
    return warning.get("key"), warning.get("message")


def new_warnings(
    record: TreatmentSession,
    warnings: list[dict[str, Any]],
    amended: list[list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Return the warnings neither the signed record nor any of its ``amended``
    lists (each amendment's, oldest first) already carried, word for word: a
    reason given once stands."""
    known = {_word_for_word(w) for w in record.warnings}
    known.update(_word_for_word(w) for kept in amended for w in kept)
    return [w for w in warnings if _word_for_word(w) not in known]


def amended_warnings(session: Session, session_id: int) -> list[list[dict[str, Any]]]:
    """Return the warnings each amendment of a session kept, oldest first."""
    kept = session.exec(
        select(Amendment.changes)
        .where(Amendment.session_id == session_id)
        .order_by(col(Amendment.created_at), col(Amendment.id))
    ).all()
    return [list(changes["warnings"]) for changes in kept if "warnings" in changes]


def standing_warnings(
    signed: list[dict[str, Any]], amended: list[list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Return a signed record's warnings as they stand after its amendments.

    The latest amendment's list is the chart's (each amendment re-runs every
    check); a warning it carries over keeps the reason, and the override, given
    when it was first raised, at signing or in an earlier amendment.
    """
    given: dict[tuple[Any, Any], dict[str, Any]] = {}
    for kept in [signed, *amended]:
        for warning in kept:
            if warning.get("reason") or warning.get("overridden_by"):
                given.setdefault(_word_for_word(warning), warning)
    latest = amended[-1] if amended else signed
    standing = []
    for warning in latest:
        entry = dict(warning)
        first = given.get(_word_for_word(warning), {})
        for field in ("reason", "overridden_by"):
            if not entry.get(field) and first.get(field):
                entry[field] = first[field]
        standing.append(entry)
    return standing
