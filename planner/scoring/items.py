"""Item definitions for the outcome forms, and parsing of raw answers against them.

An item is either a choice (a fixed list of stored values, each with a label) or a
slider (a number between two bounds). Nested answers such as Sunnybrook's
``{"resting": {"eye": "narrow"}}`` are addressed by a dotted key (``resting.eye``),
which is also the form field's name and the key in error messages.
"""

import math
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REQUIRED = "is required"
UNKNOWN = "is not an item of this instrument"


class ScoringError(ValueError):
    """Answers that cannot be scored; ``fields`` maps each bad item to its reason."""

    def __init__(self, message: str, *, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.fields = fields


@dataclass(frozen=True)
class Choice:
    """One answer to a choice item: the value stored and the label shown."""

    value: int | str
    label: str
    # Longer text for the form, e.g. a House-Brackmann grade's description.
    description: str = ""


@dataclass(frozen=True)
class Slider:
    """A visual-analogue slider from ``minimum`` to ``maximum``."""

    minimum: int
    maximum: int
    anchors: str


@dataclass(frozen=True)
class Item:
    """One question or graded feature, with what the form needs to render it."""

    key: str
    label: str
    section: str
    choices: tuple[Choice, ...] = ()
    slider: Slider | None = None

    def __post_init__(self) -> None:
        if (self.slider is None) == (not self.choices):
            raise ValueError(f"item {self.key!r} needs either choices or a slider")


def section_items(
    section: str,
    labels: Mapping[str, str],
    *,
    choices: tuple[Choice, ...] = (),
    slider: Slider | None = None,
) -> tuple[Item, ...]:
    """Return a section's items, keyed and labelled by ``labels``, answered alike."""
    return tuple(
        Item(key, label, section, choices=choices, slider=slider)
        for key, label in labels.items()
    )


def flatten(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten one level of nesting: ``{"a": {"b": 1}}`` becomes ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, Mapping):
            for inner, answer in value.items():
                flat[f"{key}.{inner}"] = answer
        else:
            flat[str(key)] = value
    return flat


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Undo :func:`flatten`: dotted keys become one level of nested dicts."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        group, dot, inner = key.partition(".")
        if dot:
            nested.setdefault(group, {})[inner] = value
        else:
            nested[key] = value
    return nested


def parse_items(
    title: str, items: Iterable[Item], raw: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the answers in their stored shape, or raise naming every bad item.

    ``raw`` may be nested (JSON, stored items) or flat with dotted keys (a form);
    numbers may arrive as numbers or as the strings a form posts.

    :raises ScoringError: with ``fields`` naming each missing, malformed,
        out-of-range or unknown item.
    """
    flat = flatten(raw)
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in items:
        value = flat.pop(item.key, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[item.key] = REQUIRED
            continue
        try:
            parsed[item.key] = parse_answer(item, value)
        except ValueError as exc:
            errors[item.key] = str(exc)
    for key in flat:
        # A blank key still gets a name the form and the API can point at.
        errors[key if key.strip() else "(blank item name)"] = UNKNOWN
    if errors:
        count = len(errors)
        noun = "answer needs" if count == 1 else "answers need"
        raise ScoringError(f"{title}: {count} {noun} attention", fields=errors)
    return nest(parsed)


def parse_answer(item: Item, value: object) -> int | float | str:
    """Return one answer as stored, or raise ValueError saying what is allowed."""
    if item.slider is not None:
        return _parse_slider(item.slider, value)
    return _parse_choice(item.choices, value)


def _parse_choice(choices: tuple[Choice, ...], value: object) -> int | str:
    words = [c.value for c in choices if isinstance(c.value, str)]
    numbers = sorted(c.value for c in choices if isinstance(c.value, int))
    if isinstance(value, str) and value.strip() in words:
        return value.strip()
    if not numbers:
        raise ValueError("must be one of: " + ", ".join(words))
    number = _whole_number(value)
    if number is None and not words:
        raise ValueError("must be a whole number")
    if number in numbers:
        return number
    # Every numeric scale here is contiguous, so its ends describe it.
    allowed = f"{numbers[0]} to {numbers[-1]}"
    raise ValueError("must be " + " or ".join([allowed, *words]))


def _parse_slider(slider: Slider, value: object) -> int | float:
    number = _number(value)
    if number is None:
        raise ValueError("must be a number")
    if not slider.minimum <= number <= slider.maximum:
        raise ValueError(f"must be {slider.minimum} to {slider.maximum}")
    # Whole numbers are stored as ints so the JSON reads as the slider showed it.
    return int(number) if number.is_integer() else number


def _whole_number(value: object) -> int | None:
    number = _number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _number(value: object) -> float | None:
    """Return a finite number from a JSON number or a form string, else None."""
    # bool is an int subclass, but True is not an answer of 1.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None
