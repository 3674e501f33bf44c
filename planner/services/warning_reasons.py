"""The reasons and overrides a chart's warnings need before it is signed or amended.

Every warning needs a reason; a hard stop also needs the signing injector's named
override. The record keeps each warning with its reason and who overrode it.
"""

from typing import Any

from sqlmodel import Session

from planner.models import TreatmentSession
from planner.models import User
from planner.services.audit import Actor

MAX_REASON = 1000


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
            errors[f"reasons.{key}"] = "needs a reason: " + warning["message"]
        if warning.get("hard_stop") and key not in overrides:
            errors[f"overrides.{key}"] = (
                "is a hard stop: the signing injector overrides it by name, with a "
                "reason, or the treatment is not given. " + warning["message"]
            )
        if len(reasons.get(key, "")) > MAX_REASON:
            errors[f"reasons.{key}"] = f"must be at most {MAX_REASON} characters"
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


def new_warnings(
    record: TreatmentSession, warnings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the warnings the record did not already carry, word for word."""
    signed = {(w.get("key"), w.get("message")) for w in record.warnings}
    return [w for w in warnings if (w["key"], w["message"]) not in signed]
