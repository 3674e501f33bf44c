"""What the registry knows about an instrument, and what scoring returns."""

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any

from planner.scoring.items import Item
from planner.scoring.items import parse_items

# Values in ``ScoreResult.scores``: all JSON-safe, for ``Assessment.scores``.
ScoreValue = int | float | str | None


@dataclass(frozen=True)
class ScoreResult:
    """Scores ready to store: the subscores, the headline and how they were made."""

    scores: dict[str, ScoreValue]
    # The headline for lists and trends; None only when the instrument's
    # headline subscale had no scorable answers (FDI physical all N/A).
    total: float | None
    formula_version: str
    # Which parts are sourced, PARTIAL or UNSOURCED, in words the UI can show.
    provenance: str
    higher_is_better: bool


@dataclass(frozen=True)
class InstrumentDefinition:
    """An instrument's form (items, in order) and its scoring."""

    code: str
    title: str
    items: tuple[Item, ...]
    score: Callable[[Mapping[str, Any]], ScoreResult]
    formula_version: str
    provenance: str
    higher_is_better: bool
    # Where the definition comes from, e.g. "Ross et al. 1996 [S41]; §4.1".
    reference: str
    # Set for an ordinal grade (House-Brackmann): how a stored total reads,
    # e.g. "IV". Such a grade is descriptive only (§4.4, §7): it is listed
    # before and after, never fitted against a dose as if it were points.
    grade_name: Callable[[float], str] | None = None

    @property
    def descriptive(self) -> bool:
        """Say whether the score is a grade to list, not a scale to fit."""
        return self.grade_name is not None

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Return the answers as stored; raise ScoringError if any is bad."""
        return parse_items(self.title, self.items, raw)

    @property
    def sections(self) -> tuple[str, ...]:
        """Return the form's section headings in order of first appearance."""
        return tuple(dict.fromkeys(item.section for item in self.items))


def define_instrument(
    *,
    code: str,
    title: str,
    items: tuple[Item, ...],
    scorer: Callable[[Mapping[str, Any]], Any],
    headline: Callable[[Any], float | None],
    formula_version: str,
    provenance: str,
    higher_is_better: bool,
    reference: str,
) -> InstrumentDefinition:
    """Build an instrument from its scoring function and the score it headlines.

    ``scorer`` returns the instrument's own score dataclass; every field of it is
    stored, and ``headline`` picks the figure used in lists and trends.
    """

    def score(raw: Mapping[str, Any]) -> ScoreResult:
        result = scorer(raw)
        return ScoreResult(
            scores=asdict(result),
            total=headline(result),
            formula_version=formula_version,
            provenance=provenance,
            higher_is_better=higher_is_better,
        )

    return InstrumentDefinition(
        code=code,
        title=title,
        items=items,
        score=score,
        formula_version=formula_version,
        provenance=provenance,
        higher_is_better=higher_is_better,
        reference=reference,
    )
