"""The instruments by code, and the entry points a service calls.

Codes match ``planner.models.enums.Instrument``; this module takes plain strings
(a StrEnum member works as its string) so it stays free of the database layer.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from planner.scoring import eface
from planner.scoring import fdi
from planner.scoring import house_brackmann
from planner.scoring import saq
from planner.scoring import sunnybrook
from planner.scoring.definition import InstrumentDefinition
from planner.scoring.definition import ScoreResult
from planner.scoring.items import ScoringError

INSTRUMENTS: Mapping[str, InstrumentDefinition] = MappingProxyType(
    {
        module.DEFINITION.code: module.DEFINITION
        for module in (sunnybrook, eface, house_brackmann, saq, fdi)
    }
)


def get_instrument(instrument: str) -> InstrumentDefinition:
    """Return an instrument's definition by code.

    :raises ScoringError: with field ``instrument`` if the code is unknown.
    """
    try:
        return INSTRUMENTS[instrument]
    except KeyError:
        raise ScoringError(
            f"Unknown instrument {instrument!r}",
            fields={"instrument": "is not a known instrument"},
        ) from None


def validate_items(instrument: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Parse raw form or JSON answers into the shape stored in ``Assessment.items``.

    :raises ScoringError: naming each missing, malformed, out-of-range or unknown
        item (or the instrument, if its code is unknown).
    """
    return get_instrument(instrument).validate(raw)


def score_items(instrument: str, raw: Mapping[str, Any]) -> ScoreResult:
    """Validate raw answers and score them with the instrument's current formula.

    :raises ScoringError: as :func:`validate_items`.
    """
    return get_instrument(instrument).score(raw)
