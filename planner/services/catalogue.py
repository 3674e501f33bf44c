"""Load the products and the clinic's reference settings into the database."""

from typing import Any

from sqlmodel import Session
from sqlmodel import select

from planner.models import AuditAction
from planner.models import ClinicSetting
from planner.models import Product
from planner.reference import MUSCLE_DOSES
from planner.reference import PRODUCTS
from planner.reference import MuscleDose
from planner.reference import ProductReference
from planner.services.audit import SYSTEM
from planner.services.audit import record_event
from planner.services.product_close import close_settings
from planner.services.product_rules import interval_settings

# Clinic-editable settings with defaults; unsourced ones are the clinic's choice.
DEFAULT_SETTINGS: tuple[tuple[str, Any, str, str | None, bool], ...] = (
    (
        "review_day",
        14,
        "Review visit, days after treatment",
        "[S63] several clinics review at 2 weeks",
        False,
    ),
    (
        "review_tolerance_days",
        3,
        "Review window, ± days",
        "Derived default schedule (clinical reference §3), not a guideline",
        True,
    ),
    (
        "retreat_window_start_weeks",
        12,
        "Re-treatment window opens, weeks",
        "[S20] [S25] [S26] labels: not more often than every 3 months",
        False,
    ),
    (
        "retreat_window_end_weeks",
        16,
        "Re-treatment window closes, weeks (a patient's own longer wear-off widens it)",
        # Sourced for onabotulinumtoxinA only (reference §3); for the other
        # products the same figure is the clinic's, and proposals say so.
        "[S16] [S20] [S36] effect lasts about 3–4 months: sourced for "
        "onabotulinumtoxinA (Botox) only; for other products a clinic setting",
        False,
    ),
    # Each product's own close, unset: the clinic-wide close stands until set.
    *close_settings(),
    # A minimum interval no source gives (Dysport's): the clinic's choice.
    *interval_settings(),
    (
        "dose_change_reason_share",
        0.5,
        "Dose change against last cycle that asks for a reason (share)",
        None,
        True,
    ),
    (
        "reminder_days_before",
        2,
        "Send reminders this many days before (0: on the morning of the day, at 08:00)",
        None,
        True,
    ),
    (
        "slot_minutes_treatment",
        30,
        "Appointment length: treatment, minutes",
        None,
        True,
    ),
    (
        "slot_minutes_review",
        15,
        "Appointment length: review, minutes",
        None,
        True,
    ),
    (
        "slot_minutes_assessment",
        30,
        "Appointment length: assessment, minutes",
        None,
        True,
    ),
    ("slot_minutes_other", 15, "Appointment length: other, minutes", None, True),
    (
        "stock_expiry_alert_days",
        60,
        "Stock: warn this many days before a lot expires",
        None,
        True,
    ),
    (
        "stock_low_vials",
        2,
        "Stock: warn when fewer unopened in-date vials of a product are left",
        None,
        True,
    ),
    (
        "diary_link_weeks",
        26,
        "Patient diary link works for, weeks (the next treatment ends it sooner)",
        None,
        True,
    ),
    # Off by default: weekly email to patients is the clinic's choice to make
    # (it needs SMTP and PLANNER_PUBLIC_URL, and the patient's agreement).
    (
        "diary_weekly_invite_days",
        0,
        "Diary: email the patient an invitation to the weekly check every this "
        "many days (0 = never)",
        None,
        True,
    ),
    # Issue 20: a clinic-set age, not a clinical fact; no source sets one.
    (
        "consent_valid_months",
        12,
        "Consent: ask the patient to sign again after this many months",
        None,
        True,
    ),
)


def _dilutions(ref: ProductReference) -> list[dict[str, Any]]:
    return [
        {"vial_units": d.vial_units, "diluent_ml": d.diluent_ml, "source": d.source}
        for d in ref.dilutions
    ]


def _dose_setting(dose: MuscleDose) -> dict[str, Any]:
    """The shipped reference dose of one muscle, as its setting's fields."""
    return {
        "value": {"low": dose.low, "high": dose.high, "default": dose.default},
        "label": f"Reference dose per point, {dose.muscle.replace('_', ' ')} "
        "(onabotulinumtoxinA units)",
        "source": dose.source,
        "unsourced": dose.unsourced,
    }


def load_catalogue(session: Session) -> None:
    """Insert missing products, reference doses and settings; keep clinic edits.

    A reference dose the clinic never edited, and a product's dilution table
    (which no one edits), follow the reference this release ships: a figure
    corrected against its source reaches databases made by earlier releases too.
    Each such correction is audited.
    """
    products = {row.code: row for row in session.exec(select(Product)).all()}
    for ref in PRODUCTS:
        if ref.code in products:
            _follow_reference(session, products[ref.code], _dilutions(ref))
            continue
        session.add(
            Product(
                code=ref.code,
                brand=ref.brand,
                inn=ref.inn,
                unit_name=ref.unit_name,
                vial_sizes=list(ref.vial_sizes),
                dilutions=_dilutions(ref),
                in_use_hours=ref.in_use_hours,
                in_use_source=ref.in_use_source,
                cap_units_3_months=ref.cap_units_3_months,
                cap_source=ref.cap_source,
                min_interval_days=ref.min_interval_days,
                interval_source=ref.interval_source,
                colour=ref.colour,
            )
        )
    settings = {row.key: row for row in session.exec(select(ClinicSetting)).all()}
    for key, value, label, source, unsourced in DEFAULT_SETTINGS:
        row = settings.get(key)
        if row is None:
            session.add(
                ClinicSetting(
                    key=key,
                    value=value,
                    label=label,
                    source=source,
                    unsourced=unsourced,
                )
            )
        elif row.updated_by_id is None and row.version == 1:
            # Never edited: its label and source follow what is shipped now; its
            # value is left alone.
            _follow_shipped(session, row, {"label": label, "source": source})
    for dose in MUSCLE_DOSES:
        key = f"dose.{dose.muscle}"
        shipped = _dose_setting(dose)
        row = settings.get(key)
        if row is None:
            session.add(ClinicSetting(key=key, **shipped))
        elif row.updated_by_id is None and row.version == 1:
            _follow_shipped(session, row, shipped)
    session.commit()


def _follow_reference(
    session: Session, product: Product, dilutions: list[dict[str, Any]]
) -> None:
    """Give a product the dilution table the reference ships, if it differs."""
    if product.dilutions == dilutions:
        return
    record_event(
        session,
        SYSTEM,
        AuditAction.UPDATE,
        "product",
        product.id,
        before={"dilutions": product.dilutions},
        after={"dilutions": dilutions, "why": "reference corrected"},
    )
    product.dilutions = dilutions
    session.add(product)


def _follow_shipped(
    session: Session, row: ClinicSetting, shipped: dict[str, Any]
) -> None:
    """Give a never-edited setting the fields (figures, label, source) now shipped.

    Its version stays 1 and its editor none: it is still the shipped setting.
    """
    before = {name: getattr(row, name) for name in shipped}
    if before == shipped:
        return
    record_event(
        session,
        SYSTEM,
        AuditAction.UPDATE,
        "clinic_setting",
        None,  # settings are keyed by name: the key is in before and after
        before={"key": row.key, **before},
        after={"key": row.key, **shipped, "why": "reference corrected"},
    )
    for name, value in shipped.items():
        setattr(row, name, value)
    session.add(row)
