"""The typed chart state: bad values are refused by field name, JSON is stable."""

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from planner.services.chart_state_models import ChartSite
from planner.services.chart_state_models import ChartState
from planner.services.chart_state_models import ChartWarning
from planner.services.chart_state_models import LotInfo
from planner.services.chart_state_models import SessionInfo

LONDON = ZoneInfo("Europe/London")
SUMMER = datetime(2026, 7, 1, 9, 30, tzinfo=LONDON)

WARNING = {
    "key": "muscle_above_limit:platysma:left",
    "code": "muscle_above_limit",
    "severity": "warning",
    "message": "Platysma (left): 40 U is above 30 U per side (clinic setting).",
    "source": "Clinic setting",
    "muscle": "platysma",
    "side": "left",
    "site_number": None,
    "hard_stop": False,
    "needs_reason": True,
}
SITE = {
    "id": 1,
    "number": 1,
    "muscle": "mentalis",
    "muscle_name": "Mentalis",
    "abbreviation": "Ment",
    "side": "left",
    "role": "affected",
    "x": 200.0,
    "y": 420.0,
    "units": 2.5,
    "unset_reason": None,
    "volume_ml": 0.0625,
    "marks": 6.25,
    "draw_text": "0.063 mL · 6.3 marks",
    "version": 1,
    "guidance": "",
    "caution": "",
    "vial_lot_id": None,
}
PRODUCTS = {
    "botox": {
        "code": "botox",
        "brand": "Botox",
        "unit_name": "U",
        "colour": "#0072B2",
        "dose_reference": True,
    },
    "dysport": {
        "code": "dysport",
        "brand": "Dysport",
        "unit_name": "U",
        "colour": "#D55E00",
        "dose_reference": True,
    },
}


def session_info(product="botox", **changes):
    return {
        "id": 7,
        "patient_id": 3,
        "kind": "full",
        "cycle_number": 2,
        "status": "draft",
        "version": 4,
        "performed_at": SUMMER,
        "treatment_time": SUMMER,
        "treatment_time_input": "2026-07-01T09:30",
        "performed_at_confirmed": False,
        "product": PRODUCTS[product],
        "lot": None,
        "vials": [],
        "signed_at": None,
        "signed_by": None,
        "consent_obtained": True,
        **changes,
    }


def state(product="botox", **changes):
    return {
        "session": session_info(product),
        "patient": {"id": 3, "name": "Ada Byron", "mrn": "M1", "affected_side": "left"},
        "sites": [SITE],
        "totals": {
            "units": 2.5,
            "unset": 0,
            "volume_ml": 0.0625,
            "vials_used": 1,
            "by_muscle": [
                {
                    "muscle": "mentalis",
                    "muscle_name": "Mentalis",
                    "side": "left",
                    "units": 2.5,
                }
            ],
            "by_side": {"left": 2.5, "right": 0.0, "midline": 0.0},
        },
        "warnings": [WARNING],
        "flag_changes": [],
        "last_cycle": [],
        "changes": [],
        "svg": "<svg></svg>",
        "treated_muscles": [],
        "map": {"name": "front", "version": 2, "scale_px_per_cm": 20.0},
        "amendments": [],
        "templates": [],
        "step_units": 0.25,
        "min_units": 0.25,
        "max_units": 400,
        "muscles": [],
        **changes,
    }


def refused_at(model, data):
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return {error["loc"] for error in info.value.errors()}


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_whole_state_validates_and_round_trips_through_json(product):
    parsed = ChartState.model_validate(state(product))
    again = ChartState.model_validate(parsed.as_json())
    assert again == parsed
    assert parsed.session.product.code == product
    assert parsed.sites[0].side == "left"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"severity": "danger"}, ("severity",)),
        ({"key": ""}, ("key",)),
        ({"needs_reason": None}, ("needs_reason",)),
        ({"colour": "red"}, ("colour",)),
    ],
)
def test_a_bad_warning_is_refused_by_field(changes, where):
    assert where in refused_at(ChartWarning, {**WARNING, **changes})


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"side": "top"}, ("side",)),
        ({"role": "both"}, ("role",)),
        ({"units": -1}, ("units",)),
        ({"number": 0}, ("number",)),
        ({"extra": 1}, ("extra",)),
    ],
)
def test_a_bad_site_is_refused_by_field(changes, where):
    assert where in refused_at(ChartSite, {**SITE, **changes})


def test_a_naive_time_or_a_malformed_form_time_is_refused_by_field():
    refused = refused_at(
        SessionInfo,
        session_info(
            performed_at=datetime(2026, 7, 1, 9, 30),
            treatment_time_input="1 July 2026",
            status="half-signed",
        ),
    )
    assert {("performed_at",), ("treatment_time_input",), ("status",)} <= refused


def test_nested_errors_name_the_path_down_to_the_field():
    bad_site = {**SITE, "side": "top"}
    bad_warning = {**WARNING, "severity": "danger"}
    refused = refused_at(
        ChartState, state(sites=[SITE, bad_site], warnings=[bad_warning], other=1)
    )
    assert ("sites", 1, "side") in refused
    assert ("warnings", 0, "severity") in refused
    assert ("other",) in refused


def test_a_lot_without_diluent_is_refused():
    refused = refused_at(
        LotInfo,
        {
            "id": 1,
            "brand": "Botox",
            "lot_number": "C1",
            "expiry_date": "2027-06-30",
            "vial_units": 100,
            "diluent_ml": 0,
            "units_per_tenth_ml": 4,
            "reconstituted_at": None,
        },
    )
    assert refused == {("diluent_ml",)}


def test_times_are_written_as_isoformat_on_the_clinic_clock():
    parsed = ChartState.model_validate(
        state(session=session_info(signed_at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC)))
    )
    written = parsed.as_json()["session"]
    assert written["performed_at"] == "2026-07-01T09:30:00+01:00"
    assert written["signed_at"] == "2026-01-05T08:00:00+00:00"
    # In Python the page gets real moments and dates, not strings to parse.
    assert parsed.session.performed_at == SUMMER
    lot = LotInfo.model_validate(
        {
            "id": 1,
            "brand": "Botox",
            "lot_number": "C1",
            "expiry_date": "2027-06-30",
            "vial_units": 100,
            "diluent_ml": 2.5,
            "units_per_tenth_ml": 4,
            "reconstituted_at": SUMMER,
        }
    )
    assert lot.expiry_date == date(2027, 6, 30)
    assert lot.model_dump(mode="json")["reconstituted_at"] == SUMMER.isoformat()


def test_a_warning_keeps_only_the_answers_it_was_given():
    draft = ChartWarning.model_validate(WARNING).model_dump(mode="json")
    assert "reason" not in draft
    assert "overridden_by" not in draft
    signed = ChartWarning.model_validate({**WARNING, "reason": None})
    assert signed.model_dump(mode="json")["reason"] is None
    assert "overridden_by" not in signed.model_dump(mode="json")
    overridden = ChartWarning.model_validate(
        {**WARNING, "hard_stop": True, "reason": "Seen by GP.", "overridden_by": "Eve"}
    ).model_dump(mode="json")
    assert (overridden["reason"], overridden["overridden_by"]) == ("Seen by GP.", "Eve")


def test_the_state_cannot_be_changed_once_built():
    parsed = ChartState.model_validate(state())
    with pytest.raises(ValidationError):
        parsed.svg = "<svg>other</svg>"  # type: ignore[misc]
