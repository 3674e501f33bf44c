"""An amendment is made against the record's version (review rC, C6).

Two injectors with one signed record open (or one with two tabs): the second to
save, whose form still shows the doses before the first's amendment, is refused
with nothing saved, so it cannot silently undo the first amendment under its own
reason. The form, the JSON API and the service each say so, naming ``version``.
"""

import re

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import Amendment
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import sessions as session_service
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair

# Each product's two doses as signed, and the two corrections, in its own units.
DOSES = {"botox": ((2, 2), (3, 1)), "dysport": ((5, 5), (7.5, 2.5))}
AMENDMENTS = "/api/v1/sessions/{}/amendments"


def _signed(session, injector, make_patient, code):
    chair = Chair(session, injector)
    (first, second), _ = DOSES[code]
    return chair.given(
        make_patient(affected_side="left"),
        DAY0,
        [("mentalis", "left", first), ("platysma", "left", second)],
        product=code,
    )


def _sites(session, record_id):
    session.expire_all()
    return session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == record_id)
        .order_by(col(InjectionSite.number))
    ).all()


def _units(session, record_id):
    return [site.units for site in _sites(session, record_id)]


def _amendments(session, record_id):
    return session.exec(
        select(Amendment).where(Amendment.session_id == record_id)
    ).all()


def _amend_events(session, record_id):
    return session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_id == record_id, AuditEvent.action == "amend"
        )
    ).all()


@pytest.mark.parametrize("code", list(DOSES))
def test_a_stale_amendment_is_refused_and_saves_nothing(
    session, injector, make_patient, code
):
    record = _signed(session, injector, make_patient, code)
    loaded = record.version
    first, second = _sites(session, record.id)
    (dose_1, dose_2), (fix_1, fix_2) = DOSES[code]

    def amend(version, site, units, reason):
        return amendment_service.amend_session(
            session,
            injector,
            record.id,
            {
                "version": version,
                "reason": reason,
                "corrections": [{"site_id": site.id, "units": units}],
            },
            zone=LONDON,
            now=DAY0,
        )

    amend(loaded, first, fix_1, f"site 1 was {fix_1:g}")
    assert _units(session, record.id) == [fix_1, dose_2]
    with pytest.raises(StaleWrite) as refused:
        amend(loaded, second, fix_2, f"site 2 was {fix_2:g}")
    assert set(refused.value.fields) == {"version"}
    assert "amended since the form was opened" in refused.value.message
    # Nothing saved: the first amendment stands, alone.
    assert _units(session, record.id) == [fix_1, dose_2]
    assert len(_amendments(session, record.id)) == 1
    assert len(_amend_events(session, record.id)) == 1
    assert session_service.get_session_record(session, record.id).version == (
        loaded + 1
    )

    with pytest.raises(InvalidInput) as missing:
        amendment_service.amend_session(
            session, injector, record.id, {"reason": "No version"}, zone=LONDON
        )
    assert "version" in missing.value.fields

    # Made against the record as it now is, the second amendment is saved.
    amend(loaded + 1, second, fix_2, f"site 2 was {fix_2:g}")
    assert _units(session, record.id) == [fix_1, fix_2]
    assert [a.changes["sites"] for a in _amendments(session, record.id)] == [
        [{"site": 1, "before": dose_1, "after": fix_1}],
        [{"site": 2, "before": dose_2, "after": fix_2}],
    ]


def _amend_form(page):
    """The amendment form's fields, as the browser would post them."""
    form = page[page.index('id="amend"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'name="([\w.]+)"[^>]*value="([^"]*)"', form))
    fields.pop("csrf_token", None)
    return fields


@pytest.mark.parametrize("code", list(DOSES))
def test_a_stale_amendment_form_is_shown_again_with_the_record_as_it_is(
    session, injector, make_patient, login_as, code
):
    record = _signed(session, injector, make_patient, code)
    loaded = record.version
    first, second = _sites(session, record.id)
    (_, dose_2), (fix_1, fix_2) = DOSES[code]
    browser = login_as(Role.INJECTOR)
    chart = f"/sessions/{record.id}"
    # Two tabs on the same signed record.
    tab_a = _amend_form(browser.get(chart).get_data(as_text=True))
    tab_b = _amend_form(browser.get(chart).get_data(as_text=True))
    assert tab_a["version"] == str(loaded)

    saved = browser.post_form(
        f"{chart}/amendments",
        {**tab_a, "reason": "Site 1 keyed wrongly", f"units_{first.id}": f"{fix_1:g}"},
    )
    assert saved.status_code == 302
    stale = browser.post_form(
        f"{chart}/amendments",
        {
            **tab_b,
            "reason": "Site 2 keyed wrongly",
            f"units_{second.id}": f"{fix_2:g}",
        },
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert (
        "This form is out of date: the record was amended since this form was "
        "opened, and nothing was saved; the doses below are the record&#39;s now"
    ) in page
    assert _units(session, record.id) == [fix_1, dose_2]
    assert len(_amendments(session, record.id)) == 1
    # The error summary's link lands on the message in the form.
    assert 'href="#version"' in page
    assert 'id="version" tabindex="-1"' in page

    # Shown again: the record's doses and version now, the reason kept.
    again = _amend_form(page)
    assert again["version"] == str(loaded + 1)
    assert (again[f"units_{first.id}"], again[f"units_{second.id}"]) == (
        f"{fix_1:g}",
        f"{dose_2:g}",
    )
    assert "Site 2 keyed wrongly</textarea>" in page
    resent = browser.post_form(
        f"{chart}/amendments",
        {
            **again,
            "reason": "Site 2 keyed wrongly",
            f"units_{second.id}": f"{fix_2:g}",
        },
    )
    assert resent.status_code == 302
    assert _units(session, record.id) == [fix_1, fix_2]


@pytest.mark.parametrize("code", list(DOSES))
def test_the_api_refuses_a_stale_amendment_with_the_chart_as_it_is(
    session, injector, make_patient, login_as, code
):
    record = _signed(session, injector, make_patient, code)
    first, second = _sites(session, record.id)
    (_, dose_2), (fix_1, fix_2) = DOSES[code]
    browser = login_as(Role.INJECTOR)
    loaded = browser.api("GET", f"/api/v1/sessions/{record.id}").json
    version = loaded["session"]["version"]

    def amend(body):
        return browser.api("POST", AMENDMENTS.format(record.id), body)

    correction = {"reason": "Typo", "corrections": [{"site_id": 0, "units": 1}]}
    first_fix = [{"site_id": first.id, "units": fix_1}]
    second_fix = [{"site_id": second.id, "units": fix_2}]
    assert (
        amend({**correction, "corrections": first_fix, "version": version}).status_code
        == 201
    )
    stale = amend({**correction, "corrections": second_fix, "version": version})
    assert stale.status_code == 409
    assert "amended since the form was opened" in stale.json["error"]
    assert stale.json["state"]["session"]["version"] == version + 1
    assert [s["units"] for s in stale.json["state"]["sites"]] == [fix_1, dose_2]
    assert _units(session, record.id) == [fix_1, dose_2]

    missing = amend({**correction, "corrections": second_fix})
    assert missing.status_code == 400
    assert "version" in missing.json["fields"]
    assert _units(session, record.id) == [fix_1, dose_2]


def test_the_openapi_document_asks_amendments_for_the_version(login_as):
    document = login_as(Role.STAFF).get("/api/openapi.json").json
    post = document["paths"]["/api/v1/sessions/{session_id}/amendments"]["post"]
    schemas = document["components"]["schemas"]

    def named(schema):
        return schemas[schema["$ref"].rsplit("/", 1)[1]]

    body = named(post["requestBody"]["content"]["application/json"]["schema"])
    assert "version" in body["required"]
    conflict = named(post["responses"]["409"]["content"]["application/json"]["schema"])
    assert "state" in conflict["properties"]
