"""Chart a treatment at the chair: real Chromium, a touch tablet, the live server.

Sites are placed with real touch taps at the screen positions of the face map's
own reference points, mapped through the SVG's screen transform, so the test
exercises the same coordinate path as a finger on the glass.
"""

import re
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import hit_test
from planner.facemap import load_face_map
from tests.e2e.chart_helpers import FACE_MAPS
from tests.e2e.chart_helpers import IN_REGION
from tests.e2e.chart_helpers import SCREEN_POINT
from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import csrf
from tests.e2e.chart_helpers import expected
from tests.e2e.chart_helpers import log_in_and_register
from tests.e2e.chart_helpers import open_new_chart
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import read_rows
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import refused_400
from tests.e2e.chart_helpers import register
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import rows
from tests.e2e.chart_helpers import saved_rows
from tests.e2e.chart_helpers import status
from tests.e2e.chart_helpers import tap_sites
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_patients_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Six muscles on both sides, tapped in this order: site n is TAPS[n - 1].
TAPS = [
    ("orbicularis_oculi_orbital", "right"),
    ("orbicularis_oculi_orbital", "left"),
    ("mentalis", "left"),
    ("depressor_anguli_oris", "right"),
    ("platysma", "left"),
    ("frontalis", "right"),
    ("buccinator", "right"),
]
ROLES = {"left": "affected side", "right": "contralateral"}


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def test_chart_a_session_by_touch(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    # An injector's home is today's clinic (issue 15).
    expect(page.get_by_role("heading", level=1, name="Today's clinic")).to_be_visible()
    patient_id = register(page, e2e_server)
    # Botox from the patient's page, "Start a treatment" and the form, end to end.
    session_id = open_session(
        page, e2e_server, patient_id, lot="C9876AB", through_form=True
    )

    # The header says who, what and which vial; the map and an empty list show.
    expect(page.get_by_role("heading", level=1, name="Agnes Lindqvist")).to_be_visible()
    head = page.locator(".chart-head")
    expect(head).to_contain_text("MRN E2E-CHART-1")
    expect(head).to_contain_text("affected side: left")
    expect(head).to_contain_text("cycle 1, full treatment")
    expect(head).to_contain_text("lot C9876AB")
    expect(head).to_contain_text("4 U per 0.1 mL")
    expect(page.locator("#status-badge")).to_have_text("Draft")
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(rows(page)).to_have_count(0)
    # The markers are not tab stops; the list is the map's accessible twin.
    assert page.locator("#chart-map [tabindex]").count() == 0

    # Tap each muscle at its reference point; the row shows what was detected.
    for number, (muscle, side) in enumerate(TAPS, start=1):
        x, y = reference(face_map, muscle, side)
        assert page.evaluate(IN_REGION, [f"region-{muscle}-{side}", x, y])
        touch(page, x, y)
        site = row(page, number)
        expect(site).to_have_count(1)
        name = face_map.muscle(muscle).name
        expect(site.locator("[data-field=muscle_name]")).to_have_text(name)
        expect(site.locator("[data-field=side]")).to_have_text(side.capitalize())
        expect(site.locator("[data-field=role]")).to_have_text(f" · {ROLES[side]}")
        expect(site).to_have_attribute("data-muscle", muscle)
        expect(site).to_have_attribute("tabindex", "0")
        expect(status(page)).to_contain_text(f"Site {number} saved: {name}, {side}")
    expect(rows(page)).to_have_count(len(TAPS))
    expect(page.locator("#chart-map g.site")).to_have_count(len(TAPS))

    # A tap off every muscle is refused, and says so; nothing is charted.
    assert hit_test(face_map, 30, 505) is None
    touch(page, 30, 505)
    expect(status(page)).to_contain_text("not on a muscle")
    expect(rows(page)).to_have_count(len(TAPS))

    # Steppers change doses, a quarter unit a press, saved at once.
    start = {n: u for n, _, _, u in read_rows(page)}
    increase = page.get_by_role("button", name="Increase dose of site 1", exact=True)
    increase.tap()
    increase.tap()
    increase.tap()
    expect(row(page, 1).locator("[data-field=units]")).to_have_text(
        f"{start[1] + 0.75:g}"
    )
    expect(status(page)).to_contain_text("Site 1 saved: Orbicularis oculi")
    page.get_by_role("button", name="Decrease dose of site 3", exact=True).tap()
    expect(row(page, 3).locator("[data-field=units]")).to_have_text(
        f"{start[3] - 0.25:g}"
    )
    expect(status(page)).to_contain_text(f"{start[3] - 0.25:g} U")

    # Drag site 7 (buccinator) with the mouse onto the zygomaticus major.
    bx, by = reference(face_map, "buccinator", "right")
    zx, zy = reference(face_map, "zygomaticus_major", "right")
    page.locator("#chart-map").scroll_into_view_if_needed()
    (sx, sy), (tx, ty) = (
        page.evaluate(SCREEN_POINT, [bx, by]),
        page.evaluate(SCREEN_POINT, [zx, zy]),
    )
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move(tx, ty, steps=8)
    page.mouse.up()
    # Onto another muscle: the chart asks first.
    question = page.get_by_role("dialog")
    expect(question).to_contain_text(
        "Move site 7 from Buccinator, right to Zygomaticus major"
    )
    question.get_by_role("button", name="Move it").click()
    moved = row(page, 7)
    expect(moved.locator("[data-field=muscle_name]")).to_have_text("Zygomaticus major")
    expect(moved.locator("[data-field=side]")).to_have_text("Right")
    expect(status(page)).to_contain_text("Site 7 moved: Zygomaticus major, right")

    # Delete the platysma site, then undo: it comes back (with a new number).
    platysma = row(page, 5)
    platysma_units = start[5]
    page.get_by_role("button", name="Delete site 5", exact=True).tap()
    expect(platysma).to_have_count(0)
    expect(status(page)).to_contain_text("Site 5 deleted")
    undo = page.get_by_role("button", name=re.compile("^Undo"))
    expect(undo).to_contain_text("delete site 5")
    undo.tap()
    back = rows(page).filter(has_text="Platysma")
    expect(back).to_have_count(1)
    expect(back).to_have_attribute("data-side", "left")
    expect(back.locator("[data-field=units]")).to_have_text(f"{platysma_units:g}")
    expect(status(page)).to_contain_text("Undone: site 5 is back")

    # Keyboard users add a site by muscle and side, without the map.
    page.get_by_text("Add a site by muscle").click()
    page.get_by_label("Muscle", exact=True).select_option(label="Procerus (PRO)")
    expect(page.get_by_label("Side", exact=True)).to_have_value("midline")
    page.get_by_role("button", name="Add site", exact=True).click()
    procerus = rows(page).filter(has_text="Procerus")
    expect(procerus).to_have_count(1)
    expect(procerus.locator("[data-field=side]")).to_have_text("Midline")

    # Offline, a press is kept and retried, never dropped; it saves once back.
    page.context.set_offline(True)
    before = float(row(page, 2).locator("[data-field=units]").inner_text())
    page.get_by_role("button", name="Increase dose of site 2", exact=True).tap()
    expect(status(page)).to_contain_text("Not saved yet — retrying")
    expect(row(page, 2).locator("[data-field=units]")).to_have_text(
        f"{before + 0.25:g}"
    )
    page.context.set_offline(False)
    expect(status(page)).to_contain_text("Site 2 saved:", timeout=20_000)

    # Another tablet changes site 3 first: this one gets a 409 and shows theirs.
    state = api_state(page, e2e_server, session_id)
    site3 = next(s for s in state["sites"] if s["number"] == 3)
    other = page.request.patch(
        f"{e2e_server.url}/api/v1/sessions/{session_id}/sites/{site3['id']}",
        data={"version": state["session"]["version"], "units": site3["units"] + 1},
        headers={"X-CSRFToken": csrf(page)},
    )
    assert other.ok, other.text()
    page.get_by_role("button", name="Increase dose of site 3", exact=True).tap()
    expect(status(page)).to_contain_text(
        "Another device changed this chart; showing the latest."
    )
    expect(row(page, 3).locator("[data-field=units]")).to_have_text(
        f"{site3['units'] + 1:g}"
    )

    # Reload: exactly the saved state comes back.
    on_screen = read_rows(page)
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    assert read_rows(page) == on_screen
    state = api_state(page, e2e_server, session_id)
    assert saved_rows(state) == on_screen
    assert len({(m, s) for _, m, s, _ in on_screen}) >= 6
    assert {s for _, _, s, _ in on_screen} >= {"left", "right"}
    expect(page.locator("[data-total=units]")).to_have_text(
        f"{sum(u for *_, u in on_screen):g}"
    )
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chart.png"))
    page.screenshot(path=str(ARTIFACTS / "chart-full.png"), full_page=True)

    # Sign, giving a reason wherever a warning asks for one.
    for reason in page.locator("[data-reason-for]").all():
        reason.fill("Discussed with the patient; agreed plan.")
    # One review sheet: the sites, the totals, the checks needing a reason, consent.
    page.get_by_role("button", name="Review and sign").click()
    sheet = page.get_by_role("dialog", name="Review and sign")
    expect(sheet.locator("#review-sites > li")).to_have_count(len(on_screen))
    expect(sheet.locator("#review-sites > li").first).to_contain_text(
        "Site 1: Orbicularis oculi"
    )
    expect(sheet.locator("[data-review-total=units]")).to_have_text(
        f"{sum(u for *_, u in on_screen):g}"
    )
    page.screenshot(path=str(ARTIFACTS / "chart-review-sheet.png"))
    expect(page.get_by_label("Consent obtained for this treatment")).to_be_checked()
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")
    expect(page.locator("#signed-banner")).to_contain_text(
        f"Signed by {e2e_server.user.name}"
    )
    expect(page.locator("#signed-banner")).to_contain_text(
        "corrections are made by amendment"
    )
    # Print the record or the handout, or go back to the patient: no reload needed.
    expect(sheet).to_be_hidden()
    for name in ("Print record", "Print handout", "Back to patient"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("link", name="Print record")).to_have_attribute(
        "href", f"/sessions/{session_id}/record.pdf"
    )
    # Read-only, now and after a reload: no steppers, deletes, undo or adding.
    for _ in range(2):
        expect(page.locator("#site-list li.site-row")).to_have_count(len(on_screen))
        expect(page.locator("button.step")).to_have_count(0)
        expect(
            page.get_by_role("button", name=re.compile("^(Delete|Move) site"))
        ).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("^Undo"))).to_have_count(0)
        expect(page.get_by_role("button", name="Sign session")).to_have_count(0)
        expect(page.get_by_text("Add a site by muscle")).to_have_count(0)
        page.reload()
        expect(page.locator("#chart.is-ready")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "chart-signed.png"), full_page=True)

    # Even the API refuses a change to the signed record.
    state = api_state(page, e2e_server, session_id)
    first = state["sites"][0]
    refused = page.request.patch(
        f"{e2e_server.url}/api/v1/sessions/{session_id}/sites/{first['id']}",
        data={"version": state["session"]["version"], "units": first["units"] + 1},
        headers={"X-CSRFToken": csrf(page)},
    )
    assert refused.status in (400, 409), refused.text()
    assert saved_rows(api_state(page, e2e_server, session_id)) == on_screen

    problems = expected(
        page_problems.all(),
        # The tap off the map, the offline press and the other tablet's write.
        *refused_400("sites"),
        r"request failed: .*/sites/\d+ \(net::ERR_INTERNET_DISCONNECTED\)",
        r"console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED",
        r"HTTP 409 for .*/sites/\d+$",
        r"console error: Failed to load resource: .* 409",
    )
    assert problems == []


def test_new_session_errors_then_chart_in_portrait_by_keyboard_and_move(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    patient_id = log_in_and_register(
        page, e2e_server, mrn="E2E-CHART-2", given_name="Bram", affected_side="right"
    )
    page.goto(f"{e2e_server.url}/patients/{patient_id}/sessions/new")

    # A new vial with a missing lot number and a wrong size: errors at the
    # fields and summarised on top, and nothing typed is lost.
    page.get_by_label("Product").select_option("botox")
    page.get_by_role("group", name="Vial").get_by_label(
        re.compile("A new vial")
    ).check()
    vial = page.get_by_role("group", name="New vial")
    vial.get_by_label("Expiry date").fill(
        (date.today() + timedelta(days=90)).isoformat()
    )
    vial.get_by_label("Units in the vial").fill("150")
    vial.get_by_label("Diluent").fill("2.5")
    page.get_by_role("button", name="Open the chart").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct")
    expect(vial.get_by_label("Diluent")).to_have_value("2.5")
    expect(page.get_by_label("Product")).to_have_value("botox")
    expect(
        page.get_by_role("group", name="Vial").get_by_label(re.compile("A new vial"))
    ).to_be_checked()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "session-new-errors.png"), full_page=True)

    vial.get_by_label("Lot number").fill("D1234")
    vial.get_by_label("Units in the vial").fill("100")
    page.get_by_role("button", name="Open the chart").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(page.locator("#chart.is-ready")).to_have_count(1)

    # A tablet in portrait: one column, the map first.
    page.set_viewport_size({"width": 768, "height": 1024})
    # The map is refitted to the new height on the resize event: two frames on.
    page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )
    x, y = reference(face_map, "corrugator", "left")
    touch(page, x, y)
    expect(row(page, 1)).to_contain_text("Corrugator supercilii")
    expect(row(page, 1).locator("[data-field=role]")).to_have_text(" · contralateral")
    x, y = reference(face_map, "depressor_labii_inferioris", "right")
    touch(page, x, y)
    expect(row(page, 2)).to_contain_text("Depressor labii inferioris")
    expect(row(page, 2).locator("[data-field=role]")).to_have_text(" · affected side")

    # Keyboard: a row is a tab stop, named for screen readers; + raises the dose.
    units = float(row(page, 2).locator("[data-field=units]").inner_text())
    row(page, 2).focus()
    expect(row(page, 2)).to_have_attribute(
        "aria-label", re.compile(r"^Site 2: Depressor labii inferioris, right")
    )
    expect(row(page, 2)).to_have_class(re.compile("is-selected"))
    expect(page.locator("#chart-map g.site.is-selected")).to_have_attribute(
        "data-number", "2"
    )
    page.keyboard.press("+")
    expect(row(page, 2).locator("[data-field=units]")).to_have_text(f"{units + 0.25:g}")
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("button", name="Decrease dose of site 2", exact=True)
    ).to_be_focused()

    # Moving without dragging: press Move, then tap the new place.
    page.get_by_role("button", name="Move site 1", exact=True).tap()
    expect(status(page)).to_contain_text("Tap the new place for site 1")
    x, y = reference(face_map, "procerus", "midline")
    touch(page, x, y)
    expect(row(page, 1).locator("[data-field=muscle_name]")).to_have_text("Procerus")
    expect(row(page, 1).locator("[data-field=side]")).to_have_text("Midline")

    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "chart-portrait.png"), full_page=True)
    assert page_problems.all() == []


def test_copy_last_cycle_and_sign_with_a_reason(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    patient_id = log_in_and_register(
        page, e2e_server, mrn="E2E-CHART-3", given_name="Cleo"
    )

    # Cycle 1: two sites, signed.
    open_session(page, e2e_server, patient_id, lot="E5551")
    expect(page.get_by_role("button", name="Copy last cycle")).to_be_hidden()
    tap_sites(page, face_map, [("frontalis", "left"), ("mentalis", "left")])
    first = read_rows(page)
    page.get_by_role("button", name="Review and sign").click()
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")

    # Cycle 2, from the vial already open: last cycle shows as ghosts; copy it.
    session_id = open_session(page, e2e_server, patient_id, lot="E5551", new=False)
    expect(page.locator(".chart-head")).to_contain_text("cycle 2")
    expect(page.locator(".chart-head")).to_contain_text("lot E5551")
    expect(page.locator("#chart-map .ghost")).to_have_count(2)
    page.get_by_role("button", name="Copy last cycle").tap()
    # A preview first: with no sites today, one button places them.
    preview = page.get_by_role("dialog", name="Copy last cycle: 2 sites to place")
    expect(preview.locator("#prefill-sites > li")).to_have_text(
        ["Frontalis, left, 2 U", "Mentalis, left, 2 U"]
    )
    expect(preview).to_contain_text("Today's chart has no sites yet.")
    expect(preview.get_by_role("button", name="Add to them")).to_be_hidden()
    preview.get_by_role("button", name="Place these sites").tap()
    expect(preview).to_be_hidden()
    expect(status(page)).to_contain_text("Copied 2 sites from the last cycle.")
    copied = read_rows(page)
    assert [(m, s, u) for _, m, s, u in copied] == [(m, s, u) for _, m, s, u in first]
    state = api_state(page, e2e_server, session_id)
    assert [(s["x"], s["y"]) for s in state["sites"]] == [
        (c["x"], c["y"]) for c in state["last_cycle"]
    ]
    expect(page.locator("#changes-section")).to_be_hidden()

    # A dose raised by more than the clinic's share asks for a reason.
    increase = page.get_by_role("button", name="Increase dose of site 1", exact=True)
    presses = int(copied[0][3] / 0.25) + 1
    for _ in range(presses):
        increase.tap()
    raised = copied[0][3] + presses * 0.25
    expect(row(page, 1).locator("[data-field=units]")).to_have_text(f"{raised:g}")
    changes = page.locator("#changes-section")
    expect(changes).to_be_visible()
    expect(changes.get_by_role("row", name=re.compile("Frontalis"))).to_contain_text(
        f"+{raised - copied[0][3]:g}"
    )
    # Every warning asks for a reason: the dose change, the dose above the
    # frontalis's 4 U per point, and a second cycle started on the same day.
    reasons = page.get_by_role(
        "textbox", name=re.compile(r"^Reason for .* \(needed to sign\)$")
    )
    expect(reasons).to_have_count(3)
    change = page.locator(".warning-item", has_text="more than the clinic's")
    reason = change.get_by_role(
        "textbox", name=re.compile(r"^Reason for .* \(needed to sign\)$")
    )
    expect(reason).to_have_count(1)
    for other in page.locator(
        ".warning-item", has_not_text="more than the clinic's"
    ).all():
        box = other.get_by_role(
            "textbox", name=re.compile(r"^Reason for .* \(needed to sign\)$")
        )
        if box.count():
            box.fill("Reviewed with the patient.")

    # Signing without the reason is refused at the field, on the review sheet,
    # which brings the other reasons typed; with it, it signs.
    page.get_by_role("button", name="Review and sign").click()
    sheet = page.locator("#review-sheet")
    # On the sheet, away from its message, each box is named by its warning.
    expect(
        sheet.get_by_role("textbox", name=re.compile(r"^Reason for (?!going ahead)"))
    ).to_have_count(3)
    page.get_by_role("button", name="Sign session").click()
    sheet_reason = sheet.locator(
        ".warning-item", has_text="more than the clinic's"
    ).get_by_role("textbox", name=re.compile(r"^Reason for (?!going ahead)"))
    expect(sheet_reason).to_have_attribute("aria-invalid", "true")
    expect(sheet_reason).to_be_focused()
    expect(page.locator("#sign-error")).to_be_visible()
    expect(page.locator("#status-badge")).to_have_text("Draft")
    sheet_reason.fill("Brow still overactive at review; agreed to increase.")
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")
    expect(page.locator("button.step")).to_have_count(0)
    expect(
        page.locator(".warning-item", has_text="more than the clinic's").locator(
            ".warning-reason"
        )
    ).to_have_text("Reason given: Brow still overactive at review; agreed to increase.")
    page.screenshot(path=str(ARTIFACTS / "chart-cycle-2-signed.png"), full_page=True)

    assert expected(page_problems.all(), *refused_400("sign")) == []


def add_template(
    server: LiveServer,
    face_map: FaceMap,
    name: str,
    product: str,
    sites: list[dict[str, Any]],
) -> None:
    """Save a protocol template in the live server's database, as its injector."""
    from planner.services import protocols

    with live_session(server) as session:
        protocols.create_template(
            session,
            injector(session, server),
            name=name,
            description=None,
            product=product,
            sites=sites,
            face_map=face_map,
        )


def test_start_a_chart_from_a_protocol_template(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    """A clinic template drawn for a right-sided palsy lands on this patient's left."""
    x, y = reference(face_map, "mentalis", "right")
    add_template(
        e2e_server,
        face_map,
        "Chin only",
        "botox",
        [{"muscle": "mentalis", "role": "affected", "x": x, "y": y, "units": 2}],
    )
    page = chromium_page
    open_new_chart(
        page,
        e2e_server,
        lot="T4441",
        mrn="E2E-CHART-4",
        given_name="Tess",
        affected_side="left",
    )
    page.get_by_label("Protocol template").select_option(label="Chin only (1 site)")
    page.get_by_role("button", name="Apply template").click()
    preview = page.get_by_role("dialog", name="Template “Chin only”: 1 site to place")
    expect(preview.locator("#prefill-sites > li")).to_have_text(["Mentalis, left, 2 U"])
    # Cancel places nothing; again, and place it.
    preview.get_by_role("button", name="Cancel").click()
    expect(preview).to_be_hidden()
    expect(rows(page)).to_have_count(0)
    page.get_by_role("button", name="Apply template").click()
    preview.get_by_role("button", name="Place these sites").click()
    expect(rows(page)).to_have_count(1)
    expect(row(page, 1)).to_have_attribute("data-muscle", "mentalis")
    expect(row(page, 1)).to_contain_text("Left")
    expect(status(page)).to_contain_text("from template “Chin only”")
    page.get_by_role("button", name=re.compile("^Undo")).click()
    expect(rows(page)).to_have_count(0)

    # On a chart with a site, the template can replace it; one undo puts it back.
    touch(page, *reference(face_map, "frontalis", "left"))
    expect(row(page, 1)).to_have_attribute("data-muscle", "frontalis")
    page.get_by_label("Protocol template").select_option(label="Chin only (1 site)")
    page.get_by_role("button", name="Apply template").click()
    expect(preview).to_contain_text("Today's chart has 1 site. Replace removes it")
    preview.get_by_role("button", name="Replace today's sites").click()
    expect(status(page)).to_contain_text("It replaced 1 site.")
    expect(rows(page)).to_have_count(1)
    expect(row(page, 1)).to_have_attribute("data-muscle", "mentalis")
    expect(page.get_by_role("button", name=re.compile("^Undo"))).to_contain_text(
        "template, replacing 1 site"
    )
    page.get_by_role("button", name=re.compile("^Undo")).click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_have_attribute("data-muscle", "frontalis")


def test_a_toxin_allergy_is_a_hard_stop_lifted_only_by_a_named_override(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    open_new_chart(
        page,
        e2e_server,
        lot="E5561",
        mrn="E2E-CHART-ALLERGY",
        given_name="Ines",
        toxin_allergy=True,
    )
    touch(page, *reference(face_map, "mentalis", "left"))
    expect(rows(page)).to_have_count(1)
    allergy = page.locator(
        "#warning-list .warning-item", has_text="allergy to botulinum toxin"
    )
    override = allergy.get_by_role(
        "checkbox", name=re.compile("I override this hard stop")
    )
    reason = allergy.get_by_role(
        "textbox", name=re.compile(r"^Reason for .* \(needed to sign\)$")
    )
    reason.fill("Reaction was to the local anaesthetic, confirmed by allergy clinic.")

    # A reason alone does not sign: the hard stop needs the injector's override.
    page.get_by_role("button", name="Review and sign").click()
    page.get_by_role("button", name="Sign session").click()
    expect(override).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#status-badge")).to_have_text("Draft")
    page.locator("#review-sheet").get_by_role(
        "checkbox", name=re.compile("I override this hard stop")
    ).check()
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")
    user = e2e_server.user
    expect(allergy).to_contain_text(
        f"Hard stop overridden by {user.name} ({user.email})."
    )
    page.screenshot(
        path=str(ARTIFACTS / "chart-hard-stop-overridden.png"), full_page=True
    )
    assert expected(page_problems.all(), *refused_400("sign")) == []


def test_a_template_of_another_product_brings_sites_with_empty_doses(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    """A Dysport template on a Botox chart: sites come, doses are entered here."""
    add_template(
        e2e_server,
        face_map,
        "Dysport chin and neck",
        "dysport",
        [
            {"muscle": "mentalis", "role": "affected", "units": 10},
            {"muscle": "platysma", "role": "affected", "units": 15},
        ],
    )
    page = chromium_page
    open_new_chart(
        page,
        e2e_server,
        lot="U7001",
        mrn="E2E-CHART-UNSET",
        given_name="Ada",
        affected_side="left",
    )
    page.get_by_label("Protocol template").select_option(
        label="Dysport chin and neck (Dysport, 2 sites)"
    )
    page.get_by_role("button", name="Apply template").click()
    why = "Dose not carried over: the template is for Dysport, units differ"
    preview = page.get_by_role("dialog", name=re.compile("^Template “Dysport chin"))
    expect(preview.locator("#prefill-sites > li")).to_have_text(
        [
            f"Mentalis, left, dose to enter ({why})",
            f"Platysma, left, dose to enter ({why})",
        ]
    )
    page.screenshot(path=str(ARTIFACTS / "chart-prefill-preview-template.png"))
    preview.get_by_role("button", name="Place these sites").click()
    expect(rows(page)).to_have_count(2)
    expect(status(page)).to_contain_text(f"2 doses to enter: {why}")
    for number in (1, 2):
        expect(row(page, number).locator("[data-field=draw]")).to_have_text(why)
        expect(row(page, number).locator(".dose-entry")).to_be_visible()
        expect(row(page, number).locator(".dose-entry")).to_have_value("")
    note = page.locator("#unset-note")
    expect(note).to_have_text("2 doses to enter in Botox units before signing")
    expect(page.locator("[data-total=units]")).to_have_text("0")
    page.screenshot(path=str(ARTIFACTS / "chart-doses-to-enter.png"), full_page=True)

    page.get_by_role("button", name="Review and sign").click()
    page.get_by_label("Consent obtained for this treatment").check()
    # Signing waits for the doses, named first on the sheet (review rW2, V2-6).
    expect(page.locator("#review-missing li")).to_contain_text(
        [f"Site {n} has no dose: enter it before signing." for n in (1, 2)]
    )
    expect(page.get_by_role("button", name="Sign session")).to_have_attribute(
        "aria-disabled", "true"
    )
    page.get_by_role("button", name="Back to the chart").click()
    expect(page.get_by_role("dialog", name="Review and sign")).to_be_hidden()

    # Typed on the keypad, or stepped up from nothing: never Dysport's 10 U.
    entry = row(page, 1).get_by_role("textbox", name="Dose of site 1, U")
    entry.fill("2")
    entry.press("Enter")
    expect(row(page, 1).locator("[data-field=units]")).to_have_text("2")
    expect(row(page, 1).locator(".dose-entry")).to_be_hidden()
    row(page, 2).get_by_role("button", name="Increase dose of site 2").click()
    expect(row(page, 2).locator("[data-field=units]")).to_have_text("0.25")
    expect(note).to_be_hidden()
    expect(page.locator("[data-total=units]")).to_have_text("2.25")
    assert saved_rows(api_state(page, e2e_server, int(page.url.rsplit("/", 1)[1]))) == [
        (1, "mentalis", "left", 2.0),
        (2, "platysma", "left", 0.25),
    ]
    page.screenshot(path=str(ARTIFACTS / "chart-doses-entered.png"), full_page=True)
    assert page_problems.all() == []
