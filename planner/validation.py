"""Turn pydantic validation errors into one clear message per field."""

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError

from planner.errors import InvalidInput

# pydantic's stock messages, rephrased for clinicians and staff.
FRIENDLY = {
    "missing": "is required",
    "extra_forbidden": "is not a field this form accepts",
    "string_pattern_mismatch": "has characters that are not allowed here",
}


def _too_short(error: Any) -> str:
    value = error.get("input")
    if not isinstance(value, str) or not value.strip():
        return "is required"
    return f"must be at least {error['ctx']['min_length']} characters"


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Map each failing field to a sentence saying why it failed.

    Errors raised by a model validator carry the field name as a ``name:`` prefix,
    because pydantic reports them against the whole model.
    """
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        blank = isinstance(error.get("input"), str) and not error["input"].strip()
        if error["type"] == "string_too_short":
            message = _too_short(error)
        elif blank and error["type"] != "extra_forbidden":
            # An empty choice or date is a missing answer, whatever its type.
            message = "is required"
        else:
            message = FRIENDLY.get(error["type"], error["msg"])
        message = message.removeprefix("Value error, ")
        if not loc and ":" in message:
            field, _, message = message.partition(":")
            loc = [field.strip()]
            message = message.strip()
        # A key that is the empty string is still named, so the client can find it.
        field = ".".join(part or '""' for part in loc) if loc else "__all__"
        errors.setdefault(field, message)
    return errors


NUL_MESSAGE = "must not contain a NUL character"


def nul_fields(value: Any, path: str = "") -> dict[str, str]:
    """Name each text in ``value`` (keys too) holding NUL, by its dotted path."""
    found: dict[str, str] = {}
    if isinstance(value, str):
        if "\x00" in value:
            found[path or "__all__"] = NUL_MESSAGE
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                found[name] = NUL_MESSAGE
            found.update(nul_fields(item, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.update(nul_fields(item, f"{path}.{index}" if path else str(index)))
    return found


def parse_input(
    model: type[BaseModel],
    data: Any,
    message: str = "Some fields need correcting.",
    *,
    context: Mapping[str, Any] | None = None,
) -> Any:
    """Validate input with a model, or raise InvalidInput naming each bad field.

    ``context`` reaches the model's validators (the clinic's day, for one).
    Text holding NUL is refused too: PostgreSQL cannot store it (the write would
    fail as a 500), and no name, note or reason a person types contains one.
    """
    try:
        parsed = model.model_validate(
            data, context=None if context is None else dict(context)
        )
    except ValidationError as exc:
        raise InvalidInput(message, fields=field_errors(exc)) from None
    nul = nul_fields(parsed.model_dump())
    if nul:
        raise InvalidInput(message, fields=nul)
    return parsed


def strip_text(value: object) -> object:
    """Trim typed text before it is checked; leave other values to pydantic."""
    return value.strip() if isinstance(value, str) else value


def blank_as_none(value: object) -> object:
    """Read blank text as no answer, so an optional field may be left empty."""
    return None if isinstance(value, str) and not value.strip() else value


def strip_or_none(value: object) -> object:
    """Trim typed text, and read what is left blank as no answer."""
    return value.strip() or None if isinstance(value, str) else value


def ascii_number(text: str, max_digits: int = 9) -> int | None:
    """The whole number ``text`` spells in ASCII digits, or None if it is not one.

    ``str.isdigit`` also accepts characters such as "²" that ``int`` refuses, so a
    record id or version typed into a form or a query string is read here.
    """
    if 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def to_number(value: Any) -> Any:
    """Read a form's text as a number; leave other values for pydantic to judge."""
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return value  # reported as "is required"
        try:
            number = float(text)
        except ValueError:
            raise ValueError("must be a number") from None
        value = number
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a number")
    return value
