"""Schemathesis over every operation in /api/openapi.json, against a seeded clinic.

Every operation gets schemathesis' coverage cases (boundaries, wrong types,
missing and unknown fields) and generated cases, valid and invalid. Path ids are
drawn from the clinic's real records as well as ids no row has, and a chart or
patient write carries the record's current version half the time, so requests
reach the code past the lookup and the optimistic lock.

Checks: no 5xx (the must), status codes, content types, headers and bodies as
documented, 405 with an Allow header for undeclared methods, and planner's own
rule that every refusal is JSON naming the reason (``refusal_names_the_problem``).
Two stock checks are off, because they test something planner does not promise:

- ``positive_data_acceptance`` expects every schema-valid request to succeed,
  but valid-looking data is refused for reasons a schema cannot state: an id no
  row has (404), a stale version (409), a birth date before 1900, answers that
  do not fit the instrument.
- ``negative_data_rejection`` expects every schema-violating request to fail,
  but the models read input in pydantic's lax mode, which the HTML forms need
  (every form value is text): ``0`` for false or ``"2"`` for 2 mean the same
  value, and are accepted as such.
"""

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis import CheckContext
from schemathesis import HookContext
from schemathesis import Response
from werkzeug.exceptions import HTTPException

from planner.facemap import load_face_map
from planner.facemap import reference_points
from planner.models import Role
from tests.conftest import PG_URL
from tests.fuzz.clinic import JUNK_IDS
from tests.fuzz.clinic import URL_IDS
from tests.fuzz.clinic import FuzzClinic
from tests.fuzz.clinic import Login
from tests.fuzz.conftest import frozen_heap
from tests.fuzz.integrity import Baseline
from tests.fuzz.integrity import integrity_problems

# One worker runs the whole module: its last test reads the tally of the others.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("test_api_schema")]

ApiCase = Case[Any]

# Generated requests this module must send on each database. Issue 7 asks for
# 10,000 across the forms and the API in a run: with PostgreSQL (CI) that is
# 3,200 + 2,700 here and 2,750 + 1,350 in tests/fuzz/test_forms_fuzz.py; on
# SQLite alone, 6,000 here and 4,000 there. Schemathesis' coverage cases
# (boundaries, missing and wrong fields: about 2,400 a database, whatever the
# budget) are most of them; each generated example an operation adds about 34.
# Measured with these budgets: about 3,400 on SQLite and 2,900 on PostgreSQL
# (7,000 on SQLite alone). The suite must stay under ten minutes on two cores
# (issue 12), so the budgets make 10,000 and a margin, not more.
REQUIRED_REQUESTS = {"sqlite": 3_200 if PG_URL else 6_000, "postgresql": 2_700}
MAX_EXAMPLES = {"sqlite": 30 if PG_URL else 135, "postgresql": 15}
# Answered 2xx: requests that got past the lookup and the lock to real work.
REACHED = {"sqlite": 150 if PG_URL else 250, "postgresql": 100}
# Stands in for "the record's current version" until the request is sent.
LIVE_VERSION = -424_242
# Which table's version a body's "version" is checked against, by path parameter.
VERSIONED = {"session_id": "treatment_session", "patient_id": "patient"}


def config_for(backend: str) -> schemathesis.Config:
    """Schemathesis' settings, with the database's budget of examples."""
    return schemathesis.Config.from_dict(
        {
            # "none": examples run against state earlier ones built up, so a saved
            # failure would not replay; a failure prints its curl command instead.
            "generation": {"database": "none", "max-examples": MAX_EXAMPLES[backend]},
            "checks": {
                "positive_data_acceptance": {"enabled": False},
                "negative_data_rejection": {"enabled": False},
            },
            # A PDF takes half a second to render: a few real ones are enough.
            "operations": [
                {"include-tag": "reports", "generation": {"max-examples": 4}}
            ],
        }
    )


CHART = "/api/v1/sessions/{session_id}"
ADD_SITE = f"POST {CHART}/sites"
CHANGE_SITE = f"PATCH {CHART}/sites/{{site_id}}"
SIGN = f"POST {CHART}/sign"


def refusal_names_the_problem(
    ctx: CheckContext, response: Response, case: ApiCase
) -> bool | None:
    """A 4xx from the API is a JSON object whose ``error`` says what was wrong.

    A 400 also names each field at fault, with its reason, in ``fields``.
    """
    if not 400 <= response.status_code < 500:
        return None
    body = response.json()
    assert isinstance(body, dict), f"{response.status_code} body is not an object"
    assert isinstance(body.get("error"), str), f"no error message: {body}"
    assert body["error"].strip(), "the error message is empty"
    if response.status_code == 400:
        fields = body.get("fields")
        assert isinstance(fields, dict), f"a 400 names no field: {body}"
        assert fields, f"a 400 names no field: {body}"
        for name, reason in fields.items():
            assert name, f"a field without a name: {body}"
            assert isinstance(reason, str), f"a reason that is not text: {body}"
            assert reason.strip(), f"field {name} has no reason: {body}"
    return None


def _ids(clinic: FuzzClinic, name: str) -> st.SearchStrategy[int]:
    real = clinic.ids.get(name, [])
    junk = st.sampled_from(JUNK_IDS)
    if name == "session_id":
        # Drafts are few among the signed demo sessions, and take every write.
        drafts = st.sampled_from(clinic.ids["draft_session_id"])
        return st.one_of(drafts, st.sampled_from(real), junk)
    return st.one_of(st.sampled_from(real), junk) if real else junk


def _real_path_ids(
    clinic: FuzzClinic, names: list[str]
) -> st.SearchStrategy[dict[str, int]]:
    if {"session_id", "site_id"} <= set(names):
        # A site is only found under its own session: aim at drafts' real pairs.
        pairs = [
            {"session_id": session_id, "site_id": site_id}
            for session_id, sites in clinic.draft_sites.items()
            for site_id in sites
        ]
        return st.sampled_from(pairs)
    return st.fixed_dictionaries({name: _ids(clinic, name) for name in names})


def on_face(clinic: FuzzClinic) -> list[tuple[float, float]]:
    """Each muscle's reference points on both sides, in map coordinates."""
    the_map = load_face_map(Path(clinic.app.config["FACE_MAPS_DIR"]))
    return [
        (float(x), float(y))
        for muscle in the_map.muscles
        for side in ("left", "right")
        for x, y in reference_points(the_map, muscle, side)
    ]


@pytest.fixture(scope="module")
def api_schema(clinic: FuzzClinic, baseline: Baseline) -> Iterator[Any]:
    """The app's OpenAPI document, with hooks aiming requests at real records."""
    login = clinic.logins[Role.INJECTOR]
    # The document needs a login; read outside the tally, it is not generated.
    reader = clinic.app.test_client()
    reader.set_cookie("session", login.cookie)
    document = reader.get("/api/openapi.json")
    assert document.status_code == 200, document.status_code
    loaded = schemathesis.openapi.from_dict(
        document.get_json(), config=config_for(clinic.backend)
    )
    # As schemathesis.openapi.from_wsgi does: requests go to the app in-process.
    # (from_wsgi itself cannot log in: werkzeug's client drops a Cookie header.)
    loaded.app = clinic.app
    loaded.location = "/api/openapi.json"

    # Built once per set of names: a new strategy costs more to draw from first.
    real_ids: dict[tuple[str, ...], st.SearchStrategy[dict[str, int]]] = {}

    @loaded.hook
    def flatmap_path_parameters(
        context: HookContext, path_parameters: dict[str, Any] | None
    ) -> st.SearchStrategy[dict[str, Any] | None]:
        names = tuple(name for name in path_parameters or {} if name in URL_IDS)
        if not names:
            return st.just(path_parameters)
        if names not in real_ids:
            real_ids[names] = _real_path_ids(clinic, list(names))
        return st.one_of(
            st.just(path_parameters),
            real_ids[names].map(lambda ids: {**(path_parameters or {}), **ids}),
        )

    taps = st.sampled_from(on_face(clinic))

    @loaded.hook
    def flatmap_body(context: HookContext, body: Any) -> st.SearchStrategy[Any]:
        if not (isinstance(body, dict) and isinstance(body.get("version"), int)):
            return st.just(body)
        live = st.sampled_from([body, {**body, "version": LIVE_VERSION}])
        label = context.operation.label if context.operation else ""
        if label == SIGN and "consent_obtained" in body:
            # Signing also needs the consent confirmed: half the time it is.
            return st.tuples(live, st.booleans()).map(
                lambda drawn: {**drawn[0], "consent_obtained": drawn[1]}
            )
        if label not in (ADD_SITE, CHANGE_SITE) or "x" not in body:
            return live
        # Random points mostly miss the face: half the taps land on a muscle.
        on_a_muscle = st.tuples(live, taps).map(
            lambda drawn: {**drawn[0], "x": drawn[1][0], "y": drawn[1][1]}
        )
        return st.one_of(live, on_a_muscle)

    with frozen_heap():
        yield loaded


def _with_live_version(case: ApiCase, clinic: FuzzClinic) -> None:
    """Put the record's current version where the body asks for it."""
    if not (isinstance(case.body, dict) and case.body.get("version") == LIVE_VERSION):
        return
    for name, table in VERSIONED.items():
        if name in (case.path_parameters or {}):
            current = clinic.version_of(table, case.path_parameters[name])
            case.body["version"] = current if current is not None else 1
            return


def _headers(login: Login) -> dict[str, str]:
    return {
        "X-CSRFToken": login.browser.token,
        # Flask-Login's strong protection ties a session to its user agent.
        "User-Agent": login.client.environ_base["HTTP_USER_AGENT"],
    }


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Give the node the ``_nodeid`` schemathesis 4.32 relabels per operation.

    pytest 9.2 keeps the id elsewhere, so from_fixture's tests fail with an
    AttributeError without it; schemathesis only reads it back for its labels.
    """
    request.node._nodeid = request.node.nodeid


def _roles_for(clinic: FuzzClinic, case: ApiCase) -> frozenset[Role]:
    """The roles the operation's route lets through; every role if none matches."""
    adapter = clinic.app.url_map.bind("localhost")
    path = case.formatted_path
    try:
        endpoint, _args = adapter.match(path, method=case.method.upper())
    except HTTPException:
        return frozenset(Role)
    return clinic.roles_allowed(endpoint)


def _second_role(case: ApiCase) -> Role:
    """Staff or admin, chosen from the case itself so that a failure replays."""
    sent = repr((case.path_parameters, case.query, case.body)).encode()
    return Role.STAFF if zlib.crc32(sent) % 2 else Role.ADMIN


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_generated_requests_without_server_errors(
    case: ApiCase, clinic: FuzzClinic
) -> None:
    """Send each case as the injector, then as staff or admin, and check both.

    The second sending checks the role gate (before any parsing) on the
    injector's routes, and the full work on the routes every role may use.
    """
    _with_live_version(case, clinic)
    for role in (Role.INJECTOR, _second_role(case)):
        login = clinic.logins[role]
        kwargs: dict[str, Any] = {"session": login.client, "headers": _headers(login)}
        try:
            response = case.call(**kwargs)
            case.validate_response(
                response,
                additional_checks=[refusal_names_the_problem],
                headers=kwargs["headers"],
                transport_kwargs={**kwargs, "app": clinic.app},
            )
            if role not in _roles_for(clinic, case):
                assert response.status_code in (403, 404, 405), response.status_code
        except Exception as exc:
            exc.add_note(f"Sent as the {role.value}.")
            raise


def test_api_fuzzing_sent_enough_and_left_the_database_intact(
    clinic: FuzzClinic, baseline: Baseline
) -> None:
    """Runs last in the module: count what was sent, then check the database."""
    tally = clinic.tally
    assert not tally.server_errors, tally.server_errors[:20]
    required = REQUIRED_REQUESTS[clinic.backend]
    assert tally.sent >= required, (tally.sent, dict(tally.statuses))
    # Generated requests reached records, not only the 404 path.
    reached = sum(n for status, n in tally.statuses.items() if status < 300)
    assert reached >= REACHED[clinic.backend], (reached, dict(tally.statuses))
    assert integrity_problems(clinic.engine, baseline) == []
