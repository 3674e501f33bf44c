"""The demo clinic's research consents: most patients agreed, some were not asked.

Research use is opt-in, so a demo clinic with no research consents would show
an empty research export. The seeder records a research consent for most
treated patients, at their latest treatment, and leaves the rest unasked: the
export then holds exactly the patients the consent rule lets in.
"""

import csv
import io
from datetime import UTC
from datetime import datetime

from sqlmodel import select

from planner.db import get_engine
from planner.models import ConsentRecord
from planner.models import TreatmentSession
from planner.services.research_context import research_consenting
from tests.factories import ZONE
from tests.factories import make_demo_patient
from tests.factories import research_csv

# make_demo_patient seeds the clinic as of 1 November 2026.
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_most_demo_patients_agreed_to_research_and_only_they_are_exported(
    app, session, injector
):
    make_demo_patient(get_engine(app), session, patients=12, cycles=2, seed=4)
    treated = set(session.exec(select(TreatmentSession.patient_id)).all())
    research = session.exec(
        select(ConsentRecord).where(ConsentRecord.kind == "research")
    ).all()
    agreed = {record.patient_id for record in research}
    assert len(research) == len(agreed)  # one each
    assert agreed < treated  # most, not all
    assert len(agreed) >= len(treated) // 2
    for record in research:
        latest = max(
            session.exec(
                select(TreatmentSession.performed_at).where(
                    TreatmentSession.patient_id == record.patient_id,
                    TreatmentSession.kind == "full",
                )
            ).all()
        )
        assert record.signed_at < latest
        assert (record.method, record.withdrawn_at) == ("recorded", None)

    consenting = research_consenting(session, now=NOW, zone=ZONE)
    assert consenting
    assert consenting <= agreed
    sessions = csv.DictReader(
        io.StringIO(research_csv(session, injector, "sessions", now=NOW), newline="")
    )
    exported = {row["patient_ref"] for row in sessions}
    assert len(exported) == len(consenting)
