"""Create or upgrade the schema with Alembic."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_database(engine: Engine) -> None:
    """Bring the database up to the newest migration."""
    command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


UPGRADE_COMMAND = "flask --app planner init-db"


@cache
def _known_revisions() -> tuple[str | None, frozenset[str]]:
    """The code's head and every revision it knows: read from disk once a process."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    scripts = ScriptDirectory.from_config(config)
    known = frozenset(script.revision for script in scripts.walk_revisions())
    return scripts.get_current_head(), known


@dataclass(frozen=True)
class SchemaMismatch:
    """The database's migration is not the one this planner's code needs."""

    current: str | None
    head: str | None
    newer: bool

    def __str__(self) -> str:
        if self.current is None:
            return f"the database has no planner schema: run `{UPGRADE_COMMAND}` first"
        if self.newer:
            return (
                f"the database is at migration {self.current}, newer than this "
                f"planner (which knows up to {self.head}): update planner"
            )
        return (
            f"the database is at migration {self.current}, this planner needs "
            f"{self.head}: run `{UPGRADE_COMMAND}`"
        )


def schema_mismatch(engine: Engine) -> SchemaMismatch | None:
    """Compare the database's migration with the code's head; None when they agree.

    One cheap query (the ``alembic_version`` row); the migration files are read
    once a process.
    """
    head, known = _known_revisions()
    current = current_revision(engine)
    if current == head:
        return None
    return SchemaMismatch(
        current, head, newer=current is not None and current not in known
    )
