"""A sign refusal names each refused reason and override in words.

The chart page shows a refused field beside its box; a warning raised since the
page last drew the chart has no box there, so the refusal itself names it, in
the server's words (``warning_reasons.reason_label``), under ``labels``, by the
same field as ``fields``. No client keeps a copy of the wording. So
is every other field a signature is refused for (consent, sites, doses, and
what spectree refuses before the service), and a page whose chart is stale is
answered with the latest chart (409), never a refusal for a site it has never
shown. Botox and Dysport, each charted in its own units.
"""

import pytest
from sqlmodel import select

from planner.models import AuditEvent
from planner.models import Role
from planner.models import SessionStatus
from planner.models import TreatmentSession
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import consent_by_browser
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap

# Each product's vial, and a dose of its own units for the smile muscle.
VIALS = {
    "botox": ({"product": "botox", "vial_units": "100"}, 1),
    "dysport": ({"product": "dysport", "vial_units": "500"}, 5),
}


@pytest.mark.parametrize("product", sorted(VIALS))
def test_a_sign_refusal_names_each_refused_reason_in_words(
    login_as, make_patient, product
):
    vial, units = VIALS[product]
    # The toxin allergy is a hard stop (an override); the smile muscle on the
    # palsied side wants a site's reason.
    patient = make_patient(affected_side="left", toxin_allergy=True)
    injector = login_as(Role.INJECTOR)
    consent_by_browser(injector, patient.id)
    opened = injector.post_form(f"/patients/{patient.id}/sessions", VIAL_FORM | vial)
    assert opened.status_code == 302, opened.get_data(as_text=True)[:500]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    tapped = post_tap(
        injector, session_id, "zygomaticus_major", "left", version=1, units=units
    )
    assert tapped.status_code == 201, tapped.get_data(as_text=True)

    refused = post_sign(injector, session_id, version=2)

    assert refused.status_code == 400, refused.get_data(as_text=True)
    body = refused.get_json()
    fields, labels = body["fields"], body["labels"]
    smile = next(f for f in fields if f.startswith("reasons.smile_muscle"))
    assert fields[smile].startswith("needs a reason: ")
    assert labels[smile] == "Reason for site 1, Zygomaticus major (left)"
    assert fields["overrides.toxin_allergy"].startswith("is a hard stop")
    assert labels["overrides.toxin_allergy"] == (
        "Override for a warning on the whole chart"
    )
    assert_all_named(fields, labels)


def assert_all_named(fields, labels):
    """Every refused field is named, each in words: never a key or a code."""
    assert set(labels) == set(fields), (fields, labels)
    for label in labels.values():
        assert ":" not in label, label
        assert "_" not in label, label


def open_chart(browser, patient, product):
    """Open a draft of ``product`` for ``patient``; return its id."""
    vial, _ = VIALS[product]
    opened = browser.post_form(f"/patients/{patient.id}/sessions", VIAL_FORM | vial)
    assert opened.status_code == 302, opened.get_data(as_text=True)[:500]
    return int(opened.headers["Location"].rsplit("/", 1)[1])


@pytest.mark.parametrize("product", sorted(VIALS))
def test_consent_and_sites_refused_are_named_in_words(login_as, make_patient, product):
    patient = make_patient(affected_side="right")
    injector = login_as(Role.INJECTOR)
    consent_by_browser(injector, patient.id)
    session_id = open_chart(injector, patient, product)

    refused = post_sign(injector, session_id, version=1, consent_obtained=False)

    assert refused.status_code == 400, refused.get_data(as_text=True)
    body = refused.get_json()
    assert body["fields"] == {
        "consent_obtained": "must be confirmed before signing",
        "sites": "chart at least one injection site before signing",
    }
    assert body["labels"] == {
        "consent_obtained": "Consent obtained for this treatment",
        "sites": "Injection sites",
    }


@pytest.mark.parametrize("product", sorted(VIALS))
def test_treatment_consent_missing_is_named_in_words(login_as, make_patient, product):
    patient = make_patient(affected_side="right")
    injector = login_as(Role.INJECTOR)
    session_id = open_chart(injector, patient, product)
    _, units = VIALS[product]
    post_tap(injector, session_id, "mentalis", "right", version=1, units=units)

    refused = post_sign(injector, session_id, version=2)

    assert refused.status_code == 400, refused.get_data(as_text=True)
    body = refused.get_json()
    assert body["fields"]["consent"].startswith("is needed. ")
    assert body["labels"]["consent"] == "Treatment consent on file"
    assert_all_named(body["fields"], body["labels"])


def test_doses_refused_are_named_in_words(login_as, make_patient):
    # Dysport has no tap default for the depressor anguli oris: its dose is
    # entered by hand (Botox has a default for every muscle, so a Botox chart
    # is never missing a dose from a tap).
    patient = make_patient(affected_side="left")
    injector = login_as(Role.INJECTOR)
    consent_by_browser(injector, patient.id)
    session_id = open_chart(injector, patient, "dysport")
    post_tap(injector, session_id, "depressor_anguli_oris", "left", version=1)

    refused = post_sign(injector, session_id, version=2)

    assert refused.status_code == 400, refused.get_data(as_text=True)
    body = refused.get_json()
    assert body["fields"]["doses"] == "missing at site 1: enter it first"
    assert body["labels"]["doses"] == "Doses"
    assert_all_named(body["fields"], body["labels"])


@pytest.mark.parametrize("product", sorted(VIALS))
@pytest.mark.parametrize(
    ("body", "labels"),
    [
        (
            {"consent_obtained": None},
            {"consent_obtained": "Consent obtained for this treatment"},
        ),
        ({"reasons": ["not", "a", "map"]}, {"reasons": "Reasons for the warnings"}),
        ({"overrides": "all"}, {"overrides": "Overrides of the hard stops"}),
        ({"version": 0}, {"version": "The chart's version"}),
        # A field no signature has keeps its own name: the client sent it.
        ({"signature": "EI"}, {}),
    ],
)
def test_a_signature_refused_before_the_checks_is_named_too(
    login_as, make_patient, product, body, labels
):
    patient = make_patient(affected_side="right")
    injector = login_as(Role.INJECTOR)
    consent_by_browser(injector, patient.id)
    session_id = open_chart(injector, patient, product)
    _, units = VIALS[product]
    post_tap(injector, session_id, "mentalis", "right", version=1, units=units)

    refused = post_sign(injector, session_id, **{"version": 2, **body})

    assert refused.status_code == 400, refused.get_data(as_text=True)
    answer = refused.get_json()
    assert set(answer["fields"]) == set(body)
    assert answer.get("labels", {}) == labels


@pytest.mark.parametrize("product", sorted(VIALS))
def test_a_stale_signature_is_shown_the_latest_chart_not_refused(
    login_as, make_patient, session, product
):
    _, units = VIALS[product]
    patient = make_patient(affected_side="left")
    injector = login_as(Role.INJECTOR)
    consent_by_browser(injector, patient.id)
    session_id = open_chart(injector, patient, product)
    post_tap(injector, session_id, "mentalis", "left", version=1, units=units)
    # Another device charts the smile muscle on the palsied side: a warning
    # asking for a reason the page loaded at version 2 has never shown.
    post_tap(injector, session_id, "zygomaticus_major", "left", version=2, units=units)
    events = len(session.exec(select(AuditEvent)).all())

    stale = post_sign(injector, session_id, version=2)

    assert stale.status_code == 409, stale.get_data(as_text=True)
    body = stale.get_json()
    assert body["error"] == (
        "Another device changed this chart since you loaded it; "
        "showing the latest version."
    )
    assert "fields" not in body
    state = body["state"]
    assert state["session"]["version"] == 3
    assert [site["muscle"] for site in state["sites"]] == [
        "mentalis",
        "zygomaticus_major",
    ]
    assert any(
        w["code"] == "smile_muscle_affected_side" and w["needs_reason"]
        for w in state["warnings"]
    )
    session.expire_all()
    record = session.get(TreatmentSession, session_id)
    assert (record.status, record.version) == (SessionStatus.DRAFT, 3)
    assert len(session.exec(select(AuditEvent)).all()) == events

    # At the chart's version, the same signature is refused naming the reason.
    current = post_sign(injector, session_id, version=3)
    assert current.status_code == 400
    assert any(f.startswith("reasons.smile_muscle") for f in current.json["fields"])
