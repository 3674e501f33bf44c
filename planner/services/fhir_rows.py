"""Stored rows copied into the FHIR export's records (``interop.fhir_records``).

Each record takes the row's columns of the same names; a link out of the
patient's own records (another patient's session) is left out, so that no
reference points outside the Bundle.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import fields
from enum import Enum
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from planner.interop.fhir_records import AmendmentRecord
from planner.interop.fhir_records import AppointmentRecord
from planner.interop.fhir_records import AssessmentRecord
from planner.interop.fhir_records import SessionRecord
from planner.interop.fhir_records import SiteRecord
from planner.models import Amendment
from planner.models import Appointment
from planner.models import Assessment
from planner.models import InjectionSite
from planner.models import TreatmentSession


class RecordRefused(ValueError):
    """A stored row the export cannot carry; the message names it and why."""


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

RowT = TypeVar("RowT")
RecordT = TypeVar("RecordT", bound="DataclassInstance")


def grouped(
    rows: Iterable[RowT], key: Callable[[RowT], int]
) -> defaultdict[int, list[RowT]]:
    """Group rows, kept in their order, by a key such as their patient's id."""
    grouped: defaultdict[int, list[RowT]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def stored_id(value: int | None) -> int:
    assert value is not None, "a stored row has an id"
    return value


def as_record(cls: type[RecordT], row: Any, **overrides: Any) -> RecordT:
    """Copy a row's columns into the export record's fields of the same names.

    Enums become their values; ``overrides`` gives the fields that differ.
    """
    values: dict[str, Any] = {}
    for field in fields(cls):
        if field.name not in overrides:
            value = getattr(row, field.name)
            values[field.name] = value.value if isinstance(value, Enum) else value
    assert values.get("id", 0) is not None, "a stored row has an id"
    try:
        return cls(**values, **overrides)
    except RecordRefused:
        raise
    except ValueError as exc:
        # Name the stored row, so that someone can find it and correct it.
        noun = re.sub(r"(?<!^)(?=[A-Z])", " ", type(row).__name__).lower()
        raise RecordRefused(f"{noun} {values.get('id')}: {exc}") from exc


def session_record(
    record: TreatmentSession, sites: list[InjectionSite], amendments: list[Amendment]
) -> SessionRecord:
    return as_record(
        SessionRecord,
        record,
        lot_id=record.vial_lot_id,
        # A draft's site whose dose is still to enter has no dose to export yet.
        sites=tuple(
            as_record(SiteRecord, site, lot_id=site.vial_lot_id)
            for site in sites
            if site.units is not None
        ),
        amendments=tuple(
            as_record(AmendmentRecord, amendment, at=amendment.created_at)
            for amendment in amendments
        ),
    )


def assessment_record(
    assessment: Assessment, own_sessions: set[int]
) -> AssessmentRecord:
    # A link to another patient's session would be a reference out of the Bundle.
    cycle = assessment.session_id if assessment.session_id in own_sessions else None
    return as_record(
        AssessmentRecord,
        assessment,
        scores=dict(assessment.scores),
        session_id=cycle,
    )


def appointment_record(
    appointment: Appointment, own_sessions: set[int]
) -> AppointmentRecord:
    source = appointment.source_session_id
    return as_record(
        AppointmentRecord,
        appointment,
        source_session_id=source if source in own_sessions else None,
    )
