"""What the fuzzing found, pinned: each case as the smallest request that showed it."""

from collections.abc import Callable
from typing import Any

import pytest

from planner.models import Role
from tests.browser_steps import open_draft
from tests.browser_steps import post_tap
from tests.conftest import Browser
from tests.factories import tap_at

# A positive float so small that its volume in mL underflows to 0.0.
TINY_DOSE = 5e-324


@pytest.fixture
def signed_chart(
    login_as: Callable[..., Browser], make_patient: Callable[..., Any]
) -> tuple[Browser, int, int]:
    """A signed session with one site: the injector's browser, session and site."""
    injector = login_as(Role.INJECTOR)
    session_id = open_draft(injector, make_patient(affected_side="right").id)
    added = post_tap(injector, session_id, "mentalis", "right", version=1)
    assert added.status_code == 201, added.json
    signed = injector.api(
        "POST",
        f"/api/v1/sessions/{session_id}/sign",
        {"version": 2, "consent_obtained": True},
    )
    assert signed.status_code == 200, signed.json
    return injector, session_id, added.json["site"]["id"]


@pytest.mark.parametrize("units", [TINY_DOSE, 0.001, 0])
def test_amendment_refuses_a_dose_too_small_to_draw(
    signed_chart: tuple[Browser, int, int], units: float
) -> None:
    """Found: an amended 5e-324 U was saved, then every read of the chart was a 500."""
    injector, session_id, site_id = signed_chart
    response = injector.api(
        "POST",
        f"/api/v1/sessions/{session_id}/amendments",
        {
            "version": 3,
            "reason": "Typo",
            "corrections": [{"site_id": site_id, "units": units}],
        },
    )
    assert response.status_code == 400, response.json
    assert "corrections.0.units" in response.json["fields"]
    chart = injector.api("GET", f"/api/v1/sessions/{session_id}")
    assert chart.status_code == 200
    assert chart.json["sites"][0]["units"] == 2.0


def test_amendment_takes_the_smallest_dose_a_site_records(
    signed_chart: tuple[Browser, int, int],
) -> None:
    injector, session_id, site_id = signed_chart
    response = injector.api(
        "POST",
        f"/api/v1/sessions/{session_id}/amendments",
        {
            "version": 3,
            "reason": "Typo",
            "corrections": [{"site_id": site_id, "units": 0.01}],
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["sites"][0]["units"] == 0.01
    assert injector.get(f"/sessions/{session_id}/record.pdf").status_code == 200


@pytest.mark.parametrize("change", ["add", "update"])
def test_a_tap_refuses_a_dose_too_small_to_draw(
    login_as: Callable[..., Browser], make_patient: Callable[..., Any], change: str
) -> None:
    injector = login_as(Role.INJECTOR)
    session_id = open_draft(injector, make_patient(affected_side="right").id)
    sites = f"/api/v1/sessions/{session_id}/sites"
    if change == "add":
        response = injector.api(
            "POST",
            sites,
            {**tap_at("mentalis", "right"), "version": 1, "units": TINY_DOSE},
        )
    else:
        site = injector.api(
            "POST", sites, {**tap_at("mentalis", "right"), "version": 1}
        )
        site_id = site.json["site"]["id"]
        response = injector.api(
            "PATCH", f"{sites}/{site_id}", {"version": 2, "units": TINY_DOSE}
        )
    assert response.status_code == 400, response.status_code
    assert "units" in response.json["fields"]
