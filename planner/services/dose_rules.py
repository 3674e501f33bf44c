"""The dose rules a chart is checked by: each product's limits, its tap defaults
and the clinic's dose change share, today's or as at a moment.

Each product's rules are the shipped reference with the clinic's edits laid
over (``limit_settings``); Botox's per-muscle reference doses are the clinic's
``dose.<muscle>`` settings (``reference_doses``). An amendment reads them as at
its record's signing (``settings_history.settings_as_of``).
"""

from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from planner import dosing
from planner.dosing.dose_chips import DoseChips
from planner.dosing.dose_chips import dose_chips
from planner.models import Product
from planner.services import limit_settings
from planner.services import reference_doses
from planner.services import settings
from planner.services.chart_state_models import ChartState
from planner.services.charted_products import require_chartable_code
from planner.services.cycle_rules import cycle_times
from planner.services.settings_history import SettingAsOf
from planner.services.settings_history import settings_as_of

BOTOX = "botox"


def product_doses(
    session: Session,
    product_code: str,
    stored: Mapping[str, SettingAsOf] | None = None,
) -> dosing.ProductDoses:
    """Return a product's dose rules: shipped, with the clinic's edits laid over.

    The clinic's limits for the product (settings ``limit.<product>.…``, edited on
    the dose limits page) come first. The clinic's per-muscle reference doses
    (settings ``dose.<muscle>``) are Botox figures, onabotulinumtoxinA units as the
    clinical reference gives them: they set Botox's per-point limits and tap
    defaults, and no other product's. ``stored``: the settings as they stood at
    a moment (``settings_as_of``); None reads today's.

    :raises NoDoseReference: for a product the shipped reference does not list.
    """
    require_chartable_code(session, product_code)
    shipped = limit_settings.with_clinic_limits(
        session, dosing.shipped_doses(product_code), stored
    )
    if product_code != BOTOX:
        return shipped
    ranges = reference_doses.dose_ranges(session, stored)
    return shipped.with_overrides(
        per_point={
            muscle: dosing.DoseLimit(
                ref.high, ref.source or dosing.CLINIC_SETTING, ref.unsourced
            )
            for muscle, ref in ranges.items()
        },
        defaults={muscle: ref.default for muscle, ref in ranges.items()},
    )


def default_dose(session: Session, product_code: str, muscle: str) -> float | None:
    """Return the tap default for a muscle in the product's own units, if it has one.

    None means the clinician enters the dose: no product borrows another's figure.

    :raises NoDoseReference: for a product the shipped reference does not list.
    """
    require_chartable_code(session, product_code)
    if product_code == BOTOX:
        return reference_doses.dose_default(session, muscle)
    return dosing.shipped_doses(product_code).defaults.get(muscle)


SHARE_KEY = "dose_change_reason_share"


def clinic_rules(
    session: Session,
    product_code: str,
    full_product: Product,
    *,
    as_of: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> dosing.ClinicRules:
    """Return the rules the checks use for a chart of this product, in a cycle
    whose full treatment was ``full_product``.

    ``as_of`` (an amendment's record's signing) reads every setting as it stood
    then: the cycle's times, the dose limits and the dose change share; None,
    today's. ``zone``, the clinic's, dates a dose limit's edit in its source.
    """
    stored = None if as_of is None else settings_as_of(session, as_of, zone or UTC)
    if stored is None:
        share = settings.get_setting_value(session, SHARE_KEY, 0.5)
    else:
        share = stored[SHARE_KEY].value if SHARE_KEY in stored else 0.5
    return dosing.ClinicRules(
        doses=product_doses(session, product_code, stored),
        cycle_times=cycle_times(session, full_product, as_of=as_of),
        dose_change_share=float(share),
    )


def keypad_chips(session: Session, state: ChartState) -> DoseChips:
    """Return the keypad's quick-dose chips for the chart: the product's own,
    from its tap defaults for the chart's muscles, with their source.

    A signed record in a product with no dose reference has none: it is never
    edited, and no other product's doses stand in.
    """
    product = state.session.product
    if not product.dose_reference:
        return DoseChips((), "")
    found = [
        dose
        for muscle in state.muscles
        if (dose := default_dose(session, product.code, muscle.code)) is not None
    ]
    return dose_chips(product.code, product.unit_name, found)
