"""What was typed on the new-session form, held while the patient signs consent.

When treatment consent is missing, the form's consent buttons submit the form
here first: its own fields are kept in the session cookie, for that patient
only, and the clinician goes on to the consent page. Back on the form (the
consent pages' ``next``), the fields are typed in again for them: a lot number
is never retyped with gloved hands. Only the form's own fields are kept, each a
short string, and they are checked again when the form is sent, as typed ones
are; the draft goes once the session opens, or after ``HOLD_FOR``.
"""

from collections.abc import Mapping
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask import session as cookie

# The fields of templates/sessions/new.html (and its vial form) that are kept,
# each with the longest value kept. ``dilution_confirmed`` is not one: the
# dilution is confirmed on the form itself, once it says why. Nor is the
# consent note: free text about the patient's health stays out of the cookie,
# which is signed, not encrypted.
HELD_FIELDS = {
    "kind": 20,
    "product": 40,
    "lot_choice": 20,
    "brand": 80,
    "lot_number": 40,
    "expiry_date": 20,
    "vial_units": 10,
    "diluent_ml": 10,
    "diluent": 80,
    "reconstituted_at": 40,
    "consent_obtained": 10,
}
# How long a held form is offered again: long enough to sign consent, short
# enough that a form left unsent is not filled in on another day (a clinic
# setting, not a clinical figure).
HOLD_FOR = timedelta(hours=2)
COOKIE_KEY = "held_session_form"


def held_fields(form: Mapping[str, Any]) -> dict[str, str]:
    """Return the form's own fields that were filled in, each cut to its length."""
    return {
        name: value[:limit]
        for name, limit in HELD_FIELDS.items()
        if isinstance(value := form.get(name), str) and value.strip()
    }


def hold_form(patient_id: int, form: Mapping[str, Any], *, now: datetime) -> None:
    """Keep the form's own fields for this patient, in place of any other's."""
    cookie[COOKIE_KEY] = {
        "patient_id": patient_id,
        "at": now.timestamp(),
        "fields": held_fields(form),
    }


def held_form(patient_id: int, *, now: datetime) -> dict[str, str]:
    """Return the fields held for this patient, re-checked; empty if none are."""
    held = cookie.get(COOKIE_KEY)
    if not isinstance(held, dict) or held.get("patient_id") != patient_id:
        return {}
    at = held.get("at")
    if (
        not isinstance(at, int | float)
        or now.timestamp() - at > HOLD_FOR.total_seconds()
    ):
        drop_held_form()
        return {}
    fields = held.get("fields")
    return held_fields(fields) if isinstance(fields, dict) else {}


def drop_held_form() -> None:
    """Forget the held form: the session it was for is open."""
    cookie.pop(COOKIE_KEY, None)
