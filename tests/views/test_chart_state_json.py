"""The JSON the chart page and the chart API send keeps today's field names.

chart.js reads these keys; the typed model behind them must not rename, add or
drop one. A chart with sites, warnings, a last cycle, a template and, when
amended, an amendment: in Botox and in Dysport, draft, signed and amended.
"""

import json
import re

import pytest

from planner.models import Role
from tests.chart_state_plans import PRODUCTS
from tests.chart_state_plans import chart_today
from tests.chart_state_plans import every_key

SESSION = {
    "session",
    *(
        f"session.{key}"
        for key in (
            "id",
            "patient_id",
            "kind",
            "cycle_number",
            "status",
            "version",
            "performed_at",
            "treatment_time",
            "treatment_time_input",
            "performed_at_confirmed",
            "product",
            "product.code",
            "product.brand",
            "product.unit_name",
            "product.colour",
            # Whether the dose reference is held: False only on a signed record
            # in a product the reference does not list (added with issue hZ).
            "product.dose_reference",
            "lot",
            "lot.id",
            "lot.brand",
            "lot.lot_number",
            "lot.expiry_date",
            "lot.vial_units",
            "lot.diluent_ml",
            "lot.units_per_tenth_ml",
            "lot.reconstituted_at",
            # Each vial the sites were drawn from (a chart may switch vial).
            "vials",
            *(
                f"vials[].{field}"
                for field in (
                    "id",
                    "brand",
                    "lot_number",
                    "expiry_date",
                    "vial_units",
                    "diluent_ml",
                    "units_per_tenth_ml",
                    "reconstituted_at",
                    "in_use",
                    "site_numbers",
                    "units",
                )
            ),
            "signed_at",
            "signed_by",
            "consent_obtained",
        )
    ),
}
SITE = (
    "id",
    "number",
    "muscle",
    "muscle_name",
    "abbreviation",
    "side",
    "role",
    "x",
    "y",
    "units",
    "unset_reason",
    "vial_lot_id",
    "volume_ml",
    "marks",
    "draw_text",
    "version",
    "guidance",
    "caution",
)
WARNING = (
    "key",
    "code",
    "severity",
    "message",
    "source",
    "muscle",
    "side",
    "site_number",
    "hard_stop",
    "needs_reason",
)
DRAFT_KEYS = {
    *SESSION,
    "patient",
    "patient.id",
    "patient.name",
    "patient.mrn",
    "patient.affected_side",
    "sites",
    *(f"sites[].{key}" for key in SITE),
    "totals",
    "totals.units",
    "totals.unset",
    "totals.volume_ml",
    "totals.vials_used",
    "totals.by_muscle",
    "totals.by_muscle[].muscle",
    "totals.by_muscle[].muscle_name",
    "totals.by_muscle[].side",
    "totals.by_muscle[].units",
    "totals.by_side",
    "totals.by_side.left",
    "totals.by_side.right",
    "totals.by_side.midline",
    "warnings",
    *(f"warnings[].{key}" for key in WARNING),
    "flag_changes",
    "last_cycle",
    *(
        f"last_cycle[].{key}"
        for key in ("muscle", "side", "x", "y", "units", "product")
    ),
    "changes",
    *(f"changes[].{key}" for key in ("muscle", "side", "before", "after")),
    "svg",
    # Muscle-sides a procedure excised or denervated (issue 22); empty here.
    "treated_muscles",
    "map",
    "map.name",
    "map.version",
    "map.scale_px_per_cm",
    "amendments",
    "templates",
    *(
        f"templates[].{key}"
        for key in ("id", "name", "description", "sites", "product", "doses_carried")
    ),
    "step_units",
    "min_units",
    "max_units",
    "muscles",
    *(
        f"muscles[].{key}"
        for key in ("code", "name", "abbreviation", "sides", "guidance", "caution")
    ),
}
# A signed record keeps each warning's reason (no hard stop here, so no override).
SIGNED_KEYS = DRAFT_KEYS | {"warnings[].reason"}
AMENDED_KEYS = SIGNED_KEYS | {
    *(f"amendments[].{key}" for key in ("at", "author", "reason", "note", "sites")),
    *(f"amendments[].sites[].{key}" for key in ("site", "before", "after")),
}
KEYS = {"draft": DRAFT_KEYS, "signed": SIGNED_KEYS, "amended": AMENDED_KEYS}


def page_state(browser, session_id):
    """Return the state the chart page hands chart.js."""
    page = browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    found = re.search(
        r'<script type="application/json" id="chart-state">(.*?)</script>', page, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.parametrize("product", PRODUCTS)
@pytest.mark.parametrize("stage", ["draft", "signed", "amended"])
def test_the_page_and_the_api_send_the_same_keys_as_before(
    session, injector, make_patient, login_as, product, stage
):
    patient = make_patient(affected_side="left")
    session_id = chart_today(
        session,
        injector,
        patient.id,
        product,
        sign=stage != "draft",
        amend=stage == "amended",
    )
    browser = login_as(Role.STAFF)
    api = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    page = page_state(browser, session_id)

    assert set(every_key(api)) == KEYS[stage]
    assert set(every_key(page)) == KEYS[stage]
    assert page["warnings"]
    assert page["changes"]
    assert page["last_cycle"]
    assert [w["severity"] for w in page["warnings"]].count("warning") >= 1


@pytest.mark.parametrize("product", PRODUCTS)
def test_times_dates_and_choices_are_the_strings_chart_js_reads(
    session, injector, make_patient, login_as, product
):
    patient = make_patient(affected_side="left")
    session_id = chart_today(session, injector, patient.id, product, amend=True)
    state = login_as(Role.STAFF).api("GET", f"/api/v1/sessions/{session_id}").json

    record = state["session"]
    # isoformat() text on the clinic's clock (the tests' clinic is on UTC).
    assert record["performed_at"] == "2026-11-20T10:00:00+00:00"
    assert record["signed_at"] == "2026-11-20T10:00:00+00:00"
    assert record["treatment_time_input"] == "2026-11-20T10:00"
    assert record["lot"]["expiry_date"] == "2027-06-30"
    assert record["lot"]["reconstituted_at"] == "2026-11-20T10:00:00+00:00"
    # Now, on the clinic's clock: +00:00 in winter, +01:00 in a London summer.
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+0[01]:00",
        state["amendments"][0]["at"],
    )
    assert (record["status"], record["kind"], record["product"]["code"]) == (
        "signed",
        "full",
        product,
    )
    assert {s["side"] for s in state["sites"]} == {"left"}
    assert state["totals"]["by_side"]["right"] == 0
    (correction,) = state["amendments"][0]["sites"]
    assert correction["after"] == correction["before"] + 1
