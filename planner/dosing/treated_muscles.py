"""Muscles a procedure excised or denervated: the chart asks before toxin goes there.

Pure: no flask, no database. A DAO excision, a selective myectomy or a selective
neurolysis leaves a muscle on a side removed or without its nerve; toxin placed
there has nothing to act on, or acts on what is left of it. A tap on such a
muscle-side places nothing until the injector confirms it, a confirmed site
carries a warning (a reason to sign), and copy-last and templates leave such
sites out, saying which (issue 22).

Which sides a muscle has comes from the face map (``Muscle.sides``): a midline
muscle (the procerus) is one region, which a procedure on either side reaches;
a paired muscle may have a central part across the midline (the central
mentalis point), which a bilateral procedure covers and a one-sided procedure
borders, so either asks before toxin goes there, as for the procerus.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from typing import TypeVar

from planner.dosing.records import PlannedSite
from planner.dosing.records import SafetyWarning
from planner.vocabulary import ProcedureKind
from planner.vocabulary import label

CODE = "site_on_treated_muscle"
SOURCE = (
    "The patient's procedure record; [S8] names myectomy and selective neurectomy "
    "for synkinesis (the warning itself: clinic rule, UNSOURCED)"
)
# What each muscle-removing procedure did to the muscles it names.
EFFECTS: dict[str, str] = {
    ProcedureKind.DAO_EXCISION.value: "excised",
    ProcedureKind.SELECTIVE_MYECTOMY.value: "excised",
    ProcedureKind.SELECTIVE_NEUROLYSIS.value: "denervated",
}
# The field a tap names to place a site there anyway.
CONFIRM_FIELD = "confirm_treated_muscle"


@dataclass(frozen=True)
class ProcedureFact:
    """A recorded procedure as the rule reads it; ``side`` left, right or bilateral."""

    kind: str
    side: str
    performed_on: date
    muscles: tuple[str, ...]


@dataclass(frozen=True)
class TreatedMuscle:
    """One muscle-side a procedure excised or denervated, and how and when.

    ``central`` marks the midline part of a paired muscle (the central mentalis);
    ``effect`` then names the side of a one-sided procedure ("excised on the
    left side"): the procedure bordered that part, it may not have removed it.
    """

    muscle: str
    side: str
    effect: str
    procedure: str
    performed_on: date
    central: bool = False

    @property
    def short_label(self) -> str:
        """Name the procedure and its day: "DAO excision (myectomy), 12 May 2026"."""
        return f"{self.procedure}, {self.performed_on.day} {self.performed_on:%b %Y}"

    @property
    def wording(self) -> str:
        """Say what happened: "excised (DAO excision (myectomy), 12 May 2026)"."""
        return f"{self.effect} ({self.short_label})"


def _sides(side: str, on_map: Sequence[str]) -> tuple[str, ...]:
    """Name the muscle-sides a procedure on ``side`` reaches, of those on the map."""
    if tuple(on_map) == ("midline",):
        return ("midline",)
    central = ("midline",) if "midline" in on_map else ()
    if side == "bilateral":
        return ("left", "right", *central)
    return (side, *central)


def treated_muscles(
    procedures: Iterable[ProcedureFact],
    on: date,
    *,
    muscle_sides: Mapping[str, Sequence[str]],
) -> tuple[TreatedMuscle, ...]:
    """Return each muscle-side excised or denervated by a procedure on or before ``on``.

    ``muscle_sides`` gives the sides each muscle has on the face map (a muscle
    the map lacks has a left and a right). A muscle-side treated twice is named
    once, by its earliest procedure.
    """
    found: dict[tuple[str, str], TreatedMuscle] = {}
    for fact in sorted(procedures, key=lambda f: f.performed_on):
        effect = EFFECTS.get(fact.kind)
        if effect is None or fact.performed_on > on:
            continue
        for muscle in fact.muscles:
            on_map = muscle_sides.get(muscle, ("right", "left"))
            for side in _sides(fact.side, on_map):
                central = side == "midline" and "left" in on_map
                bordered = central and fact.side != "bilateral"
                found.setdefault(
                    (muscle, side),
                    TreatedMuscle(
                        muscle,
                        side,
                        f"{effect} on the {fact.side} side" if bordered else effect,
                        label("procedure_kind", fact.kind),
                        fact.performed_on,
                        central,
                    ),
                )
    return tuple(found.values())


def find_treated(
    treated: Iterable[TreatedMuscle], muscle: str, side: str
) -> TreatedMuscle | None:
    """Return the procedure that excised or denervated this muscle-side, if one did."""
    return next((t for t in treated if (t.muscle, t.side) == (muscle, side)), None)


def _name(muscle: str, side: str, *, central: bool = False) -> str:
    where = "central " if central else "" if side == "midline" else f"{side} "
    return f"the {where}{muscle.replace('_', ' ')}"


def tap_refusal(
    treated: Iterable[TreatedMuscle], muscle: str, side: str, *, confirmed: bool
) -> str | None:
    """Say why a tap places nothing here without a confirmation; None: place it."""
    hit = find_treated(treated, muscle, side)
    if hit is None or confirmed:
        return None
    return (
        f"Nothing placed: {_name(muscle, side, central=hit.central)} was "
        f"{hit.wording}. To place a site "
        "there anyway, confirm it; the site will carry a warning that needs a "
        "reason to sign."
    )


def check_treated_muscles(
    sites: Sequence[PlannedSite], treated: Sequence[TreatedMuscle]
) -> list[SafetyWarning]:
    """Warn about each site on a muscle-side that a procedure excised or denervated."""
    warnings = []
    for site in sites:
        hit = find_treated(treated, site.muscle, site.side)
        if hit is None:
            continue
        warnings.append(
            SafetyWarning(
                code="site_on_treated_muscle",
                severity="warning",
                message=(
                    f"Site {site.number} is on "
                    f"{_name(site.muscle, site.side, central=hit.central)}, "
                    f"{hit.wording}: confirm the muscle is there to treat."
                ),
                source=SOURCE,
                muscle=site.muscle,
                side=site.side,
                site_number=site.number,
            )
        )
    return warnings


class _Placed(Protocol):
    @property
    def muscle(self) -> str: ...

    @property
    def side(self) -> str: ...


Placed = TypeVar("Placed", bound=_Placed)


def leave_out_treated(
    sites: Sequence[Placed], treated: Sequence[TreatedMuscle]
) -> tuple[list[Placed], list[str]]:
    """Split sites to add into those kept and a sentence for each one left out."""
    kept: list[Placed] = []
    skipped: list[str] = []
    for site in sites:
        side = str(getattr(site.side, "value", site.side))
        hit = find_treated(treated, site.muscle, side)
        if hit is None:
            kept.append(site)
        else:
            name = _name(site.muscle, side, central=hit.central)
            skipped.append(f"Left out {name}: {hit.wording}.")
    return kept, skipped
