"""Hypothesis over every HTML form: generated posts, as each role, never a 5xx.

Each endpoint outside the JSON API that takes a POST gets its own test. The
fields come from the forms the app's own pages serve (``tests.fuzz.forms``);
each post keeps, drops or spoils each field, adds fields no form has, and goes
to a real record's address most of the time (else to one no row has), with a
valid CSRF token most of the time, as a role the endpoint allows most of the
time. The kiosk's endpoints run with a patient holding the tablet.

Every answer is checked: no 5xx; a redirect stays on this site; a refusal says
why (an alert or the error page), and a 400 says which field.
"""

import os
import re
from collections.abc import Iterator
from datetime import date
from datetime import timedelta
from typing import Any
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from planner import create_app
from planner import scoring
from planner.db import get_engine
from planner.models import Role
from tests.conftest import PASSWORD
from tests.conftest import PG_URL
from tests.fuzz.clinic import JUNK_IDS
from tests.fuzz.clinic import URL_IDS
from tests.fuzz.clinic import FuzzClinic
from tests.fuzz.clinic import allowed_roles
from tests.fuzz.conftest import frozen_heap
from tests.fuzz.forms import TEXT_KINDS
from tests.fuzz.forms import FieldSpec
from tests.fuzz.forms import FormSpec
from tests.fuzz.forms import find_forms
from tests.fuzz.forms import post_form_endpoints
from tests.fuzz.integrity import Baseline
from tests.fuzz.integrity import integrity_problems
from tests.views.test_properties import ANY_CHAR
from tests.views.test_properties import AWKWARD

# One worker runs the whole module: its last test reads the tally of the others.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("test_forms_fuzz")]

# Generated posts this module must send on each database; with the API's
# (tests/fuzz/test_api_schema.py) that makes the 10,000 of issue 7. PostgreSQL
# gets a smaller sweep of every form, for what only its dialect refuses: the
# suite must stay under ten minutes on two cores as the forms grow (issue 12).
REQUIRED_REQUESTS = {"sqlite": 2_750 if PG_URL else 4_000, "postgresql": 1_350}
# Posts per form endpoint. Each example a form adds about 60 posts over the
# about 800 the module's other tests send: 35 make about 2,900 on SQLite, 80
# (SQLite alone) about 5,600, and PostgreSQL's 10 about 1,400.
FORM_EXAMPLES = {"sqlite": 35 if PG_URL else 80, "postgresql": 10}
EXAMPLES = settings(
    max_examples=80,
    deadline=None,
    # CI explores the same examples on every run, so a red build is reproducible.
    derandomize=bool(os.environ.get("CI")),
    # Examples run against state earlier ones built up: a saved one would not replay.
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KIOSK = {"outcomes.self_entry_answer", "outcomes.self_entry_exit"}
# Posts to these check or hash a password, on purpose slowly (argon2, ~0.3 s).
PASSWORD_FORMS = {"auth.login", "outcomes.self_entry_exit", "users.reset_password"}
ERROR_PAGE = re.compile(
    r"<h1>(Not found|Not allowed|Changed by someone else|This session is signed"
    r"|That did)"
)
FIELD_LINE = re.compile(r"<li><strong>[^<]+</strong>: \S")
REDIRECTS = {301, 302, 303, 307, 308}
# The browser's own CSRF token (put in when posting), mostly; else none or forged.
VALID = "<valid>"
CSRF_TOKENS = st.sampled_from([VALID] * 12 + ["", "forged"])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per form endpoint, read from the URL map of a throwaway app."""
    if "endpoint" in metafunc.fixturenames:
        app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
        every = post_form_endpoints(app)
        get_engine(app).dispose()
        metafunc.parametrize("endpoint", sorted(set(every) - PASSWORD_FORMS))
    elif "password_endpoint" in metafunc.fixturenames:
        # Named here: no app to build for them.
        metafunc.parametrize("password_endpoint", sorted(PASSWORD_FORMS))


@pytest.fixture(scope="module")
def forms(clinic: FuzzClinic, baseline: Baseline) -> dict[str, FormSpec]:
    return find_forms(clinic.app, clinic)


@pytest.fixture(scope="module")
def plans(
    clinic: FuzzClinic, forms: dict[str, FormSpec]
) -> Iterator[dict[str, "Plan"]]:
    """Each endpoint's strategy, built once: building it costs more than drawing."""
    built = {}
    for endpoint in post_form_endpoints(clinic.app):
        spec = forms.get(endpoint) or FormSpec(endpoint)
        built[endpoint] = Plan(
            allowed_roles(clinic.app, endpoint),
            st.builds(
                Post,
                roles(clinic.app, endpoint),
                kiosk_states(clinic) if endpoint in KIOSK else st.none(),
                paths(clinic.app, clinic, spec),
                form_data(spec),
                CSRF_TOKENS,
            ),
        )
    with frozen_heap():
        yield built


# --- strategies ----------------------------------------------------------------


def roles(app: Flask, endpoint: str) -> st.SearchStrategy[Role]:
    """Mostly a role the endpoint allows, sometimes one it refuses."""
    allowed = sorted(allowed_roles(app, endpoint))
    refused = sorted(set(Role) - set(allowed))
    return st.sampled_from(allowed * 5 + refused)


def paths(app: Flask, clinic: FuzzClinic, spec: FormSpec) -> st.SearchStrategy[str]:
    """A real record's form action, or the same address for a record no row has."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == spec.endpoint)
    adapter = app.url_map.bind("localhost")
    junk_values: dict[str, st.SearchStrategy[Any]] = {
        name: st.sampled_from(JUNK_IDS)
        if name in URL_IDS
        else st.text(ANY_CHAR, min_size=1, max_size=30)
        for name in rule.arguments
    }
    real = sorted(spec.actions)
    if not real and all(clinic.ids.get(name) for name in rule.arguments):
        real = [
            adapter.build(
                spec.endpoint, {name: clinic.ids[name][0] for name in rule.arguments}
            )
        ]
    junk = st.fixed_dictionaries(junk_values).map(
        lambda values: adapter.build(spec.endpoint, values)
    )
    if not real:
        return junk
    return st.one_of(st.sampled_from(real), st.sampled_from(real), junk)


numbers_as_text = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e309", "-0", "0x1A", "1_000", "½", "٣", "1,5", " 2 "]),
)
bad_dates = st.sampled_from(
    ["2023-02-30", "1899-12-31", "31/12/1970", "10000-01-01", "today", "2024-1-1"]
)
# One character past each length limit the models set.
overlong = st.builds(
    lambda char, count: char * count,
    st.sampled_from(["a", "é", "語", "😀"]),
    st.sampled_from([33, 41, 81, 121, 201, 255, 301, 501, 1001, 2001, 4001]),
)
awkward = st.one_of(
    st.sampled_from(AWKWARD), st.text(ANY_CHAR, max_size=40), numbers_as_text, overlong
)
unknown_names = st.one_of(
    st.sampled_from(["id", "version", "role", "__class__", "csrf_token"]),
    st.text(ANY_CHAR, max_size=12),
)


def typed(spec: FieldSpec) -> st.SearchStrategy[str]:
    """Values of the field's own kind, as a browser could send them."""
    if spec.kind == "date":
        return st.one_of(st.dates().map(lambda day: day.isoformat()), bad_dates)
    if spec.kind == "time":
        return st.one_of(
            st.times().map(lambda at: at.strftime("%H:%M")),
            st.sampled_from(["24:00", "9:5", "12:60", "noon"]),
        )
    if spec.kind == "datetime-local":
        return st.datetimes().map(lambda at: at.strftime("%Y-%m-%dT%H:%M"))
    if spec.kind == "password":
        return st.one_of(st.just(PASSWORD), st.text(ANY_CHAR, max_size=300))
    if spec.kind in TEXT_KINDS or spec.kind == "hidden":
        return st.one_of(numbers_as_text, st.text(ANY_CHAR, max_size=80))
    return st.sampled_from(sorted(spec.values) or [""])


# Where a redirect parameter might try to send the browser: another host however
# spelt (a run of slashes, a backslash, a scheme), or a header split by CR/LF.
EVIL_TARGETS = [
    "////evil.example",
    "///evil.example/x",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "/%2F/evil.example",
    "/\r\nSet-Cookie: planner=evil",
    "/patients/\r\nLocation: //evil.example",
    "\r\n",
    "/\t/evil.example",
    "/patients/%0d%0aX-Evil: 1",
]
redirect_targets = st.one_of(
    st.sampled_from(EVIL_TARGETS),
    st.builds(
        lambda slashes, tail: "/" * slashes + tail,
        st.integers(1, 6),
        st.sampled_from(["evil.example", "evil.example/x?y=1", "\\evil", "%0d%0a"]),
    ),
    st.text(ANY_CHAR, max_size=40),
)
REDIRECT_FIELDS = {"next"}


def field_pairs(name: str, spec: FieldSpec) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A field as posted: its offered value, one of its kind, a spoilt one, or none."""
    offered = st.sampled_from(sorted(spec.values)) if spec.values else typed(spec)
    value = st.one_of(offered, offered, typed(spec), awkward)
    if name in REDIRECT_FIELDS:
        value = st.one_of(value, redirect_targets, redirect_targets)
    if spec.repeated:
        return st.lists(value, max_size=6).map(
            lambda values: [(name, v) for v in values]
        )
    present = value.map(lambda v: [(name, v)])
    # Left out one time in six, as an unticked box or a tampered form.
    return st.one_of(present, present, present, present, present, st.just([]))


def form_data(spec: FormSpec) -> st.SearchStrategy[list[tuple[str, str]]]:
    """The fields as a browser posts them, plus fields no form has."""
    extra = st.lists(st.tuples(unknown_names, awkward), max_size=2)
    parts = [field_pairs(name, spec.fields[name]) for name in sorted(spec.fields)]
    return st.tuples(extra, *parts).map(
        lambda drawn: [pair for part in drawn[1:] for pair in part] + drawn[0]
    )


class Post(NamedTuple):
    """One generated post: who sends it, where, what, and with which CSRF token."""

    role: Role
    # Who holds the tablet, for the kiosk's endpoints only.
    kiosk: dict[str, Any] | None
    path: str
    fields: list[tuple[str, str]]
    csrf: str


class Plan(NamedTuple):
    """The roles an endpoint lets through, and what its posts are drawn from.

    Built once per module; a post is drawn whole, in one draw, as hypothesis
    charges for each draw.
    """

    allowed: frozenset[Role]
    posts: st.SearchStrategy[Post]


@st.composite
def kiosk_states(draw: st.DrawFn, clinic: FuzzClinic) -> dict[str, Any] | None:
    """A patient part-way through the SAQ or FDI, answers so far all valid."""
    if draw(st.integers(0, 9)) == 0:
        return None  # no patient holds the tablet
    instrument = draw(st.sampled_from(["saq", "fdi"]))
    items = scoring.get_instrument(instrument).items
    step = draw(st.integers(0, len(items) - 1))
    answers = {
        item.key: str(draw(st.sampled_from([c.value for c in item.choices])))
        for item in items[:step]
        if item.choices
    }
    return {
        "patient_id": draw(st.sampled_from(clinic.ids["patient_id"] + [JUNK_IDS[1]])),
        "instrument": instrument,
        "timepoint": draw(st.sampled_from(["review", "baseline", "other", "never"])),
        "answers": answers,
        "step": step,
        "done": draw(st.booleans()),
    }


# --- checks ----------------------------------------------------------------------


def check_answer(response: Any, *, refused_role: bool) -> None:
    """No 5xx; a refused role gets nothing done; redirects stay on this site;
    refusals explain themselves."""
    status = response.status_code
    assert status < 500, status
    if refused_role:
        # 308: the router merging a doubled slash (/settings//x) before any view
        # runs; the redirected request is refused in its turn.
        assert status in (308, 400, 403, 404, 405), f"a refused role got {status}"
    if status in REDIRECTS:
        target = urlsplit(response.headers["Location"])
        assert target.scheme in ("", "http"), target
        assert target.netloc in ("", "localhost"), target
        return
    if not 400 <= status < 500:
        return
    page = response.get_data(as_text=True)
    # An alert on the form, an error flashed above the page, or the error page.
    told = 'role="alert"' in page or 'class="flash flash-error"' in page
    assert told or ERROR_PAGE.search(page), f"a {status} that does not say why"
    if status == 400:
        assert told or FIELD_LINE.search(page), "a 400 that names no field"


# --- tests -----------------------------------------------------------------------


def send_post(endpoint: str, clinic: FuzzClinic, plan: Plan, post: Post) -> None:
    login = clinic.logins[post.role]
    # Undo what earlier posts did to this browser (logged out, kiosk locked).
    login.restore()
    if endpoint in KIOSK:
        login.hold_tablet(post.kiosk)
    token = post.csrf.replace(VALID, login.browser.token)
    posted = MultiDict(post.fields + ([("csrf_token", token)] if token else []))
    answer = login.client.post(post.path, data=posted)
    check_answer(answer, refused_role=post.role not in plan.allowed)


def test_form_answers_generated_posts_without_server_errors(
    endpoint: str, clinic: FuzzClinic, plans: dict[str, Plan]
) -> None:
    """Generated posts to one form, as many as the database's budget says."""
    plan = plans[endpoint]

    @settings(EXAMPLES, max_examples=FORM_EXAMPLES[clinic.backend])
    @given(post=plan.posts)
    def send(post: Post) -> None:
        send_post(endpoint, clinic, plan, post)

    send()


@settings(EXAMPLES, max_examples=12)
@given(data=st.data())
def test_password_form_answers_generated_posts_without_server_errors(
    password_endpoint: str,
    clinic: FuzzClinic,
    plans: dict[str, Plan],
    data: st.DataObject,
) -> None:
    """Forms that check or hash a password: fewer posts, each costs ~0.3 s."""
    plan = plans[password_endpoint]
    send_post(password_endpoint, clinic, plan, data.draw(plan.posts, label="post"))


# Text fields whose pages offer no value, by what they hold (x, y blank: the
# muscle's reference point).
PLAUSIBLE_TEXT = {
    "units": "2",
    "x": "",
    "y": "",
    "vial_units": "100",
    "diluent_ml": "2.5",
    "lot_number": "FZ9",
    "value": "14",
    "reason": "Fuzz reason",
    "name": "Fuzz name",
}


def plausible(name: str, spec: FieldSpec) -> str:
    """A value the field could well take: offered by the page, or of its kind."""
    offered = sorted(value for value in spec.values if value)
    if offered:
        return offered[0]
    if name in PLAUSIBLE_TEXT:
        return PLAUSIBLE_TEXT[name]
    tomorrow = date.today() + timedelta(days=1)
    return {
        "date": tomorrow.isoformat(),
        "time": "10:00",
        "datetime-local": f"{tomorrow.isoformat()}T10:00",
        "password": PASSWORD,
        "email": "fuzz@example.org",
        "tel": "020 7946 0000",
        "hidden": "1",
    }.get(spec.kind, "Fuzz 1")


def test_nul_in_any_text_field_is_never_a_server_error(
    clinic: FuzzClinic, forms: dict[str, FormSpec]
) -> None:
    """Each form, filled in plausibly, with a NUL in one text field at a time.

    PostgreSQL text cannot hold NUL: a value that passes validation with one
    reaches the database and fails there, unless the app refuses it first.
    """
    sent = 0
    for endpoint, spec in sorted(forms.items()):
        role = sorted(allowed_roles(clinic.app, endpoint))[0]
        login = clinic.logins[role]
        base = {name: plausible(name, field) for name, field in spec.fields.items()}
        texts = [n for n, f in spec.fields.items() if f.kind in TEXT_KINDS]
        for name in sorted(texts):
            login.restore()
            posted = {**base, name: "A\x00B", "csrf_token": login.browser.token}
            response = login.client.post(sorted(spec.actions)[0], data=posted)
            try:
                check_answer(response, refused_role=False)
            except AssertionError as exc:
                exc.add_note(f"{endpoint}: NUL in {name}")
                raise
            sent += 1
    assert sent >= 40, sent


@settings(EXAMPLES, max_examples=120)
@given(target=redirect_targets, data=st.data())
def test_redirect_parameters_never_leave_the_site(
    clinic: FuzzClinic, target: str, data: st.DataObject
) -> None:
    """``next`` on the login page (GET and POST, logged in or not), and on the
    appointment status form: on-site redirects only, control characters a 400."""
    role = data.draw(st.sampled_from([Role.STAFF, Role.INJECTOR]), label="role")
    login = clinic.logins[role]
    login.restore()
    anonymous = clinic.app.test_client()
    answers = [
        login.client.get("/login", query_string={"next": target}),
        anonymous.get("/login", query_string={"next": target}),
        login.client.post(
            "/login",
            query_string={"next": target},
            data={"email": "x@example.org", "csrf_token": login.browser.token},
        ),
    ]
    appointment = data.draw(st.sampled_from(clinic.ids["appointment_id"]))
    answers.append(
        login.client.post(
            f"/appointments/{appointment}/status",
            data={
                "version": "1",
                "status": "cancelled",
                "next": target,
                "csrf_token": login.browser.token,
            },
        )
    )
    controls = any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in target)
    for answer in answers:
        check_answer(answer, refused_role=False)
        if controls:
            assert answer.status_code == 400, (target, answer.status_code)
    clinic.tally.sent += 1  # the anonymous client counts too
    clinic.tally.statuses[answers[1].status_code] += 1


def test_every_form_submitted_twice_is_never_a_server_error(
    clinic: FuzzClinic, forms: dict[str, FormSpec]
) -> None:
    """Each form, filled in plausibly, posted twice in a row as a double click does.

    The second post finds what the first one saved: a refusal that says why, or
    the same answer, never a 5xx.
    """
    sent = 0
    for endpoint, spec in sorted(forms.items()):
        if endpoint in PASSWORD_FORMS or endpoint == "auth.logout":
            continue
        role = sorted(allowed_roles(clinic.app, endpoint))[0]
        login = clinic.logins[role]
        login.restore()
        posted = {name: plausible(name, field) for name, field in spec.fields.items()}
        posted["csrf_token"] = login.browser.token
        for _ in range(2):
            response = login.client.post(sorted(spec.actions)[0], data=posted)
            try:
                check_answer(response, refused_role=False)
            except AssertionError as exc:
                exc.add_note(f"{endpoint}: submitted twice")
                raise
            sent += 1
    assert sent >= 60, sent


def test_every_form_was_found_on_a_page(
    clinic: FuzzClinic, forms: dict[str, FormSpec]
) -> None:
    """Each form endpoint was fuzzed with its real fields, not just made-up ones."""
    missing = sorted(set(post_form_endpoints(clinic.app)) - set(forms))
    assert not missing, f"no page shows a form for {missing}"


def test_form_fuzzing_sent_enough_and_left_the_database_intact(
    clinic: FuzzClinic, baseline: Baseline
) -> None:
    """Runs last in the module: count what was sent, then check the database."""
    tally = clinic.tally
    assert not tally.server_errors, tally.server_errors[:20]
    required = REQUIRED_REQUESTS[clinic.backend]
    assert tally.sent >= required, (tally.sent, dict(tally.statuses))
    # Generated posts got through, not only refusals.
    assert sum(n for status, n in tally.statuses.items() if status < 400) >= 250
    assert integrity_problems(clinic.engine, baseline) == []
