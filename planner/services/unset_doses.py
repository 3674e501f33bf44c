"""Sites charted with their dose unset: which they are, and how the chart names them.

A dose is unset where a site came from a chart of another product (units are not
interchangeable) or was tapped where the product has no default. Such a chart is
signed, or saved as a template, only once every dose is entered. A template whose
product is changed has its doses cleared the same way, to be entered again.
"""

from collections.abc import Sequence

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import InjectionSite


def undosed_numbers(session: Session, session_id: int) -> list[int]:
    """Return the numbers of a chart's sites whose dose is not entered yet."""
    return list(
        session.exec(
            select(InjectionSite.number)
            .where(
                InjectionSite.session_id == session_id,
                col(InjectionSite.units).is_(None),
            )
            .order_by(col(InjectionSite.number))
        ).all()
    )


def name_sites(numbers: Sequence[int]) -> str:
    """Name sites as people read them: 'site 3', 'sites 3, 4 and 7'."""
    if len(numbers) == 1:
        return f"site {numbers[0]}"
    listed = ", ".join(str(n) for n in numbers[:-1])
    return f"sites {listed} and {numbers[-1]}"


def missing_doses(numbers: Sequence[int]) -> str:
    """Say which doses must be entered first, as the ``doses`` field's error."""
    which = "it" if len(numbers) == 1 else "each"
    return f"missing at {name_sites(numbers)}: enter {which} first"


def not_carried_over(what: str) -> str:
    """Say why a site came without its dose: "Dose not carried over: …"."""
    return f"Dose not carried over: {what}, units differ"
