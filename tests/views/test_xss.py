"""Markup and script typed into any free-text field comes back as text.

Each payload goes into every free-text field reachable through the app's own
forms and API, then is read back from every HTML page that shows it (escaped,
never raw), from the chart's SVG map (no script element, the name kept as
text), from the JSON API (a plain string) and from the PDFs (literal text, no
JavaScript action).
"""

import io
import re
import xml.etree.ElementTree as ET

import pikepdf
import pytest
from markupsafe import escape
from sqlmodel import select

from planner.models import Appointment
from planner.models import Role
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import consent_by_browser
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap
from tests.conftest import Browser
from tests.services.test_reports import page_texts

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</svg><script>x()</script>",
    "javascript:alert(1)",
    "{{7*7}}",
    "' onmouseover='x",
]

PATIENT = {
    "mrn": "XSS-001",
    "date_of_birth": "1984-02-29",
    "sex": "female",
    "cause": "bells",
    "affected_side": "right",
}


class Checker:
    """Collect every place a value is missing or comes back raw."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def html(self, where: str, body: str, *values: str) -> None:
        for value in values:
            escaped = str(escape(value))
            if escaped not in body:
                self.problems.append(f"{where}: escaped {value!r} not shown")
            if escaped != value and self._raw(body, value):
                self.problems.append(f"{where}: RAW {value!r} in the page")
            if "{{7*7}}" in value and "{{7*7}}" not in body:
                self.problems.append(f"{where}: {{{{7*7}}}} was evaluated")

    @staticmethod
    def _raw(body: str, value: str) -> bool:
        """Whether the value appears unescaped where it could act as markup.

        A value with ``<`` or ``&`` must never appear raw. A value whose only
        special characters are quotes is harmless in text (an SVG ``<title>``
        serialised as XML keeps ``'`` as is); it must never appear raw inside
        a tag, where it could close an attribute.
        """
        if any(char in value for char in "<>&"):
            return value in body
        start = body.find(value)
        while start != -1:
            if body.rfind("<", 0, start) > body.rfind(">", 0, start):
                return True
            start = body.find(value, start + 1)
        return False

    def page(self, browser: Browser, path: str, *values: str) -> str:
        response = browser.get(path)
        if response.status_code != 200:
            self.problems.append(f"{path}: status {response.status_code}")
            return ""
        body = response.get_data(as_text=True)
        self.html(path, body, *values)
        return body

    def refused(self, where: str, response, field: str) -> None:
        if response.status_code != 400:
            self.problems.append(f"{where}: {response.status_code}, expected 400")
            return
        body = response.get_data(as_text=True)
        if response.is_json:
            named = field in (response.json.get("fields") or {})
        else:
            named = f'id="{field}-error"' in body
        if not named:
            self.problems.append(f"{where}: the 400 does not name {field}")

    def svg(self, where: str, svg: str, full_name: str) -> None:
        try:
            root = ET.fromstring(svg)
        except ET.ParseError as exc:
            self.problems.append(f"{where}: SVG does not parse ({exc})")
            return
        tags = {element.tag.rsplit("}", 1)[-1].lower() for element in root.iter()}
        if "script" in tags or "foreignobject" in tags:
            self.problems.append(f"{where}: script element in the SVG")
        for element in root.iter():
            for name in element.attrib:
                if name.lower().startswith("on"):
                    self.problems.append(f"{where}: event attribute {name}")
        text = " ".join("".join(element.itertext()) for element in root.iter())
        if full_name not in text:
            self.problems.append(f"{where}: {full_name!r} not in the SVG text")

    def pdf(self, browser: Browser, path: str, *values: str) -> None:
        response = browser.get(path)
        if response.status_code != 200:
            self.problems.append(f"{path}: status {response.status_code}")
            return
        data = response.get_data()
        self.problems.extend(f"{path}: {found}" for found in pdf_scripts(data))
        flat = re.sub(r"\s+", "", " ".join(page_texts(data)))
        for value in values:
            if re.sub(r"\s+", "", value) not in flat:
                self.problems.append(f"{path}: {value!r} not in the PDF text")


SCRIPT_KEYS = {"/JS", "/JavaScript", "/AA"}
SCRIPT_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}


def pdf_scripts(data: bytes) -> list[str]:
    """Every script, launch or additional-action entry in a PDF, read from its objects.

    The PDF's structure, not its bytes: a compressed stream can hold "/JS" by chance.
    """
    found: list[str] = []
    seen: set[tuple[int, int]] = set()

    def walk(item: object, where: str) -> None:
        if isinstance(item, pikepdf.Array):
            for index, child in enumerate(item):
                walk(child, f"{where}[{index}]")
            return
        if not isinstance(item, (pikepdf.Dictionary, pikepdf.Stream)):
            return
        if item.is_indirect:
            if item.objgen in seen:
                return
            seen.add(item.objgen)
        keys = item.keys()  # a stream's dictionary too
        for key in keys:
            if key in SCRIPT_KEYS:
                found.append(f"{key} in {where}")
            if key == "/S" and str(item[key]) in SCRIPT_ACTIONS:
                found.append(f"{item[key]} action in {where}")
            walk(item[key], f"{where}{key}")

    with pikepdf.open(io.BytesIO(data)) as document:
        walk(document.trailer, "trailer")
        for number, item in enumerate(document.objects):
            walk(item, f"object {number}")
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_in_free_text_comes_back_as_text(
    app, payload, login_as, make_user, session
):
    check = Checker()
    given, family = f"G{payload}", f"F{payload}"
    address, notes = f"A{payload}", f"N{payload}"
    full_name = f"{given} {family}"

    injector_user = make_user(Role.INJECTOR, name=f"U{payload}")
    injector = Browser(app.test_client())
    assert injector.login(injector_user.email).status_code == 302
    admin = login_as(Role.ADMIN)

    # Patient: MRN and email are pattern-checked and may refuse markup.
    form = {
        **PATIENT,
        "given_name": given,
        "family_name": family,
        "address": address,
        "notes": notes,
    }
    bad_mrn = injector.post_form("/patients/", {**form, "mrn": payload})
    check.refused("patient mrn", bad_mrn, "mrn")
    if bad_mrn.status_code == 400:
        check.html("patient form (bad mrn)", bad_mrn.get_data(as_text=True), given)
    bad_email = injector.post_form("/patients/", {**form, "email": payload})
    check.refused("patient email", bad_email, "email")
    bad_phone = injector.post_form("/patients/", {**form, "phone": payload})
    check.refused("patient phone", bad_phone, "phone")
    created = injector.post_form("/patients/", form)
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    patient_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    check.page(injector, f"/patients/{patient_id}", given, family, address, notes)
    check.page(injector, "/patients/", given, family)
    check.page(injector, f"/patients/{patient_id}/edit", given, family, address, notes)
    api_patient = injector.api("GET", f"/api/v1/patients/{patient_id}")
    assert api_patient.mimetype == "application/json"
    for key, value in {"given_name": given, "address": address}.items():
        if api_patient.json.get(key) != value:
            check.problems.append(f"API patient {key}: {api_patient.json.get(key)!r}")

    # Opening a session: the lot number is pattern-checked.
    bad_lot = injector.post_form(
        f"/patients/{patient_id}/sessions", {**VIAL_FORM, "lot_number": payload}
    )
    check.refused("lot_number", bad_lot, "lot_number")
    consent = f"C{payload}"
    consent_by_browser(injector, patient_id, name=full_name)
    opened = injector.post_form(
        f"/patients/{patient_id}/sessions", {**VIAL_FORM, "consent_note": consent}
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)[:2000]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    added = post_tap(injector, session_id, "mentalis", "right", version=1)
    assert added.status_code == 201, added.json
    site_id = added.json["site"]["id"]

    chart = check.page(injector, f"/sessions/{session_id}", full_name)
    found = re.search(r'id="chart-map"[^>]*>\s*(<svg\b.*?</svg>)', chart, re.S)
    if found:
        check.svg("chart page SVG", found.group(1), full_name)
    else:
        check.problems.append("chart page: no SVG")
    state = injector.api("GET", f"/api/v1/sessions/{session_id}")
    assert state.mimetype == "application/json"
    check.svg("API svg", state.json["svg"], full_name)

    signed = post_sign(injector, session_id, version=2)
    assert signed.status_code == 200, signed.json

    reason, note = f"R{payload}", f"M{payload}"
    amended = injector.post_form(
        f"/sessions/{session_id}/amendments",
        {"version": "3", "reason": reason, "note": note, f"units_{site_id}": "2.5"},
    )
    assert amended.status_code == 302, amended.get_data(as_text=True)[:2000]
    check.page(injector, f"/sessions/{session_id}", reason, note, f"U{payload}")
    amendments = injector.api("GET", f"/api/v1/sessions/{session_id}").json[
        "amendments"
    ]
    if payload not in str(amendments):
        check.problems.append("API amendments: payload not carried as a string")

    # Response notes and an adverse event.
    response_path = f"/sessions/{session_id}/response"
    page = injector.get(response_path).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    response_notes = f"P{payload}"
    data = {"onset_days": "3", "patient_rating": "8", "notes": response_notes}
    if version:
        data["version"] = version.group(1)
    saved = injector.post_form(response_path, data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    description = f"D{payload}"
    event = injector.post_form(
        f"/sessions/{session_id}/adverse-events",
        {"kind": "other", "severity": "mild", "description": description},
    )
    assert event.status_code == 302, event.get_data(as_text=True)[:2000]
    check.page(injector, response_path, response_notes, description, full_name)
    check.page(injector, f"/patients/{patient_id}/cycles", description, full_name)

    # PDFs: the text is there as characters; no JavaScript action.
    check.pdf(
        injector,
        f"/sessions/{session_id}/record.pdf",
        given,
        family,
        consent,
        reason,
        note,
        description,
        f"U{payload}",
    )
    check.pdf(injector, f"/sessions/{session_id}/handout.pdf", given, family)
    check.pdf(
        injector, f"/patients/{patient_id}/comparison.pdf", given, family, description
    )

    # Appointments: the booking page and a cancellation reason.
    session.expire_all()
    appointment = session.exec(
        select(Appointment).where(Appointment.patient_id == patient_id)
    ).first()
    if appointment is not None:
        check.page(injector, f"/appointments/{appointment.id}/book", full_name)
        cancel_reason = f"X{payload}"
        injector.post_form(
            f"/appointments/{appointment.id}/status",
            {"status": "cancelled", "reason": cancel_reason},
        )
        session.expire_all()
        stored = session.get(Appointment, appointment.id)
        if stored is not None and cancel_reason in (stored.notes or ""):
            check.page(injector, f"/patients/{patient_id}", cancel_reason)
    else:
        check.problems.append("no follow-up appointment to book (not checked)")
    check.page(injector, "/schedule/outbox")

    # Admin: protocol template and a closed day.
    name, template_description = f"T{payload}", f"E{payload}"
    template = admin.post_form(
        "/settings/templates/",
        {
            "name": name,
            "description": template_description,
            "product": "botox",
            "muscle": ["platysma", ""],
            "role": ["affected", "affected"],
            "units": ["2", ""],
            "x": ["", ""],
            "y": ["", ""],
        },
    )
    assert template.status_code == 302, template.get_data(as_text=True)[:2000]
    check.page(admin, "/settings/", name, template_description)
    edit_links = re.findall(
        r"/settings/templates/(\d+)/edit",
        admin.get("/settings/").get_data(as_text=True),
    )
    if edit_links:
        check.page(
            admin,
            f"/settings/templates/{edit_links[0]}/edit",
            name,
            template_description,
        )
    closed_reason = f"Z{payload}"
    closed = admin.post_form(
        "/settings/calendar/closed", {"day": "2099-12-25", "reason": closed_reason}
    )
    assert closed.status_code == 302, closed.get_data(as_text=True)[:2000]
    check.page(admin, "/settings/calendar", closed_reason)

    assert not check.problems, "\n".join(check.problems)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_markup_in_a_login_name_comes_back_as_text(login_as, payload):
    """A login's name is free text too: shown on the users page and the audit trail."""
    admin = login_as(Role.ADMIN)
    response = admin.post_form(
        "/settings/users/",
        {
            "name": payload,
            "email": "marked.up@example.org",
            "role": "staff",
            "password": "a long enough Passphrase 2026",
            "password_confirm": "a long enough Passphrase 2026",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    for path in ("/settings/users/", "/audit/"):
        page = admin.get(path).get_data(as_text=True)
        assert str(escape(payload)) in page, path
        assert payload not in page, path
