"""A product's rules as the checks use them: the label's, or the clinic's setting.

A product whose minimum interval no source gives (``interval_source`` UNSOURCED
in the reference, Dysport today) ships that interval as a clinic setting,
``min_interval_days.<code>``, seeded by the catalogue and edited on the settings
page. Every check reads the product through :func:`checked_product`, so the chart,
signing, amendments and the chart state all hold a chart to the clinic's figure.
Sourced intervals stay the label's and are not editable.
"""

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from planner import dosing
from planner.dosing.records import product_from
from planner.models import ClinicSetting
from planner.models import Product
from planner.reference import PRODUCTS
from planner.reference import ProductReference
from planner.services.settings_history import SettingAsOf
from planner.services.settings_history import settings_as_of

INTERVAL_PREFIX = "min_interval_days."


def interval_is_unsourced(reference: ProductReference) -> bool:
    """Return whether no source gives this product's minimum interval."""
    return reference.interval_source.startswith("UNSOURCED")


def interval_key(code: str) -> str:
    """Name the clinic setting that holds a product's minimum interval."""
    return INTERVAL_PREFIX + code


def interval_settings() -> tuple[tuple[str, Any, str, str | None, bool], ...]:
    """Return the catalogue's interval settings, one per unsourced interval."""
    return tuple(
        (
            interval_key(ref.code),
            ref.min_interval_days,
            f"{ref.brand}: minimum days between full treatments",
            ref.interval_source,
            True,
        )
        for ref in PRODUCTS
        if interval_is_unsourced(ref)
    )


def interval_source(source: str | None) -> str:
    """Say that the interval is the clinic's: as edited, or as shipped and why."""
    source = source or ""
    if source.startswith(dosing.CLINIC_SETTING):
        return source
    return f"{dosing.CLINIC_SETTING} (shipped default; {source})"


def checked_product(
    session: Session, product: Product, *, as_of: datetime | None = None
) -> dosing.Product:
    """Return the checks' view of a stored product, with the clinic's interval.

    Only a product whose reference interval is UNSOURCED has such a setting; one
    whose value is not a number of days (never saved so) leaves the shipped figure.
    ``as_of`` reads the setting as it stood then (an amendment's, at its record's
    signing); None, as it is now.
    """
    checked = product_from(product)
    key = interval_key(product.code)
    if not any(known == key for known, *_ in interval_settings()):
        return checked  # a sourced interval is the label's, whatever is stored
    if as_of is None:
        row = session.get(ClinicSetting, key)
        setting = None if row is None else SettingAsOf(row.value, row.source)
    else:
        setting = settings_as_of(session, as_of).get(key)
    value = setting.value if setting is not None else None
    if setting is None or isinstance(value, bool) or not isinstance(value, int | float):
        return checked
    return replace(
        checked,
        min_interval_days=int(value),
        interval_source=interval_source(setting.source),
    )
