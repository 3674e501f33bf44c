"""The worklist's "No rebooking needed" control, over HTTP as staff use it.

Staff and injectors (everyone who may cancel) mark a cancelled follow-up with a
reason; it leaves "Cancelled, to rebook" and the patient's timeline shows it
cancelled with that note. A missing or long reason is flashed naming the field;
a caller who is not logged in is refused and nothing changes.
"""

import pytest

from planner.models import Appointment
from planner.models import Role
from planner.services.no_rebooking import REASON_MAX
from tests.services.follow_up_steps import BY_PRODUCT
from tests.views.test_follow_up_to_rebook_pages import section
from tests.views.test_follow_up_to_rebook_pages import treated_and_cancelled

TO_REBOOK = "Cancelled, to rebook"
REASON = "Moved to another clinic."


def reason_of(session, appointment_id):
    session.expire_all()
    return session.get(Appointment, appointment_id).no_rebooking_reason


@BY_PRODUCT
@pytest.mark.parametrize("role", [Role.STAFF, Role.INJECTOR])
def test_staff_and_injectors_take_a_cancellation_off_the_worklist(
    login_as, session, make_patient, injector, product, role
):
    patient = make_patient(given_name="Ada", family_name="Okafor")
    retreat = treated_and_cancelled(session, injector, patient, product, 70)
    browser = login_as(role)
    listed = section(browser.get("/schedule/").get_data(as_text=True), TO_REBOOK)
    action = f"/appointments/{retreat.id}/no-rebooking"
    assert f'action="{action}"' in listed
    assert "No rebooking needed…" in listed
    assert f'maxlength="{REASON_MAX}"' in listed

    done = browser.post_form(
        action,
        {"version": retreat.version, "reason": REASON, "next": "/schedule/"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "Marked: no rebooking needed." in page
    assert "Okafor, Ada" not in section(page, TO_REBOOK)
    assert reason_of(session, retreat.id) == REASON

    patient_page = browser.get(f"/patients/{patient.id}").get_data(as_text=True)
    history = patient_page[patient_page.index('class="cancelled-history"') :]
    assert f"No rebooking needed: {REASON}" in history
    assert "badge-cancelled" in history
    coming_up = patient_page[patient_page.index('id="upcoming-title"') :]
    assert f"/appointments/{retreat.id}/book" not in coming_up.split("</section>")[0]


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("  ", "reason: is required"),
        ("x" * (REASON_MAX + 1), f"reason: String should have at most {REASON_MAX}"),
    ],
)
def test_a_missing_or_long_reason_is_flashed_naming_the_field(
    login_as, session, make_patient, injector, reason, said
):
    retreat = treated_and_cancelled(session, injector, make_patient(), "botox", 70)
    browser = login_as(Role.STAFF)
    done = browser.post_form(
        f"/appointments/{retreat.id}/no-rebooking",
        {"version": retreat.version, "reason": reason},
        follow_redirects=True,
    )
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "Say why no rebooking is needed." in page
    assert said in page
    assert reason_of(session, retreat.id) is None


def test_a_caller_not_logged_in_is_refused(browser, session, make_patient, injector):
    retreat = treated_and_cancelled(session, injector, make_patient(), "dysport", 70)
    browser.refresh_token("/login")  # a valid CSRF token, but no login
    answer = browser.post_form(
        f"/appointments/{retreat.id}/no-rebooking",
        {"version": retreat.version, "reason": REASON},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")
    assert reason_of(session, retreat.id) is None
