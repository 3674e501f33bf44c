"""Review settings that are each in range but impossible together (review RS2).

Review day 7 with ± 7 days would open the review window on the day of treatment.
The settings page refuses the pair, naming the other setting; a pair stored some
other way gives a clear error on the chart and at signing, never a server error.
"""

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import Session

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import ClinicSetting
from planner.models import Role
from planner.services import sessions as session_service
from planner.services import settings as service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from tests import factories as f

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)
PRODUCTS = [("botox", 100, 4), ("dysport", 300, 10)]


def _save(session: Session, actor: Actor, key: str, value: Any) -> None:
    setting = service.get_setting(session, key)
    service.update_setting(session, actor, key, value, version=setting.version)


def _store(session: Session, **values: int) -> None:
    """Write settings straight into the table, as an old version might have."""
    for key, value in values.items():
        setting = session.get(ClinicSetting, key)
        assert setting is not None
        setting.value = value
        session.add(setting)
    session.commit()


@pytest.mark.parametrize(
    ("first", "second", "names"),
    [
        (("review_day", 7), ("review_tolerance_days", 7), "Review visit, days"),
        (("review_tolerance_days", 7), ("review_day", 7), "Review window, ± days"),
    ],
)
def test_settings_refuse_a_review_pair_that_empties_the_window(
    session: Session, make_user: Any, first: Any, second: Any, names: str
) -> None:
    admin = make_user(Role.ADMIN)
    actor = Actor(admin.id, admin.email)
    _save(session, actor, *first)
    with pytest.raises(InvalidInput) as caught:
        _save(session, actor, *second)
    message = caught.value.fields["value"]
    assert names in message
    assert f"{first[1]}" in message
    assert "at least 1 day after treatment" in message
    assert service.get_setting(session, second[0]).value != second[1]


def test_settings_accept_the_tightest_pair_that_fits(
    session: Session, make_user: Any
) -> None:
    admin = make_user(Role.ADMIN)
    actor = Actor(admin.id, admin.email)
    _save(session, actor, "review_day", 8)
    _save(session, actor, "review_tolerance_days", 7)
    assert service.get_setting(session, "review_tolerance_days").value == 7


@pytest.mark.audit_exempt(
    "a bad pair stored behind the settings page's back", tables=["clinic_setting"]
)
@pytest.mark.parametrize(("product", "vial", "units"), PRODUCTS)
def test_a_stored_bad_pair_is_a_clear_error_on_chart_and_sign(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    vial: int,
    units: float,
) -> None:
    injector = make_user(Role.INJECTOR)
    actor = Actor(injector.id, injector.email)
    patient = make_patient()
    treatment = f.make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", units)],
        when=WHEN,
        product=product,
        vial_units=vial,
    )
    _store(session, review_day=7, review_tolerance_days=7)
    with pytest.raises(Conflict) as on_chart:
        chart_state(session, treatment.id, face_map=f.FACE_MAP, zone=f.ZONE, now=WHEN)
    assert "follow-up settings do not fit together" in on_chart.value.message
    assert "Settings page" in on_chart.value.message
    assert set(on_chart.value.fields) >= {"review_day", "review_tolerance_days"}
    session.rollback()
    f.ensure_consent(session, actor, treatment.id, when=WHEN)
    with pytest.raises(Conflict):
        session_service.sign_session(
            session,
            actor,
            treatment.id,
            {"version": treatment.version, "consent_obtained": True, "reasons": {}},
            zone=f.ZONE,
            now=WHEN,
            diary_key=f.DIARY_KEY,
        )


@pytest.mark.audit_exempt(
    "a bad pair stored behind the settings page's back", tables=["clinic_setting"]
)
def test_settings_page_names_the_field_and_chart_page_is_not_a_500(
    app: Any, session: Session, login_as: Any, make_user: Any, make_patient: Any
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = login_as(Role.ADMIN)
    version = service.get_setting(session, "review_day").version
    saved = admin.post_form("/settings/review_day", {"value": 7, "version": version})
    assert saved.status_code == 302
    session.expire_all()
    version = service.get_setting(session, "review_tolerance_days").version
    refused = admin.post_form(
        "/settings/review_tolerance_days", {"value": 7, "version": version}
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "must be less than the review day" in page
    assert "Review visit, days after treatment: 7" in page

    injector = make_user(Role.INJECTOR)
    patient = make_patient()
    treatment = f.make_treatment(
        session,
        Actor(injector.id, injector.email),
        patient.id,
        [("mentalis", "left", 4)],
        when=WHEN,
    )
    _store(session, review_day=7, review_tolerance_days=7)
    chart = login_as(Role.INJECTOR).get(f"/sessions/{treatment.id}")
    assert chart.status_code == 409
    assert "follow-up settings do not fit together" in chart.get_data(as_text=True)
