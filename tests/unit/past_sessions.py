"""Past sessions in a listed product for the pure checks, worded as its row is."""

from collections.abc import Mapping
from datetime import date

from planner.dosing import PastSession
from planner.reference import product_reference


def past_session(
    performed_on: date,
    kind: str,
    product_code: str,
    units_total: float,
    muscle_units: Mapping[tuple[str, str], float] | None = None,
    where: str | None = None,
) -> PastSession:
    """Return a past session whose brand and unit wording are the shipped row's."""
    shipped = product_reference(product_code)
    return PastSession(
        performed_on,
        kind,
        product_code,
        units_total,
        muscle_units or {},
        where,
        brand=shipped.brand,
        unit_name=shipped.unit_name,
    )
