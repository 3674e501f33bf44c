"""Alembic environment: runs against the engine planner hands it."""

from alembic import context
from sqlalchemy import Engine
from sqlmodel import SQLModel

import planner.models  # noqa: F401  # registers every table on SQLModel.metadata

config = context.config
engine: Engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
