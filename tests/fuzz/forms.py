"""Find every HTML form the app serves, and the fields each one posts.

The pages are read the way a browser reads them: each ``<form method="post">``
gives its action (which the URL map turns into an endpoint) and its controls,
with the values and choices the page offers. The fuzz tests then post variations
of exactly those fields, plus fields no form has.
"""

from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from planner.models import Role
from tests.fuzz.clinic import FuzzClinic

# Controls whose value a browser sends as typed, by input type.
TEXT_KINDS = {"text", "search", "email", "tel", "url", "password", "textarea"}


@dataclass
class FieldSpec:
    """One form control: its kind and the values the pages offered for it."""

    kind: str
    values: set[str] = field(default_factory=set)
    repeated: bool = False


@dataclass
class FormSpec:
    """Every field any page's form for one endpoint posts, and where it posts."""

    endpoint: str
    actions: set[str] = field(default_factory=set)
    fields: dict[str, FieldSpec] = field(default_factory=dict)

    def merge(self, action: str, controls: list[tuple[str, str, str]]) -> None:
        self.actions.add(action)
        seen: dict[str, int] = {}
        for name, kind, value in controls:
            if name == "csrf_token":
                continue  # every post gets its own, see the fuzz tests
            if kind != "option":
                seen[name] = seen.get(name, 0) + 1
            spec = self.fields.setdefault(name, FieldSpec(kind))
            if value:
                spec.values.add(value)
        for name, count in seen.items():
            # Radio buttons share a name but post one value; other repeats are rows.
            if count > 1 and self.fields[name].kind not in {"radio", "submit"}:
                self.fields[name].repeated = True


class _FormParser(HTMLParser):
    """Collect each POST form's action and controls (name, kind, offered value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str, str]]]] = []
        self._form: list[tuple[str, str, str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            if values.get("method", "get").lower() == "post":
                self._form = []
                self.forms.append((values.get("action", ""), self._form))
            return
        if self._form is None:
            return
        if tag in {"button", "input"} and values.get("formaction"):
            # A button with its own action posts the same form elsewhere.
            self.forms.append((values["formaction"], self._form))
        name = values.get("name", "")
        if tag == "input" and name:
            self._form.append(
                (name, values.get("type", "text"), values.get("value", ""))
            )
        elif tag == "button" and name:
            self._form.append((name, "submit", values.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            self._form.append((name, "select", ""))
        elif tag == "option" and self._select:
            self._form.append((self._select, "option", values.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif (
            tag == "textarea" and self._textarea is not None and self._form is not None
        ):
            self._form.append((self._textarea, "textarea", "".join(self._text)))
            self._textarea = None


# Posted by script with the CSRF header and no fields, never from a page's form:
# the idle warning's "Stay signed in" (static/js/idle-warning.js), tested in
# tests/views/test_access.py and tests/e2e/test_idle_warning_e2e.py.
SCRIPT_POSTS = frozenset({"auth.stay_signed_in"})


def post_form_endpoints(app: Flask) -> list[str]:
    """Every endpoint outside the JSON API that takes a POST from a page's form."""
    return sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ())
            and not rule.rule.startswith("/api/")
            and rule.endpoint not in SCRIPT_POSTS
        }
    )


def _pages(app: Flask, clinic: FuzzClinic) -> list[str]:
    """Paths of every HTML page, filled with a few real ids each."""
    ids = {
        **clinic.ids,
        "session_id": clinic.ids["draft_session_id"][:2]
        + clinic.ids["signed_session_id"][:2],
        # Products are named by code in URLs (their dose-limit pages).
        "code": ["botox", "dysport", "xeomin"],
        # Consent forms are named by kind in URLs.
        "kind": ["treatment", "photography", "research"],
    }
    paths = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        skip = rule.rule.startswith(("/api/", "/static")) or rule.rule.endswith(
            (".pdf", ".ics", ".csv", ".json", ".ndjson", ".zip", ".jpg")
        )
        if skip or "GET" not in (rule.methods or ()):
            continue
        names = sorted(rule.arguments)
        if any(not ids.get(name) for name in names):
            continue
        for index in range(3):
            values = {name: ids[name][index % len(ids[name])] for name in names}
            paths.append(adapter.build(rule.endpoint, values))
            if not names:
                break
    return sorted(set(paths))


def _kiosk_state(clinic: FuzzClinic) -> dict[str, Any]:
    return {
        "patient_id": clinic.ids["patient_id"][0],
        "instrument": "saq",
        "timepoint": "review",
        "answers": {},
        "step": 1,
        "done": False,
    }


def _read_pages(app: Flask, clinic: FuzzClinic) -> list[tuple[str, str]]:
    """Every page (path, HTML) as a visitor and each role sees it."""

    def read(client: FlaskClient, path: str) -> tuple[str, str]:
        return path, client.get(path).get_data(as_text=True)

    # Clients of their own, outside the tally: reading pages is not fuzzing.
    pages = [read(app.test_client(), "/login")]
    # Staff too: taking in a delivery is theirs alone.
    for role in (Role.ADMIN, Role.INJECTOR, Role.STAFF):
        login = clinic.logins[role]
        login.restore()
        reader: FlaskClient = app.test_client()
        reader.set_cookie("session", login.cookie)
        pages += [read(reader, path) for path in _pages(app, clinic)]
        if role is Role.INJECTOR:
            for patient_id in clinic.ids["unconsented_patient_id"][:1]:
                pages.append(read(reader, f"/patients/{patient_id}/sessions/new"))
            # The kiosk's question page shows only while a patient holds the tablet.
            login.hold_tablet(_kiosk_state(clinic))
            pages.append(read(reader, "/self-entry"))
            login.hold_tablet(None)
    return pages


def _targets(clinic: FuzzClinic, name: str) -> list[int]:
    """The records a form's action may name: the patient with no consent too."""
    extra = clinic.ids["unconsented_patient_id"] if name == "patient_id" else []
    return [*clinic.ids[name], *extra]


def find_forms(app: Flask, clinic: FuzzClinic) -> dict[str, FormSpec]:
    """Read every page; return each endpoint's form fields and real actions.

    Actions naming a record the fuzz tests must leave alone (a fuzz user's own
    login) are left out.
    """
    adapter = app.url_map.bind("localhost")
    specs: dict[str, FormSpec] = {}
    for page, body in _read_pages(app, clinic):
        parser = _FormParser()
        parser.feed(body)
        for action, controls in parser.forms:
            # A form without an action posts back to its own page; a query in
            # the action (a button's ``formaction``) is posted with it.
            parts = urlsplit(action)
            path = parts.path or page
            try:
                endpoint, args = adapter.match(path, method="POST")
            except HTTPException:
                continue
            if any(
                name in clinic.ids and value not in _targets(clinic, name)
                for name, value in args.items()
            ):
                continue
            posted_to = f"{path}?{parts.query}" if parts.query else path
            specs.setdefault(endpoint, FormSpec(endpoint)).merge(posted_to, controls)
    return specs
