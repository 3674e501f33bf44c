"""Each product's own re-treatment window close: a clinic setting, unset by default.

The close is the clinic's estimate of when the effect wears off (clinical
reference §3); products are not assumed to last alike, so a clinic may set one
product's close apart from the clinic-wide ``retreat_window_end_weeks``, in the
setting ``retreat_window_end_weeks.<code>`` on the settings page. Every product
ships unset (the clinic-wide close stands): no source gives any product other
than Botox a duration, and the one figure for Daxxify is marketing copy, so any
product's own close is the clinic's choice, never a shipped fact.

A product's close may never come before its window opens: on the clinic's
opening day, or at the product's minimum interval if later
(``scheduling.retreatment_opens_day``). Each of the three settings is saved on its
own, so each is checked against the others' stored values here.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from sqlmodel import select

from planner import scheduling
from planner.models import ClinicSetting
from planner.models import Product
from planner.reference import PRODUCTS
from planner.scheduling.settings_fit import product_close_problem
from planner.services.product_rules import INTERVAL_PREFIX
from planner.services.product_rules import checked_product
from planner.services.schedule_settings import scheduling_rules

# Marketing copy only (clinical reference §3, [S27c]): shown, never shipped as a value.
_LONGER = {
    "daxxify": "marketing copy says about 6 months, up to 9 (clinic blog, low "
    "quality) [S27c]; no value is shipped. ",
}


def close_settings() -> tuple[tuple[str, Any, str, str | None, bool], ...]:
    """Return the catalogue's per-product close settings, one per product, unset."""
    return tuple(
        (
            scheduling.product_close_key(ref.code),
            None,
            f"{ref.brand}: re-treatment window closes, weeks (blank: the "
            "clinic-wide close)",
            f"Clinic setting: {_LONGER.get(ref.code, '')}Blank until the clinic "
            "sets it; the clinic-wide close applies.",
            True,
        )
        for ref in PRODUCTS
    )


def close_keys() -> tuple[str, ...]:
    """Return the keys of the per-product close settings."""
    return tuple(key for key, *_ in close_settings())


def _product(session: Session, code: str) -> Product | None:
    return session.exec(select(Product).where(Product.code == code)).first()


def _stored_close(session: Session, code: str) -> float | None:
    row = session.get(ClinicSetting, scheduling.product_close_key(code))
    value = None if row is None else row.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def close_problem(
    session: Session, key: str, value: float, label: Callable[[str], str]
) -> str | None:
    """Say why ``value`` for ``key`` leaves a product's close before its opening.

    ``key`` is a product's close, or a product's minimum interval (which moves
    the opening); any other key fits here (None). ``label`` names a setting as
    the settings page does.
    """
    if key.startswith(scheduling.PRODUCT_CLOSE_PREFIX):
        product = _product(session, key.removeprefix(scheduling.PRODUCT_CLOSE_PREFIX))
        if product is None:
            return None
        opens = scheduling.retreatment_opens_day(
            scheduling_rules(session),
            min_interval_days=checked_product(session, product).min_interval_days,
        )
        return product_close_problem(value, opens_day=opens, brand=product.brand)
    if key.startswith(INTERVAL_PREFIX):
        code = key.removeprefix(INTERVAL_PREFIX)
        close = _stored_close(session, code)
        product = _product(session, code)
        if close is None or product is None:
            return None
        opens = scheduling.retreatment_opens_day(
            scheduling_rules(session), min_interval_days=int(value)
        )
        if 7 * close < opens:
            close_key = scheduling.product_close_key(code)
            return (
                f"would open {product.brand}'s re-treatment window after its own "
                f"close ({label(close_key)}: {close:g} weeks); change that first"
            )
    return None
