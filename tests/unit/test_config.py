import pytest

from planner.config import from_environment
from planner.config import instance_secret_key


def test_reads_only_planner_keys_with_types():
    env = {
        "PLANNER_DATABASE_URL": "sqlite:////tmp/x.db",
        "PLANNER_SESSION_COOKIE_SECURE": "true",
        "PLANNER_IDLE_TIMEOUT_MINUTES": "15",
        "DATABASE_URL": "ignored",
    }
    assert from_environment(env) == {
        "DATABASE_URL": "sqlite:////tmp/x.db",
        "SESSION_COOKIE_SECURE": True,
        "IDLE_TIMEOUT_MINUTES": 15,
    }


def test_postgresql_url_uses_psycopg3():
    found = from_environment({"PLANNER_DATABASE_URL": "postgresql://u:p@db/planner"})
    assert found["DATABASE_URL"] == "postgresql+psycopg://u:p@db/planner"


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("PLANNER_SESSION_COOKIE_SECURE", "maybe", "true or false"),
        ("PLANNER_IDLE_TIMEOUT_MINUTES", "ten", "whole number"),
    ],
)
def test_bad_values_name_the_key(key, raw, message):
    with pytest.raises(ValueError, match=key) as info:
        from_environment({key: raw})
    assert message in str(info.value)


def test_secret_key_is_generated_once_and_private(tmp_path):
    first = instance_secret_key(tmp_path)
    assert len(first) == 64
    assert instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
