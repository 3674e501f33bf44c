"""The glabellar complex's total per session: a label maximum only for Daxxify.

Botox, Dysport, Xeomin, Jeuveau and Letybo give a glabellar *dose* (clinical
reference §2.2), not a maximum; only Daxxify's 40 U is one [S27]. Used as a limit
per session, the others' dose is a clinic setting: the warning, its source, the
printed record and the dose limits page say so, and an admin can change it.
"""

import re
import subprocess
from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.dosing import check_dose_limits
from planner.dosing import shipped_doses
from planner.dosing.records import PlannedSite
from planner.errors import InvalidInput
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart_prefill
from planner.services import dose_rules
from planner.services import limit_settings
from planner.services.audit import Actor
from tests.factories import ZONE
from tests.services.test_limit_settings import save
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair

# Per site, the label's glabellar total, its tag and its unit.
LABELS = {
    "botox": (4, 20, "[S22] Botox Cosmetic label", "U"),
    "dysport": (10, 50, "[S23] Dysport label", "U (Speywood)"),
    "xeomin": (4, 20, "[S25] Xeomin label", "U"),
    "jeuveau": (4, 20, "[S26] Jeuveau label", "U"),
    "letybo": (4, 20, "[S28] Letybo label", "U"),
    "daxxify": (8, 40, "[S27] Daxxify label", "U"),
}
GLABELLAR = [
    ("corrugator", "left"),
    ("corrugator", "left"),
    ("corrugator", "right"),
    ("corrugator", "right"),
    ("procerus", "midline"),
]


def expected(code, over):
    """The group warning's message and source for ``over`` units of ``code``."""
    _, total, tag, unit = LABELS[code]
    head = f"Glabellar complex (corrugators and procerus): {over:g} {unit} is above "
    if code == "daxxify":
        return (
            f"{head}{total:g} {unit} per session.",
            f"{tag}: glabellar 40 U = 5 × 8 U: the label's maximum per glabellar "
            "session",
        )
    return (
        f"{head}{total:g} {unit} per session (clinic setting).",
        f"Clinic setting: from the label's glabellar dose of {total:g} {unit}, not a "
        f"maximum ({tag}: glabellar {total:g} U = 5 × {LABELS[code][0]:g} U)",
    )


@pytest.mark.parametrize("code", list(LABELS))
def test_only_daxxify_glabellar_total_is_a_sourced_maximum(code):
    per_site, total, _, _ = LABELS[code]
    doses = shipped_doses(code)
    (group,) = doses.groups
    assert group.limit.high == total
    assert group.limit.clinic_setting == (code != "daxxify")
    sites = [
        PlannedSite(n, muscle, side, "midline" if side == "midline" else "affected", u)
        for n, ((muscle, side), u) in enumerate(
            zip(GLABELLAR, [per_site] * 4 + [per_site + 1], strict=True), start=1
        )
    ]
    (warning,) = [
        w for w in check_dose_limits(doses, sites) if w.code == "group_above_limit"
    ]
    assert (warning.message, warning.source) == expected(code, total + 1)


def pdf_text(pdf, tmp_path):
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    found = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    )
    return " ".join(found.stdout.split())


@pytest.mark.parametrize("code", ["botox", "dysport", "daxxify"])
def test_the_chair_and_the_printed_record_name_the_limit(
    session, injector, make_patient, login_as, tmp_path, code
):
    per_site, total, _, _ = LABELS[code]
    chair = Chair(session, injector)
    record, version = chair.open(make_patient(affected_side="left"), DAY0, product=code)
    first = None
    for muscle, side in GLABELLAR:
        version, site = chair.tap(record, version, muscle, side, per_site)
        first = first or site
    assert "group_above_limit" not in [w["code"] for w in chair.warnings(record, DAY0)]
    version, _ = chair.change(
        record, first.id, {"version": version, "units": per_site + 1}, DAY0
    )
    warnings = {w["code"]: w for w in chair.warnings(record, DAY0)}
    message, source = expected(code, total + 1)
    group = warnings["group_above_limit"]
    assert (group["message"], group["source"]) == (message, source)
    assert group["needs_reason"]

    chair.sign_with_reasons(record, version, DAY0)
    pdf = login_as(Role.STAFF).get(f"/sessions/{record.id}/record.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data, tmp_path)
    assert f"{message} [{source}]" in text.replace("- ", "-")


@pytest.mark.parametrize("code", ["botox", "dysport"])
def test_an_admin_sets_the_glabellar_limit_and_the_chair_checks_it(
    session, make_user, code
):
    user = make_user(Role.ADMIN)
    admin = Actor(user.id, user.email)
    per_site, total, _, unit = LABELS[code]
    shown = limit_settings.product_limits(session, code)
    (figure,) = shown.groups
    assert (figure.name, figure.value, figure.clinic_setting) == (
        "group.glabellar",
        total,
        True,
    )
    assert figure.source.startswith("Clinic setting: from the label's glabellar dose")
    assert save(session, admin, code) == 0  # the page saved as shown moves nothing
    stricter = total - 2 * per_site
    assert save(session, admin, code, **{"group.glabellar": f"{stricter:g}"}) == 1
    (group,) = dose_rules.product_doses(session, code).groups
    assert group.limit.high == stricter
    assert group.limit.label.startswith("Clinic setting (edited 5 Dec 2026")
    (figure,) = limit_settings.product_limits(session, code).groups
    assert figure.replaces == f"{total:g}: {shipped_doses(code).groups[0].limit.label}"
    sites = [
        PlannedSite(n, "corrugator", side, "affected", per_site)
        for n, side in enumerate(["left", "left", "right", "right"], start=1)
    ]
    (warning,) = check_dose_limits(dose_rules.product_doses(session, code), sites)
    assert warning.code == "group_above_limit"
    assert f"is above {stricter:g} {unit} per session (clinic setting)." in (
        warning.message
    )
    # Cleared: the shipped figure, from the label's dose, stands again.
    assert save(session, admin, code, **{"group.glabellar": ""}) == 1
    (group,) = dose_rules.product_doses(session, code).groups
    assert group.limit == shipped_doses(code).groups[0].limit


def test_the_limits_page_marks_the_glabellar_limit(login_as):
    admin = login_as(Role.ADMIN)
    for code, badge in (
        ("botox", "Clinic setting — not a sourced fact"),
        ("dysport", "Clinic setting — not a sourced fact"),
        ("daxxify", "Sourced"),
    ):
        page = admin.get(f"/settings/limits/{code}").get_data(as_text=True)
        section = page[page.index('aria-labelledby="groups-title"') :]
        section = section[: section.index("</section>")]
        assert "Glabellar complex (corrugators and procerus), one session" in section
        assert re.search(r'name="group.glabellar"[^>]*value="(20|50|40)"', section)
        assert badge in section
    refused = admin.post_form(
        "/settings/limits/botox",
        {**_form(admin.get("/settings/limits/botox")), "group.glabellar": "0"},
    )
    assert refused.status_code == 400
    assert (
        "Glabellar complex (corrugators and procerus), one session: must be more than 0"
    ) in refused.get_data(as_text=True)


def _form(response):
    page = response.get_data(as_text=True)
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', page))
    fields.pop("csrf_token", None)
    return fields


@pytest.mark.parametrize("code", ["botox", "dysport"])
def test_copy_top_up_and_amendment_meet_the_same_glabellar_limit(
    session, injector, make_patient, code
):
    per_site, total, _, _ = LABELS[code]
    chair = Chair(session, injector)
    patient = make_patient(affected_side="left")
    at_limit = [(muscle, side, per_site) for muscle, side in GLABELLAR]
    signed = chair.given(patient, DAY0, at_limit, product=code)
    message, source = expected(code, total + per_site)

    # A top-up in the review window counts the cycle's glabellar total.
    review = DAY0 + timedelta(days=14)
    top_up, version = chair.open(patient, review, product=code, kind="top_up")
    version, _ = chair.tap(top_up, version, "procerus", "midline", per_site, review)
    over = {w["code"]: w for w in chair.warnings(top_up, review)}
    unit = LABELS[code][3]
    assert over["group_above_limit"]["message"] == (
        f"Glabellar complex (corrugators and procerus): {total + per_site:g} {unit}, "
        f"counting {total:g} {unit} given earlier this cycle is above {total:g} "
        f"{unit} per session (clinic setting)."
    )
    assert over["group_above_limit"]["source"] == source

    # An amendment raising one glabellar site is refused until it gives a reason.
    first = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == signed.id)
        .order_by(col(InjectionSite.number))
    ).first()
    correction = {
        "version": signed.version,
        "reason": "Typed wrong",
        "corrections": [{"site_id": first.id, "units": 2 * per_site}],
    }
    with pytest.raises(InvalidInput) as refused:
        amendment_service.amend_session(
            session, injector, signed.id, correction, zone=LONDON, now=review
        )
    assert any("group_above_limit" in name for name in refused.value.fields)

    # Copying a cycle over the limit brings the warning onto the new chart.
    later = DAY0 + timedelta(days=100)
    heavy = chair.given(
        make_patient(affected_side="left"),
        DAY0,
        [*at_limit, ("procerus", "midline", per_site)],
        product=code,
    )
    copy, version = chair.open(
        session.get(Patient, heavy.patient_id), later, product=code
    )
    chart_prefill.copy_last_cycle(
        session, injector, copy.id, {"version": version}, now=later, zone=ZONE
    )
    copied = {w["code"]: w for w in chair.warnings(copy, later)}
    assert (
        copied["group_above_limit"]["message"],
        copied["group_above_limit"]["source"],
    ) == (
        message,
        source,
    )
