"""A photo survives `flask backup` and a restore byte for byte (SQLite).

Photos live in the database, so the backup the README describes is the whole
record: restoring it (copying the file back, as the README's restore says) and
opening the app on it serves the very bytes that were stored.
"""

import shutil
from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import Session
from sqlmodel import select

from planner.db import get_engine
from planner.models.photos import SIZES
from planner.models.photos import PhotoImage
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.photos import add_photo
from planner.services.photos import read_image
from planner.services.photos import record_consent
from planner.services.users import create_user
from tests.conftest import PASSWORD
from tests.conftest import Browser
from tests.factories import ZONE
from tests.factories import make_app
from tests.factories import make_patient
from tests.factories import make_treatment
from tests.photo_images import face_jpeg

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)
EMAIL = "backup.injector@example.org"


def file_app(path):
    return make_app(f"sqlite:///{path}", instance_path=path.parent / "instance")


@pytest.fixture
def live(tmp_path):
    app = file_app(tmp_path / "live.db")
    yield app
    get_engine(app).dispose()


def test_backup_and_restore_round_trip_a_photo_byte_for_byte(live, tmp_path):
    runner = live.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with Session(get_engine(live), expire_on_commit=False) as session:
        user = create_user(
            session, SYSTEM, email=EMAIL, name="B", role="injector", password=PASSWORD
        )
        actor = Actor(user.id, user.email)
        patient = make_patient(session, actor, "MRN-BACKUP")
        cycle = make_treatment(session, actor, patient.id, when=WHEN)
        record_consent(session, actor, patient.id, {"consent": "clinical"}, now=WHEN)
        photo = add_photo(
            session,
            actor,
            cycle.id,
            view_code="rest",
            timepoint="pre_treatment",
            data=face_jpeg(),
            now=WHEN,
            zone=ZONE,
        )
        stored = {
            size: read_image(session, actor, photo.id, size).data for size in SIZES
        }
    backup = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", "--to", str(backup)])
    assert result.exit_code == 0, result.output

    # Restore as the README says: the backup copied into place of a database.
    restored_path = tmp_path / "restored" / "planner.db"
    restored_path.parent.mkdir()
    shutil.copyfile(backup, restored_path)
    restored = file_app(restored_path)
    try:
        with Session(get_engine(restored)) as session:
            rows = session.exec(
                select(PhotoImage).where(PhotoImage.photo_id == photo.id)
            ).all()
            assert {row.size: row.data for row in rows} == stored
        browser = Browser(restored.test_client())
        assert browser.login(EMAIL).status_code == 302
        for size in SIZES:
            served = browser.get(f"/photos/{photo.id}/{size}.jpg")
            assert served.status_code == 200
            assert served.data == stored[size]
    finally:
        get_engine(restored).dispose()
