from datetime import date
from datetime import timedelta

import pytest
from pydantic import ValidationError

from planner.models import PatientCreate
from planner.models.patients import TODAY
from planner.validation import field_errors

VALID = {
    "mrn": "MRN-001/A",
    "given_name": "Ada",
    "family_name": "Okafor",
    "date_of_birth": "1971-05-14",
    "cause": "ramsay_hunt",
    "affected_side": "right",
}
# The clinic's day, as the services pass it: no birth or onset may follow it.
CLINIC_DAY = date(2026, 3, 2)


def errors_for(**changes):
    data = {**VALID, **changes}
    data = {k: v for k, v in data.items() if v is not ...}
    with pytest.raises(ValidationError) as info:
        PatientCreate.model_validate(data, context={TODAY: CLINIC_DAY})
    return field_errors(info.value)


def test_valid_patient_and_blank_optionals():
    patient = PatientCreate.model_validate({**VALID, "phone": "  ", "onset_date": ""})
    assert patient.phone is None
    assert patient.onset_date is None
    assert patient.contraindications == []


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"mrn": "has space"}, "mrn", "characters"),
        ({"mrn": ""}, "mrn", "required"),
        ({"given_name": "   "}, "given_name", "required"),
        ({"family_name": ...}, "family_name", "required"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth", "1900"),
        (
            {"date_of_birth": str(CLINIC_DAY + timedelta(days=1))},
            "date_of_birth",
            "future",
        ),
        ({"date_of_birth": "14th May"}, "date_of_birth", "date"),
        ({"cause": "stroke"}, "cause", "bells"),
        ({"affected_side": "up"}, "affected_side", "left"),
        ({"onset_date": "1960-01-01"}, "onset_date", "before the date of birth"),
        ({"onset_date": "2026-03-03"}, "onset_date", "future"),
        ({"phone": "call me"}, "phone", "characters"),
        ({"email": "not-an-email"}, "email", "email"),
        ({"notes": "x" * 4001}, "notes", "4000"),
        ({"surprise": 1}, "surprise", "not a field"),
    ],
)
def test_each_bad_field_is_named_with_a_reason(changes, field, reason):
    errors = errors_for(**changes)
    assert field in errors
    assert reason in errors[field]


def test_without_the_clinics_day_no_date_is_called_future():
    """A read, or the API's schema pass before the service gives the day."""
    later = {**VALID, "date_of_birth": "2999-01-01", "onset_date": "2999-01-02"}
    assert PatientCreate.model_validate(later).onset_date == date(2999, 1, 2)


def test_contraindications_are_named():
    patient = PatientCreate.model_validate(
        {**VALID, "pregnant": "true", "aminoglycosides": "on"}
    )
    assert patient.contraindications == ["Pregnant", "Taking aminoglycosides"]


def test_blank_sex_means_not_recorded_and_blank_choices_are_required():
    assert PatientCreate.model_validate({**VALID, "sex": ""}).sex == "unknown"
    errors = errors_for(cause="", affected_side="", date_of_birth="")
    assert errors == {
        "cause": "is required",
        "affected_side": "is required",
        "date_of_birth": "is required",
    }


def test_nul_characters_are_refused_by_field():
    errors = errors_for(given_name="A\x00B", notes="x\x00")
    assert errors["given_name"] == "must not contain a NUL character"
    assert errors["notes"] == "must not contain a NUL character"


def test_an_unknown_empty_key_is_still_named():
    """A body key "" is refused under a name a client can show, not an empty one."""
    errors = errors_for(**{"": "x"})
    assert errors['""'] == "is not a field this form accepts"
    assert "" not in errors


def test_nul_fields_names_each_text_holding_nul_by_its_path():
    from planner.validation import nul_fields

    value = {"a": "ok", "b": "x\x00", "c": [{"d": "\x00"}], "e\x00": 1, "f": 3}
    assert nul_fields(value) == {
        "b": "must not contain a NUL character",
        "c.0.d": "must not contain a NUL character",
        "e\x00": "must not contain a NUL character",
    }
    assert nul_fields({"a": "fine", "n": None}) == {}
