"""Each product's dose limits as the clinic sets them: per point, per muscle and side,
the glabellar complex's total per session, and the ceilings per site, per side and
per session.

The shipped figures (``planner.dosing.product_doses``) stay in the code; a clinic's
edit is a setting ``limit.<product>.<figure>`` laid over them, labelled as a clinic
setting with who edited it and when. A sourced figure can be overridden: the page
then marks it as the clinic's and shows the source it replaces, and clearing the
field restores it. A sourced figure is never removed, so no product and no muscle is
ever left unchecked. Botox's per-point ranges are its reference doses
(``dose.<muscle>``), edited with their tap defaults under Reference values.
"""

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import AuditAction
from planner.models import ClinicSetting
from planner.reference import MUSCLE_DOSES
from planner.services import reference_doses
from planner.services import settings
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.charted_products import require_chartable_code
from planner.services.settings_history import SettingAsOf
from planner.validation import to_number

LIMIT_PREFIX = "limit."
BOTOX = "botox"
CEILINGS = ("site", "side", "session")
CEILING_NAMES = {
    "site": "Any one site",
    "side": "One side, all muscles",
    "session": "One session, all sites",
}
# Limits on muscles together (``dosing.GroupLimit``), by field name.
GROUP_PREFIX = "group."
GROUP_NAMES = {
    "group.glabellar": "Glabellar complex (corrugators and procerus), one session",
}
# No chart takes more than 400 units at one site (services.chart_requests.MAX_UNITS); a
# total above a few thousand units is a typing error in any product's units.
MAX_POINT_UNITS = 400.0
MAX_TOTAL_UNITS = 5000.0
MUSCLES = tuple(dose.muscle for dose in MUSCLE_DOSES)


@dataclass(frozen=True)
class Figure:
    """One figure on the page: the value in force and where it comes from.

    ``value`` None: no rule of this kind (the ceilings still apply).
    """

    name: str
    value: float | None
    source: str | None
    clinic_setting: bool
    # The shipped figure a clinic's edit replaces, with its source, if any.
    replaces: str | None = None
    editable: bool = True


@dataclass(frozen=True)
class MuscleRow:
    muscle: str
    low: Figure
    high: Figure
    per_side: Figure


@dataclass(frozen=True)
class ProductLimits:
    """A product's limits as the page shows them, with a stamp of what was read."""

    code: str
    unit_name: str
    ceilings: tuple[Figure, ...]
    groups: tuple[Figure, ...]
    muscles: tuple[MuscleRow, ...]
    stamp: str


def _rows(session: Session, code: str) -> dict[str, ClinicSetting]:
    prefix = f"{LIMIT_PREFIX}{code}."
    found = session.exec(
        select(ClinicSetting).where(col(ClinicSetting.key).startswith(prefix))
    ).all()
    return {row.key.removeprefix(prefix): row for row in found}


def _stamp(rows: Mapping[str, ClinicSetting]) -> str:
    """Name the stored edits and their versions: another admin's save changes it."""
    text = ";".join(f"{key}={rows[key].version}" for key in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _limit(row: SettingAsOf, value: float) -> dosing.DoseLimit:
    return dosing.DoseLimit(value, row.source or dosing.CLINIC_SETTING, True)


def with_clinic_limits(
    session: Session,
    doses: dosing.ProductDoses,
    stored: Mapping[str, SettingAsOf] | None = None,
) -> dosing.ProductDoses:
    """Lay the clinic's edited limits for this product over its rules.

    ``stored`` holds the settings as they stood at a moment (an amendment's, at
    its record's signing: ``settings_history.settings_as_of``); None, today's.
    """
    prefix = f"{LIMIT_PREFIX}{doses.product_code}."
    rows = (
        {
            key.removeprefix(prefix): setting
            for key, setting in stored.items()
            if key.startswith(prefix)
        }
        if stored is not None
        else {
            key: SettingAsOf(row.value, row.source, row.unsourced)
            for key, row in _rows(session, doses.product_code).items()
        }
    )
    per_point: dict[str, dosing.DoseLimit] = {}
    per_side: dict[str, dosing.DoseLimit] = {}
    ceilings: dict[str, dosing.DoseLimit] = {}
    groups: dict[str, dosing.DoseLimit] = {}
    known_groups = {group.key for group in doses.groups}
    for key, row in rows.items():
        kind, _, muscle = key.partition(".")
        value = row.value.get("high") if isinstance(row.value, dict) else row.value
        if not isinstance(value, int | float) or not value > 0:
            continue  # unreadable: the shipped figure stands
        if kind == "point" and muscle:
            per_point[muscle] = _limit(row, float(value))
        elif kind == "muscle_side" and muscle:
            per_side[muscle] = _limit(row, float(value))
        elif kind in CEILINGS and not muscle:
            ceilings[kind] = _limit(row, float(value))
        elif kind == "group" and muscle in known_groups:
            groups[muscle] = _limit(row, float(value))
    return doses.with_overrides(
        per_point=per_point, per_muscle_side=per_side, ceilings=ceilings, groups=groups
    )


def _figure(
    name: str,
    shipped: dosing.DoseLimit | None,
    row: ClinicSetting | None,
    value: Any,
    *,
    editable: bool = True,
) -> Figure:
    if row is not None and isinstance(value, int | float):
        replaces = None if shipped is None else f"{shipped.high:g}: {shipped.label}"
        return Figure(name, float(value), row.source, True, replaces, editable)
    if shipped is None:
        return Figure(name, None, None, False, editable=editable)
    return Figure(
        name, shipped.high, shipped.label, shipped.clinic_setting, editable=editable
    )


def _botox_range(
    muscle: str, reference: reference_doses.DoseReference
) -> tuple[Figure, Figure]:
    """Botox's per-point range: its reference dose, shown here, edited elsewhere."""
    source = reference.source or dosing.CLINIC_SETTING
    return (
        Figure(
            f"point.{muscle}.low",
            reference.low,
            source,
            reference.unsourced,
            editable=False,
        ),
        Figure(
            f"point.{muscle}.high",
            reference.high,
            source,
            reference.unsourced,
            editable=False,
        ),
    )


def _point_range(
    muscle: str, shipped: dosing.DoseLimit | None, row: ClinicSetting | None
) -> tuple[Figure, Figure]:
    stored = row.value if row is not None and isinstance(row.value, dict) else {}
    high = _figure(f"point.{muscle}.high", shipped, row, stored.get("high"))
    low_value = stored.get("low")
    low = Figure(
        f"point.{muscle}.low",
        None if low_value is None else float(low_value),
        None if low_value is None else high.source,
        row is not None,
    )
    return low, high


def product_limits(session: Session, code: str) -> ProductLimits:
    """Return a product's limits for the page: each figure, its source, its mark.

    :raises NoDoseReference: for a product the shipped reference does not list.
    :raises NotFound: for a code no product has.
    """
    require_chartable_code(session, code)
    shipped = dosing.shipped_doses(code)
    rows = _rows(session, code)
    ranges = reference_doses.dose_ranges(session) if code == BOTOX else {}
    ceilings = tuple(
        _figure(
            kind,
            getattr(shipped, f"{kind}_ceiling"),
            rows.get(kind),
            _value(rows.get(kind)),
        )
        for kind in CEILINGS
    )
    groups = tuple(
        _figure(name, group.limit, rows.get(name), _value(rows.get(name)))
        for group in shipped.groups
        for name in [GROUP_PREFIX + group.key]
    )
    muscles = []
    for muscle in MUSCLES:
        side_row = rows.get(f"muscle_side.{muscle}")
        per_side = _figure(
            f"muscle_side.{muscle}",
            shipped.per_muscle_side.get(muscle),
            side_row,
            _value(side_row),
        )
        if muscle in ranges:
            low, high = _botox_range(muscle, ranges[muscle])
        else:
            low, high = _point_range(
                muscle, shipped.per_point.get(muscle), rows.get(f"point.{muscle}")
            )
        muscles.append(MuscleRow(muscle, low, high, per_side))
    return ProductLimits(
        code, shipped.unit_name, ceilings, groups, tuple(muscles), _stamp(rows)
    )


def _value(row: ClinicSetting | None) -> Any:
    return None if row is None else row.value


def field_labels(muscle_names: Mapping[str, str]) -> dict[str, str]:
    """Name each field of the page as the error summary reads it."""
    labels = {kind: f"{CEILING_NAMES[kind]}:" for kind in CEILINGS}
    labels.update({name: f"{text}:" for name, text in GROUP_NAMES.items()})
    for muscle in MUSCLES:
        name = muscle_names.get(muscle, muscle.replace("_", " "))
        labels[f"point.{muscle}.low"] = f"{name}, per point, low end:"
        labels[f"point.{muscle}.high"] = f"{name}, per point, high end:"
        labels[f"muscle_side.{muscle}"] = f"{name}, per side:"
    return labels


def _number(raw: str, most: float) -> float | None:
    """Read one figure from the form: blank is None; raises ValueError with why."""
    text = raw.strip()
    if not text:
        return None
    value = float(to_number(text))
    if not value > 0:
        raise ValueError("must be more than 0")
    if value > most:
        raise ValueError(f"must be at most {most:g} units")
    return value


def _override(value: float | None, shipped: dosing.DoseLimit | None) -> float | None:
    """Return the clinic's own figure, or None where the shipped one stands."""
    if value is None or (shipped is not None and math.isclose(value, shipped.high)):
        return None
    return value


class _Form:
    """The submitted figures, read one by one, collecting each field's error."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def read(self, name: str, most: float) -> float | None:
        try:
            return _number(str(self.form.get(name, "")), most)
        except ValueError as exc:
            self.errors[name] = str(exc)
            return None


def _ceilings(form: _Form, shipped: dosing.ProductDoses) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    used: dict[str, float] = {}
    for kind in CEILINGS:
        limit: dosing.DoseLimit = getattr(shipped, f"{kind}_ceiling")
        value = form.read(kind, MAX_TOTAL_UNITS)
        wanted[kind] = _override(value, limit)
        used[kind] = limit.high if value is None else value
    for kind in ("site", "side"):
        if kind not in form.errors and used[kind] > used["session"]:
            form.errors[kind] = (
                f"must not be more than the session ceiling ({used['session']:g})"
            )
    return wanted


def _point(
    form: _Form, muscle: str, shipped: dosing.DoseLimit | None
) -> dict[str, float | None] | None:
    low_name, high_name = f"point.{muscle}.low", f"point.{muscle}.high"
    low = form.read(low_name, MAX_POINT_UNITS)
    high = form.read(high_name, MAX_POINT_UNITS)
    if low is not None and high is None and high_name not in form.errors:
        form.errors[high_name] = "is needed with a low end"
    elif low is not None and high is not None and low > high:
        form.errors[low_name] = f"must not be more than the high end ({high:g})"
    if high is None or (low is None and _override(high, shipped) is None):
        return None
    return {"low": low, "high": high}


def _wanted(code: str, form: _Form) -> dict[str, Any]:
    """Return, per setting, the clinic's figure; None where the shipped one stands."""
    shipped = dosing.shipped_doses(code)
    wanted = _ceilings(form, shipped)
    for group in shipped.groups:
        name = GROUP_PREFIX + group.key
        wanted[name] = _override(form.read(name, MAX_TOTAL_UNITS), group.limit)
    for muscle in MUSCLES:
        per_side = form.read(f"muscle_side.{muscle}", MAX_TOTAL_UNITS)
        wanted[f"muscle_side.{muscle}"] = _override(
            per_side, shipped.per_muscle_side.get(muscle)
        )
        if code != BOTOX:
            wanted[f"point.{muscle}"] = _point(
                form, muscle, shipped.per_point.get(muscle)
            )
    return wanted


def save_product_limits(
    session: Session,
    actor: Actor,
    code: str,
    form: Mapping[str, str],
    *,
    stamp: str,
    now: datetime | None = None,
) -> int:
    """Save the clinic's limits for one product from the page; return how many moved.

    A blank field, or the shipped figure typed back, restores the shipped figure.

    :param stamp: the page's ``ProductLimits.stamp``, to refuse a stale page.
    :raises InvalidInput: naming each figure that is not a positive number within
        bounds, a low end above its high end, or a ceiling above the session's.
    :raises StaleWrite: when another admin saved this product's limits since.
    """
    require_chartable_code(session, code)
    rows = _rows(session, code)
    if stamp != _stamp(rows):
        raise StaleWrite(
            "Someone else saved these limits while you were editing. Reload to "
            "see theirs, then make your change again."
        )
    form_in = _Form(form)
    wanted = _wanted(code, form_in)
    if form_in.errors:
        raise InvalidInput("Some limits need correcting.", fields=form_in.errors)
    when = now or utc_now()
    source = settings.edited_source(session, actor, when)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, value in wanted.items():
        row = rows.get(key)
        if (None if row is None else row.value) == value:
            continue
        full_key = f"{LIMIT_PREFIX}{code}.{key}"
        before[full_key], after[full_key] = (None if row is None else row.value), value
        if row is not None and value is None:
            session.delete(row)
            continue
        row = row or ClinicSetting(
            key=full_key, value=value, label=f"Dose limit, {code}: {key}", version=0
        )
        row.value, row.source, row.unsourced = value, source, True
        row.updated_by_id, row.updated_at = actor.user_id, when
        row.version += 1
        session.add(row)
    if after:
        record_event(
            session,
            actor,
            AuditAction.UPDATE,
            "clinic_setting",
            None,  # settings are keyed by name: the keys are in before and after
            before={"product": code, **before},
            after={"product": code, **after},
        )
    session.commit()
    return len(after)
