"""Task hQ: a sign refusal names each refused reason and override in words.

The chart page shows a refused field beside its box; a warning raised since the
page last drew the chart has no box there, so the refusal itself names it, in
the server's words (``warning_reasons.reason_label``), under ``labels``, by the
same field as ``fields``. No client keeps a copy of the wording. Botox and
Dysport, each charted in its own units.
"""

import pytest

from planner.models import Role
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
    # Every refused reason and override is named, each in words, never a key;
    # another field keeps its name only.
    answers = [f for f in fields if f.startswith(("reasons.", "overrides."))]
    assert set(labels) == set(answers)
    for label in labels.values():
        assert ":" not in label, label
        assert "_" not in label, label


def test_a_refusal_for_another_field_carries_no_labels(login_as, make_patient):
    patient = make_patient(affected_side="right")
    injector = login_as(Role.INJECTOR)
    consent_by_browser(injector, patient.id)
    opened = injector.post_form(f"/patients/{patient.id}/sessions", VIAL_FORM)
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    post_tap(injector, session_id, "mentalis", "right", version=1)

    refused = post_sign(injector, session_id, version=2, consent_obtained=False)

    assert refused.status_code == 400
    assert "consent_obtained" in refused.get_json()["fields"]
    assert "labels" not in refused.get_json()
