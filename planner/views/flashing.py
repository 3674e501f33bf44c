"""Tell the user, in a flashed message, why a change was refused."""

from flask import flash

from planner.errors import PlannerError


def flash_error(exc: PlannerError) -> None:
    """Flash the refusal's message, with each field's reason in brackets."""
    reasons = "; ".join(f"{name} {reason}" for name, reason in exc.fields.items())
    flash(f"{exc.message} ({reasons})" if reasons else exc.message, "error")
