"""Alembic environment: runs against the engine planner hands it."""

from alembic import context
from sqlalchemy import Engine
from sqlmodel import SQLModel

import planner.models  # noqa: F401  # registers every table on SQLModel.metadata

config = context.config
engine: Engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite alters a table by copying it and dropping the old one, which other
        # tables' rows still reference: with foreign keys on, the drop fails (or,
        # deferred, fails the commit). Off for the migration (the pragma is read
        # outside a transaction only), then every reference is checked below.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # ends SQLAlchemy's autobegun transaction
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
