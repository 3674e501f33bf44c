"""The worklist lists a cancelled follow-up under "Cancelled, to rebook", with
a Rebook link that books it again."""

from datetime import timedelta

from planner.db_types import utc_now
from planner.models import Role
from tests.services.follow_up_steps import BY_PRODUCT
from tests.services.follow_up_steps import follow_up
from tests.services.follow_up_steps import mark
from tests.services.follow_up_steps import treat


def treated_and_cancelled(session, injector, patient, product, days):
    """Sign a treatment ``days`` ago and cancel its proposed re-treatment."""
    treat(session, injector, patient.id, product, utc_now() - timedelta(days=days))
    retreat = follow_up(session, patient.id, "treatment")
    return mark(session, injector, retreat, "cancelled", reason="Moving away")


def section(page: str, title: str) -> str:
    start = page.index(f">{title} <")
    end = page.find('<section class="card worklist-section"', start)
    return page[start : end if end != -1 else len(page)]


@BY_PRODUCT
def test_a_cancelled_re_treatment_is_listed_and_rebooked_from_the_worklist(
    login_as, session, make_patient, injector, product
):
    patient = make_patient(given_name="Ada", family_name="Okafor")
    retreat = treated_and_cancelled(session, injector, patient, product, 70)
    staff = login_as(Role.INJECTOR)
    page = staff.get("/schedule/").get_data(as_text=True)
    listed = section(page, "Cancelled, to rebook")
    assert "Okafor, Ada" in listed
    assert "Cancelled: Moving away" in listed
    assert f"/appointments/{retreat.id}/book" in listed
    assert "Rebook" in listed
    when = (utc_now() + timedelta(days=21)).strftime("%Y-%m-%dT10:00")
    done = staff.post_form(
        f"/appointments/{retreat.id}/book",
        {
            "version": retreat.version,
            "clinician_id": injector.user_id,
            "starts_at": when,
            "override_reason": "Patient's request",
        },
    )
    assert done.status_code == 302
    page = staff.get("/schedule/").get_data(as_text=True)
    assert "Okafor, Ada" not in section(page, "Cancelled, to rebook")


def coming_up(page: str) -> str:
    start = page.index('id="upcoming-title"')
    return page[start : page.index("</section>", start)]


@BY_PRODUCT
def test_the_patient_page_agrees_with_the_worklist_on_overdue_follow_up(
    login_as, session, make_patient, injector, product
):
    patient = make_patient(given_name="Ada", family_name="Okafor")
    treat(session, injector, patient.id, product, utc_now() - timedelta(days=130))
    review = follow_up(session, patient.id, "review")
    retreat = follow_up(session, patient.id, "treatment")
    staff = login_as(Role.INJECTOR)
    overdue = section(staff.get("/schedule/").get_data(as_text=True), "Overdue")
    for appointment in (review, retreat):
        assert f"/appointments/{appointment.id}/book" in overdue
    page = coming_up(staff.get(f"/patients/{patient.id}").get_data(as_text=True))
    assert "Nothing is booked or due" not in page
    assert page.count("<strong>overdue</strong>") == 2
    for appointment in (review, retreat):
        assert f"/appointments/{appointment.id}/book" in page
    assert ">Book<" in page


@BY_PRODUCT
def test_the_patient_page_lists_a_cancelled_follow_up_to_rebook(
    login_as, session, make_patient, injector, product
):
    patient = make_patient()
    retreat = treated_and_cancelled(session, injector, patient, product, 70)
    staff = login_as(Role.INJECTOR)
    page = coming_up(staff.get(f"/patients/{patient.id}").get_data(as_text=True))
    assert "<strong>cancelled, not rebooked</strong>" in page
    assert f"/appointments/{retreat.id}/book" in page
    assert ">Rebook<" in page
