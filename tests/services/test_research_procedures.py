"""Issue 22: the research export's procedures file: codes and dates, no names."""

import csv
import io
from datetime import date

from planner.models import Role
from planner.services import therapy
from planner.services.audit import Actor
from tests.factories import consent_to_research
from tests.factories import research_csv

TODAY = date(2026, 11, 20)


def test_each_procedure_is_a_row_and_pages_change_nothing(
    session, injector, make_patient, make_user
):
    for number in range(5):
        patient = make_patient(affected_side="left")
        therapy.add_procedure(
            session,
            injector,
            patient.id,
            {
                "kind": "dao_excision" if number % 2 else "brow_lift",
                "side": "left",
                "performed_on": f"2026-0{number + 1}-10",
                "surgeon": "Ms Secret Surgeon",
                "note": "Private note",
                "muscles": [] if number % 2 else ["frontalis"],
            },
            today=TODAY,
        )
    admin = make_user(Role.ADMIN)
    consent_to_research(session, injector)
    texts = [
        research_csv(
            session, Actor(admin.id, admin.email), "procedures", page_size=size
        )
        for size in (2, 10_000)
    ]
    assert texts[0] == texts[1]
    rows = list(csv.DictReader(io.StringIO(texts[0])))
    assert len(rows) == 5
    assert (rows[1]["kind"], rows[1]["muscles"], rows[1]["muscles_removed"]) == (
        "dao_excision",
        "depressor_anguli_oris",
        "true",
    )
    assert (rows[0]["muscles"], rows[0]["muscles_removed"]) == ("frontalis", "false")
    assert rows[0]["patient_ref"].startswith("P-")
    assert "Secret" not in texts[0]
    assert "Private" not in texts[0]
