"""The amendment form names a warning's reason box in words.

A correction that raises a new warning asks for its reason in a box named
``reasons.<warning key>``. The error summary, the box's label and its error
read the site, the muscle's display name and the side, never the key; the
JSON API keeps the key as the field and words as its message. Botox and
Dysport, each in its own units.
"""

import html
import re

import pytest
from sqlmodel import select

from planner.models import InjectionSite
from planner.models import Role
from planner.services.warning_reasons import reason_label
from tests.services.test_amend_keeps_signed_limits import AFTER
from tests.services.test_amend_keeps_signed_limits import BEFORE
from tests.services.test_amend_keeps_signed_limits import RAISED
from tests.services.test_amend_keeps_signed_limits import limit_setter
from tests.services.test_amend_keeps_signed_limits import sign
from tests.services.test_safety_paths import Chair

# Each product's own units: no figure is another product's.
UNIT = {"botox": "U", "dysport": "U (Speywood)"}
# Site 1 corrected to a dose above its limit at signing, within today's.
CORRECTED = {"botox": "3.5", "dysport": "6"}
KEY = "reasons.dose_above_point_limit:mentalis:left:1"
LABEL = "Reason for site 1, Mentalis (left):"
CASES = [case[:4] for case in RAISED if case[4] == "dose_above_point_limit"]


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


@pytest.fixture
def set_limit(session, make_user):
    return limit_setter(session, make_user)


def amender(session, chair, set_limit, make_patient):
    """Return a function signing a chart whose site 1 a correction takes above
    its limit at signing; it returns the record and site 1's id."""

    def given(product, figure, signed_with, moved_to):
        set_limit(product, figure, signed_with, BEFORE)
        signed, _ = sign(chair, make_patient, product)
        set_limit(product, figure, moved_to, AFTER)
        site_1 = session.exec(
            select(InjectionSite.id).where(
                InjectionSite.session_id == signed.id, InjectionSite.number == 1
            )
        ).one()
        return signed, site_1

    return given


@pytest.fixture
def amended(session, chair, set_limit, make_patient):
    return amender(session, chair, set_limit, make_patient)


def summary(page):
    """Return the error summary's link texts, in words as a reader sees them."""
    box = page[: page.index("<form", page.index('id="amend"'))]
    return [
        html.unescape(re.sub(r"\s+", " ", text)).strip()
        for text in re.findall(r'<li><a href="#[^"]*">(.*?)</a></li>', box, re.S)
    ]


@pytest.mark.parametrize(("product", "figure", "signed_with", "moved_to"), CASES)
def test_a_new_warnings_reason_box_reads_its_site_muscle_and_side(
    amended, login_as, product, figure, signed_with, moved_to
):
    signed, site_1 = amended(product, figure, signed_with, moved_to)
    injector = login_as(Role.INJECTOR)

    response = injector.post_form(
        f"/sessions/{signed.id}/amendments",
        {
            "version": str(signed.version),
            "reason": "Site 1's dose transcribed wrongly",
            f"units_{site_1}": CORRECTED[product],
        },
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    (link,) = summary(page)
    unit = UNIT[product]
    assert link.startswith(
        f"{LABEL} needs a reason: Site 1, mentalis (left): "
        f"{CORRECTED[product]} {unit} is above"
    )
    assert "dose_above_point_limit" not in link
    # The box keeps its key as its name, and reads the words as its label and error.
    assert f'<label for="{KEY}">{LABEL} <span class="required">' in page
    error = re.search(rf'<p class="error" id="{re.escape(KEY)}-error">(.*?)</p>', page)
    assert error is not None
    assert html.unescape(error.group(1)).startswith(
        f'<span class="visually-hidden">Error: </span>{LABEL} needs a reason: '
    )
    # Only names, anchors and the chart's data carry the key: no text read does.
    seen = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    seen = re.sub(r'(name|id|for|href|aria-describedby|data-[a-z-]+)="[^"]*"', "", seen)
    assert "dose_above_point_limit:" not in seen


@pytest.mark.parametrize(("product", "figure", "signed_with", "moved_to"), CASES)
def test_a_typed_reason_keeps_its_words_when_another_field_is_refused(
    amended, login_as, product, figure, signed_with, moved_to
):
    signed, site_1 = amended(product, figure, signed_with, moved_to)
    injector = login_as(Role.INJECTOR)

    response = injector.post_form(
        f"/sessions/{signed.id}/amendments",
        {
            "version": str(signed.version),
            "reason": "",
            f"units_{site_1}": CORRECTED[product],
            KEY: "Checked with the patient's notes",
        },
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert summary(page) == ["Reason for the amendment is required"]
    assert f'<label for="{KEY}">{LABEL} <span class="required">' in page
    assert "Checked with the patient&#39;s notes</textarea>" in page


@pytest.mark.parametrize(("product", "figure", "signed_with", "moved_to"), CASES)
def test_the_api_names_the_box_by_its_key_and_says_why_in_words(
    amended, login_as, product, figure, signed_with, moved_to
):
    signed, site_1 = amended(product, figure, signed_with, moved_to)
    injector = login_as(Role.INJECTOR)

    response = injector.api(
        "POST",
        f"/api/v1/sessions/{signed.id}/amendments",
        json={
            "version": signed.version,
            "reason": "Site 1's dose transcribed wrongly",
            "corrections": [{"site_id": site_1, "units": float(CORRECTED[product])}],
        },
    )

    assert response.status_code == 400
    message = response.json["fields"][KEY]
    assert message.startswith("needs a reason: Site 1, mentalis (left): ")
    assert UNIT[product] in message
    assert "dose_above_point_limit" not in message
    # Named in words too, as a sign refusal's are.
    assert response.json["labels"] == {KEY: LABEL.removesuffix(":")}


# (what the amendment sends beyond a valid one, each field refused and its words)
REFUSED = [
    ({"reason": "ab"}, {"reason": "Reason for the amendment"}),
    ({"note": "n" * 2001}, {"note": "What is corrected"}),
    ({"version": 0}, {"version": "The chart's version"}),
    (
        {"corrections": [{"site_id": 1, "units": 0}]},
        {"corrections.0.units": "Correction 1"},
    ),
    (
        {"corrections": [{"site_id": 99_999, "units": 1}]},
        {"corrections": "The corrections"},
    ),
    # A field no amendment has keeps its own name: the client sent it.
    ({"site": 1}, {}),
]


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize(("body", "labels"), REFUSED)
def test_every_field_an_amendment_is_refused_for_is_named_in_words(
    chair, make_patient, login_as, product, body, labels
):
    signed, _ = sign(chair, make_patient, product)
    injector = login_as(Role.INJECTOR)

    response = injector.api(
        "POST",
        f"/api/v1/sessions/{signed.id}/amendments",
        json={"version": signed.version, "reason": "Transcribed wrongly", **body},
    )

    assert response.status_code == 400, response.get_data(as_text=True)
    refused = response.json
    assert set(refused["fields"]) == (set(labels) or set(body))
    assert refused.get("labels", {}) == labels


@pytest.mark.parametrize(
    ("key", "label"),
    [
        (KEY, LABEL),
        ("reasons.dose_above_point_limit:mentalis:left:1:vial-7", LABEL),
        ("reasons.site_in_zone:depressor_anguli_oris:right:3", None),
        ("reasons.muscle_above_limit:mentalis:left", "Reason for Mentalis (left):"),
        ("reasons.side_above_ceiling::right", "Reason for the right side:"),
        ("reasons.site_on_treated_muscle:::2", "Reason for site 2:"),
        ("reasons.vial_overdrawn:::vial-7", "Reason for a warning on a vial:"),
        ("reasons.interval_short", "Reason for a warning on the whole chart:"),
    ],
)
def test_every_reason_box_is_labelled_in_words(key, label):
    names = {"mentalis": "Mentalis"}
    # A muscle the names leave out reads as its code in words, never the code.
    expected = label or "Reason for site 3, depressor anguli oris (right):"
    assert reason_label(key, names) == expected
