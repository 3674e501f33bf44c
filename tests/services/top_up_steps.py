"""Steps the top-up timing tests share: a cycle, a top-up, the tablet, an amendment.

Each product is charted in its own units (a chin site of its usual size); no
dose is carried from one product to another.
"""

from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest

from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import Role
from planner.services import amendments as amendment_service
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import consent_by_browser
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap
from tests.factories import make_treatment
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON

# A chin site of the product's own usual size.
CHIN = {"botox": 2, "dysport": 5}
VIALS = {"botox": 100, "dysport": 300}

# For a test that edits a signed record's warnings as a record signed before a
# rule existed would have them.
AS_SIGNED_BEFORE = pytest.mark.audit_exempt(
    "strips the warning a record signed before the fix lacked",
    tables=["treatment_session"],
)


def given_full(chair: Any, patient: Any, when: datetime, product: str) -> None:
    """Chart and sign a full treatment of one chin site on ``when``."""
    chair.given(patient, when, [("mentalis", "left", CHIN[product])], product=product)


def top_up(chair: Any, patient: Any, when: datetime, product: str) -> Any:
    """Open a top-up on ``when`` and tap one chin site; return it and its version.

    The site is kept as ``chair.site`` for an amendment to correct.
    """
    record, version = chair.open(
        patient, when, product=product, kind="top_up", lot_number="T1"
    )
    version, chair.site = chair.tap(
        record, version, "mentalis", "left", CHIN[product], when
    )
    return record, version


def cycle_and_top_up(
    chair: Any,
    make_patient: Any,
    product: str,
    when: datetime,
    *,
    full_at: datetime = DAY0,
) -> Any:
    """Sign a new patient's full treatment at ``full_at``, then open a top-up on
    ``when`` with one chin site; return it and its version."""
    patient = make_patient(affected_side="left")
    given_full(chair, patient, full_at, product)
    return top_up(chair, patient, when, product)


def codes_of(code: str, warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the warnings of one code."""
    return [w for w in warnings if w["code"] == code]


def amend_signed_before(
    session: Any, chair: Any, record: Any, code: str, when: datetime
) -> dict[str, Any]:
    """Amend a top-up signed before ``code`` existed; return the warning it gets.

    The record is stripped of ``code``'s warning; the amendment (a dose
    correction) must then ask for its reason, and keeps it.
    """
    record.warnings = [w for w in record.warnings if w["code"] != code]
    session.add(record)
    session.commit()
    correction = {
        "version": record.version,
        "reason": "Dose transcribed wrongly",
        "corrections": [{"site_id": chair.site.id, "units": chair.site.units - 1}],
    }
    with pytest.raises(InvalidInput) as refused:
        amendment_service.amend_session(
            session, chair.injector, record.id, correction, zone=LONDON, now=when
        )
    (needed,) = [name for name in refused.value.fields if code in name]
    amendment = amendment_service.amend_session(
        session,
        chair.injector,
        record.id,
        {**correction, "reasons": {needed.removeprefix("reasons."): "As given"}},
        zone=LONDON,
        now=when,
    )
    (kept,) = codes_of(code, amendment.changes["warnings"])
    assert kept["reason"] == "As given"
    return kept


def tablet_top_up(
    session: Any,
    injector: Any,
    login_as: Any,
    patient: Any,
    product: str,
    days: int,
    *,
    kind: str = "top_up",
    top_up_product: str | None = None,
) -> tuple[Any, int, dict[str, Any]]:
    """Give a full treatment ``days`` clinic days ago at noon, then chart a top-up
    (or the ``kind`` given) today through the pages and the chart API, as the
    tablet does: in ``top_up_product`` if given, else the full treatment's.

    Return the logged-in browser, the new chart's id and its chart JSON.
    """
    today = clinic_today(LONDON, utc_now())
    given = datetime.combine(today - timedelta(days=days), time(12, 0), tzinfo=LONDON)
    make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", CHIN[product])],
        when=given,
        sign=True,
        product=product,
        vial_units=VIALS[product],
    )
    browser = login_as(Role.INJECTOR)
    consent_by_browser(browser, patient.id)
    product = top_up_product or product
    opened = browser.post_form(
        f"/patients/{patient.id}/sessions",
        {
            **VIAL_FORM,
            "kind": kind,
            "product": product,
            "lot_number": "T7",
            "vial_units": str(VIALS[product]),
        },
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)[:500]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    tapped = post_tap(
        browser, session_id, "mentalis", "left", version=1, units=CHIN[product]
    )
    assert tapped.status_code == 201
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    return browser, session_id, state


def sign_by_tablet(
    browser: Any, session_id: int, reasons: dict[str, str] | None = None
) -> Any:
    """Sign the top-up charted by ``tablet_top_up`` through the chart API."""
    if reasons is None:
        return post_sign(browser, session_id, version=2)
    return post_sign(browser, session_id, version=2, reasons=reasons)
