"""Which products planner can chart: those the shipped dose reference lists.

A product row the reference does not list (a clinic-added brand) has no dose
limits, tap defaults or step of its own, and none of another product's stands in
for them (clinical reference §2.1): it is not offered, and is refused by name
wherever a chart, a vial or a delivery of it would start.
"""

from sqlmodel import Session
from sqlmodel import select

from planner import dosing
from planner.errors import NoDoseReference
from planner.errors import NotFound
from planner.models import Product


def chartable(product: Product) -> bool:
    """Say whether planner has the product's dose rules, so can chart it."""
    return dosing.has_dose_reference(product.code)


def require_chartable(product: Product) -> None:
    """Raise NoDoseReference, naming ``product``, for a product planner cannot chart."""
    if not chartable(product):
        raise NoDoseReference(product.brand)


def require_chartable_code(session: Session, code: str) -> None:
    """Raise as :func:`require_chartable` for a product's code.

    :raises NotFound: for a code no product row has.
    """
    if dosing.has_dose_reference(code):
        return
    product = session.exec(select(Product).where(Product.code == code)).first()
    if product is None:
        raise NotFound(f"There is no product {code!r}.")
    raise NoDoseReference(product.brand)
