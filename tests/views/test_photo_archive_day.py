"""The photo archive is named for the clinic's day, not the UTC day (review rF, RF7)."""

from datetime import UTC
from datetime import datetime

import pytest

from planner.models import Role

# 23:30 UTC on 1 June is 00:30 on 2 June in London (BST).
JUST_AFTER_MIDNIGHT = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
MIDWINTER_EVENING = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "day"),
    [(JUST_AFTER_MIDNIGHT, "2026-06-02"), (MIDWINTER_EVENING, "2026-12-01")],
)
def test_archive_file_name_is_the_clinic_day(
    login_as, make_patient, monkeypatch, moment, day
):
    admin = login_as(Role.ADMIN)
    patient = make_patient()
    monkeypatch.setattr("planner.views.photos.utc_now", lambda: moment)
    archive = admin.get(f"/patients/{patient.id}/photos/archive.zip")
    assert archive.status_code == 200
    assert archive.headers["Content-Disposition"] == (
        f'attachment; filename="photos-{patient.mrn}-{day}.zip"'
    )
