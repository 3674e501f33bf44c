"""Values and filters the templates share."""

from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from planner.access import can
from planner.models import Role
from planner.models.enums import AFFECTED_SIDE_LABELS
from planner.models.enums import PALSY_CAUSE_LABELS
from planner.models.enums import SEX_LABELS


def register_template_helpers(app: Flask) -> None:
    # Templates show a link or form only to roles its view lets in: can("x.y").
    app.add_template_global(can)
    zone = ZoneInfo(app.config["CLINIC_TIMEZONE"])

    @app.context_processor
    def choices() -> dict[str, Any]:
        return {
            "CAUSES": {k.value: v for k, v in PALSY_CAUSE_LABELS.items()},
            "SEXES": {k.value: v for k, v in SEX_LABELS.items()},
            "AFFECTED_SIDES": {k.value: v for k, v in AFFECTED_SIDE_LABELS.items()},
            "ROLES": Role,
            "CLINIC_NAME": app.config["CLINIC_NAME"],
        }

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
        today = date.today()
        return (
            today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        )
