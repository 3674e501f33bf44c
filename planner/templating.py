"""Values and filters the templates share."""

from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from planner.access import can
from planner.access import idle_watch
from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from planner.dosing import format_marks
from planner.dosing import format_units
from planner.dosing import format_volume_ml
from planner.dosing import units_per_tenth_ml
from planner.dosing.dose_limits import LIMIT_CODES
from planner.services.lot_brands import product_brands
from planner.services.lot_brands import vial_sizes_text
from planner.services.warning_reasons import panel_reason_label
from planner.unit_words import in_units
from planner.unit_words import top_up_example
from planner.vocabulary import LABELS
from planner.vocabulary import label


def register_template_helpers(app: Flask) -> None:
    # Templates show a link or form only to roles its view lets in: can("x.y").
    app.add_template_global(can)
    # base.html's warning before the idle logout (WCAG 2.2.1).
    app.add_template_global(idle_watch)
    # The vial forms' brand choice and dilution tables, per brand.
    app.add_template_global(product_brands)
    app.add_template_global(vial_sizes_text)
    # The chart panel's reason boxes, named by their warning in words.
    app.add_template_global(panel_reason_label)
    zone = ZoneInfo(app.config["CLINIC_TIMEZONE"])
    # A global, not a context value: macros imported without context see it too.
    app.jinja_env.globals["LABELS"] = LABELS
    # The dose limit warnings: an amendment's are judged by the limits at signing.
    app.jinja_env.globals["LIMIT_CODES"] = LIMIT_CODES

    @app.context_processor
    def choices() -> dict[str, Any]:
        return {"CLINIC_NAME": app.config["CLINIC_NAME"]}

    @app.template_filter("ml")
    def ml_filter(value: float | None) -> str:
        """Show a volume in the one format (0.001 mL): ``{{ site.volume_ml|ml }}``."""
        return "–" if value is None else format_volume_ml(value)

    @app.template_filter("per_tenth_ml")
    def per_tenth_ml_filter(vial_units: float, diluent_ml: float) -> str:
        """Show a vial's strength, units per 0.1 mL, to 0.01 U as the record and
        the dilution check do: ``{{ vial_units|per_tenth_ml(diluent_ml) }}``."""
        return format_units(units_per_tenth_ml(vial_units, diluent_ml))

    # A unit name beside a label, never in brackets: ``{{ "Dose"|in_units(unit) }}``.
    app.add_template_filter(in_units)
    # "4 + 1" explained in the one product's units, or in none of several's.
    app.add_template_filter(top_up_example)

    @app.template_filter("marks")
    def marks_filter(value: float | None) -> str:
        """Show U-100 syringe marks to 0.1: ``{{ site.marks|marks }}``."""
        return "–" if value is None else format_marks(value)

    @app.template_filter("label")
    def label_filter(value: str | None, vocabulary: str) -> str:
        """Show a stored value in words: ``{{ patient.sex|label("sex") }}``."""
        return "" if value is None else label(vocabulary, value)

    @app.template_filter("day")
    def day(value: date | datetime | None) -> str:
        """Format a date as '3 Mar 2026', in the clinic's zone for datetimes."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(zone).date()
        return f"{value.day} {value:%b %Y}"

    @app.template_filter("when")
    def when(value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(zone)
        return f"{local.day} {local:%b %Y, %H:%M}"

    @app.template_filter("age")
    def age(born: date) -> int:
        today = clinic_today(zone, utc_now())
        return (
            today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        )
