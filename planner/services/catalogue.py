"""Load the products and the clinic's reference settings into the database."""

from typing import Any

from sqlmodel import Session
from sqlmodel import select

from planner.models import ClinicSetting
from planner.models import Product
from planner.reference import MUSCLE_DOSES
from planner.reference import PRODUCTS

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
        "Re-treatment window closes, weeks",
        "[S16] [S36] effect lasts about 3–4 months",
        False,
    ),
    (
        "dose_change_reason_share",
        0.5,
        "Dose change against last cycle that asks for a reason (share)",
        None,
        True,
    ),
    ("reminder_days_before", 2, "Send reminders this many days before", None, True),
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
        "Appointment length: 2-week review, minutes",
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


def load_catalogue(session: Session) -> None:
    """Insert missing products, reference doses and settings; keep clinic edits."""
    existing = set(session.exec(select(Product.code)).all())
    for ref in PRODUCTS:
        if ref.code in existing:
            continue
        session.add(
            Product(
                code=ref.code,
                brand=ref.brand,
                inn=ref.inn,
                unit_name=ref.unit_name,
                vial_sizes=list(ref.vial_sizes),
                dilutions=[
                    {
                        "vial_units": d.vial_units,
                        "diluent_ml": d.diluent_ml,
                        "source": d.source,
                    }
                    for d in ref.dilutions
                ],
                in_use_hours=ref.in_use_hours,
                in_use_source=ref.in_use_source,
                cap_units_3_months=ref.cap_units_3_months,
                cap_source=ref.cap_source,
                min_interval_days=ref.min_interval_days,
                interval_source=ref.interval_source,
                colour=ref.colour,
            )
        )
    keys = set(session.exec(select(ClinicSetting.key)).all())
    for key, value, label, source, unsourced in DEFAULT_SETTINGS:
        if key not in keys:
            session.add(
                ClinicSetting(
                    key=key,
                    value=value,
                    label=label,
                    source=source,
                    unsourced=unsourced,
                )
            )
    for dose in MUSCLE_DOSES:
        key = f"dose.{dose.muscle}"
        if key not in keys:
            session.add(
                ClinicSetting(
                    key=key,
                    value={"low": dose.low, "high": dose.high, "default": dose.default},
                    label=f"Reference dose per point, {dose.muscle.replace('_', ' ')} "
                    "(onabotulinumtoxinA units)",
                    source=dose.source,
                    unsourced=dose.unsourced,
                )
            )
    session.commit()
