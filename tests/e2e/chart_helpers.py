"""What the chart's e2e modules share: a patient registered and a chart opened as
the live server's injector, taps on the face map, and the chart read back.

Sites are placed with real touch taps at the screen positions of the face map's
own reference points, mapped through the SVG's screen transform, so a test
exercises the same coordinate path as a finger on the glass.
"""

import re
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.db_types import utc_now
from planner.facemap import FaceMap
from planner.facemap import reference_points
from planner.services import lots as lot_service
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import enter_logged_in
from tests.e2e.conftest import give_treatment_consent
from tests.e2e.live_db import live_session

FACE_MAPS = Path(__file__).resolve().parents[2] / "face_maps"
PATIENT = {
    "mrn": "E2E-CHART-1",
    "given_name": "Agnes",
    "family_name": "Lindqvist",
    "date_of_birth": "1966-09-02",
    "sex": "female",
    "cause": "bells",
    "affected_side": "left",
}
# A row as the test reads it: (number, muscle code, side, units).
Row = tuple[int, str, str, float]

SCREEN_POINT = """([x, y]) => {
  const svg = document.querySelector('#chart-map svg');
  const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());
  return [p.x, p.y];
}"""
IN_REGION = """([id, x, y]) => {
  const region = document.getElementById(id);
  return region !== null && region.isPointInFill(new DOMPoint(x, y));
}"""


def reference(face_map: FaceMap, muscle: str, side: str) -> tuple[float, float]:
    x, y = reference_points(face_map, face_map.muscle(muscle), side)[0]  # type: ignore[arg-type]
    return float(x), float(y)


def touch(page: Page, x: float, y: float) -> None:
    """Tap with a finger at a map point (viewBox units), scrolling it into view."""
    sx, sy = page.evaluate(SCREEN_POINT, [x, y])
    height = page.viewport_size["height"] if page.viewport_size else 768
    if not 40 < sy < height - 40:
        page.evaluate("dy => window.scrollBy(0, dy)", sy - height / 2)
        sx, sy = page.evaluate(SCREEN_POINT, [x, y])
    page.touchscreen.tap(sx, sy)


def rows(page: Page) -> Locator:
    return page.locator("#site-list > li.site-row")


def row(page: Page, number: int) -> Locator:
    return page.locator(f"#site-list > li.site-row[data-number='{number}']")


def read_rows(page: Page) -> list[Row]:
    """Every site row as shown: number, muscle, side and the units on screen."""
    found: list[list[Any]] = page.eval_on_selector_all(
        "#site-list > li.site-row",
        """rows => rows.map(r => [
            Number(r.dataset.number), r.dataset.muscle, r.dataset.side,
            Number(r.querySelector('[data-field=units]').textContent)])""",
    )
    return [(int(n), str(m), str(s), float(u)) for n, m, s, u in found]


def api_state(page: Page, server: LiveServer, session_id: int) -> dict[str, Any]:
    response = page.request.get(f"{server.url}/api/v1/sessions/{session_id}")
    assert response.ok, response.text()
    state: dict[str, Any] = response.json()
    return state


def saved_rows(state: dict[str, Any]) -> list[Row]:
    return [
        (s["number"], s["muscle"], s["side"], float(s["units"])) for s in state["sites"]
    ]


def status(page: Page) -> Locator:
    return page.locator("#chart-status")


def expected(problems: list[str], *patterns: str) -> list[str]:
    """Remove the problems a step caused on purpose, checking each did happen."""
    for pattern in patterns:
        matched = [p for p in problems if re.search(pattern, p)]
        assert matched, f"expected a problem matching {pattern!r} in {problems}"
        problems = [p for p in problems if p not in matched]
    return problems


def refused_400(endpoint: str) -> tuple[str, str]:
    """What a request to ``endpoint`` refused with 400 leaves among the page's
    problems: the answer, and the console's line about it (for ``expected``)."""
    return (
        rf"HTTP 400 for .*/{endpoint}$",
        r"console error: Failed to load resource: .* 400",
    )


def csrf(page: Page) -> str:
    return page.locator('meta[name="csrf-token"]').get_attribute("content") or ""


def register(
    page: Page, server: LiveServer, *, consent: bool = True, **overrides: str
) -> int:
    """Register a patient through the app's own API, as the logged-in user.

    With ``consent`` the patient's treatment consent is recorded too, so their
    charts can be signed (tests/e2e/test_consent_e2e.py signs it on the tablet).
    """
    response = page.request.post(
        f"{server.url}/api/v1/patients",
        data=PATIENT | overrides,
        headers={"X-CSRFToken": csrf(page)},
    )
    assert response.status == 201, response.text()
    patient_id: int = response.json()["id"]
    if consent:
        give_treatment_consent(server, patient_id)
    return patient_id


def open_session(
    page: Page,
    server: LiveServer,
    patient_id: int,
    *,
    lot: str,
    new: bool = True,
    product: str = "Botox (onabotulinumtoxinA)",
    vial_units: str = "100",
    through_form: bool = False,
) -> int:
    """Open a full treatment with the product (Botox unless told) and show its chart.

    The vial is a new vial of ``vial_units`` in 2.5 mL with that lot number, or
    (``new`` false) the one with that lot number already open. The new-session
    form is posted straight from the page the test is on, saving the patient's
    page and the form's (two page loads a chart); ``through_form`` goes there
    from the patient's page and fills the form in instead, for a test that
    checks the way there.
    """
    fill = _fill_session_form if through_form else _post_session_form
    fill(page, server, patient_id, lot=lot, new=new, product=product, units=vial_units)
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    match = re.search(r"/sessions/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


# The new-vial fields the form posts (templates/sessions/_vial_form.html).
NEW_VIAL_FIELDS = (
    "brand",
    "lot_number",
    "expiry_date",
    "vial_units",
    "diluent_ml",
    "diluent",
    "reconstituted_at",
)


def _new_vial(lot: str, units: str) -> dict[str, str]:
    """A new vial's fields as the test types them: in date, 2.5 mL, made up now."""
    return {
        "lot_number": lot,
        "expiry_date": (date.today() + timedelta(days=300)).isoformat(),
        "vial_units": units,
        "diluent_ml": "2.5",
        "reconstituted_at": datetime.now().strftime("%Y-%m-%dT%H:%M"),
    }


def _fill_session_form(
    page: Page,
    server: LiveServer,
    patient_id: int,
    *,
    lot: str,
    new: bool,
    product: str,
    units: str,
) -> None:
    """From the patient's page, "Start a treatment" and fill the form in."""
    page.goto(f"{server.url}/patients/{patient_id}")
    page.get_by_role("link", name="Start a treatment").click()
    expect(
        page.get_by_role("heading", level=1, name="New treatment session")
    ).to_be_visible()
    expect(
        page.get_by_role("group", name="Kind of session").get_by_label(
            re.compile("Full treatment")
        )
    ).to_be_checked()
    page.get_by_label("Product").select_option(label=product)
    vials = page.get_by_role("group", name=re.compile("^Vial"))
    if not new:
        brand = product.split(" (")[0]
        vials.get_by_label(re.compile(f"{brand}, lot {lot}:")).check()
    else:
        vials.get_by_label(re.compile("A new vial")).check()
        vial = page.get_by_role("group", name="New vial")
        typed = _new_vial(lot, units)
        vial.get_by_label("Lot number").fill(typed["lot_number"])
        vial.get_by_label("Expiry date").fill(typed["expiry_date"])
        vial.get_by_label("Units in the vial").fill(typed["vial_units"])
        vial.get_by_label("Diluent").fill(typed["diluent_ml"])
        vial.get_by_label("Reconstituted at").fill(typed["reconstituted_at"])
    page.get_by_label("Consent obtained for today's treatment").check()
    page.get_by_role("button", name="Open the chart").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))


def _form_choices(server: LiveServer, product: str, lot: str | None) -> tuple[str, str]:
    """The values of the form's product option labelled ``product`` and of the
    usable vial of it with lot number ``lot`` ("new" for none), found as the
    form finds its options (views/sessions.py ``_render_new``)."""
    with live_session(server) as session:
        codes = {
            f"{p.brand} ({p.inn})": p.code for p in lot_service.list_products(session)
        }
        assert product in codes, f"no product option {product!r} in {sorted(codes)}"
        code = codes[product]
        if lot is None:
            return code, "new"
        usable = lot_service.list_usable_lots(
            session, now=utc_now(), zone=ZoneInfo(server.clinic_zone)
        ).get(code, [])
        ids = [v.id for v in usable if v.lot_number == lot]
        assert len(ids) == 1, f"{len(ids)} usable {product} vials of lot {lot}, not 1"
        return code, str(ids[0])


def session_form_data(
    token: str, product: str, lot_choice: str, *, lot: str, units: str
) -> dict[str, str]:
    """What the new-session form posts, filled in as ``_fill_session_form`` fills
    it: ``lot_choice`` "new" for a new vial of ``lot``, else an open vial's id.
    tests/views/test_session_form_fields.py checks the form has these fields."""
    new = lot_choice == "new"
    return {
        "csrf_token": token,
        "kind": "full",
        "product": product,
        "lot_choice": lot_choice,
        # Posted blank when an open vial is chosen, as the form posts them.
        **dict.fromkeys(NEW_VIAL_FIELDS, ""),
        **(_new_vial(lot, units) if new else {}),
        "consent_obtained": "true",
        "consent_note": "",
    }


def _post_session_form(
    page: Page,
    server: LiveServer,
    patient_id: int,
    *,
    lot: str,
    new: bool,
    product: str,
    units: str,
) -> None:
    """Post what the filled form posts, then open the chart it redirects to."""
    code, choice = _form_choices(server, product, None if new else lot)
    response = page.request.post(
        f"{server.url}/patients/{patient_id}/sessions",
        form=session_form_data(csrf(page), code, choice, lot=lot, units=units),
        max_redirects=0,
    )
    assert response.status == 302, response.text()
    chart = response.headers["location"]
    assert re.search(r"/sessions/\d+$", chart), chart
    page.goto(urljoin(f"{server.url}/", chart))


def log_in_and_register(page: Page, server: LiveServer, **patient: Any) -> int:
    """Log in as the server's injector from the home page, then register a patient
    (``PATIENT`` with these changes) as :func:`register` does; return their id."""
    enter_logged_in(page, server)
    return register(page, server, **patient)


def open_new_chart(page: Page, server: LiveServer, *, lot: str, **patient: Any) -> int:
    """Log in, register a patient and open their chart on a new Botox vial with
    that lot number; return the session's id."""
    patient_id = log_in_and_register(page, server, **patient)
    return open_session(page, server, patient_id, lot=lot)


def tap_sites(page: Page, face_map: FaceMap, sites: Iterable[tuple[str, str]]) -> None:
    """On an empty chart, tap each (muscle, side) at its reference point, checking
    that each tap makes the next site."""
    for number, (muscle, side) in enumerate(sites, start=1):
        touch(page, *reference(face_map, muscle, side))
        expect(row(page, number)).to_have_attribute("data-muscle", muscle)


def sign_with_reasons(page: Page) -> None:
    """Give a reason wherever the chart asks for one, then review and sign it."""
    for reason in page.locator("[data-reason-for]").all():
        reason.fill("Discussed with the patient; agreed plan.")
    page.get_by_role("button", name="Review and sign").click()
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")
