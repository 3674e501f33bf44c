"""Seeding and reading back the live server's database from an e2e test."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session
from sqlmodel import select

from planner.db import build_engine
from planner.models import User
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.users import create_user
from tests.e2e.conftest import LiveServer


@contextmanager
def live_session(
    server: LiveServer, *, expire_on_commit: bool = True
) -> Iterator[Session]:
    """A session on the live server's database; its engine is disposed of after."""
    engine = build_engine(server.database_url)
    try:
        with Session(engine, expire_on_commit=expire_on_commit) as session:
            yield session
    finally:
        engine.dispose()


def injector(session: Session, server: LiveServer) -> Actor:
    """The live server's injector, as the actor who seeds a test's records."""
    user = session.exec(select(User).where(User.email == server.user.email)).one()
    return Actor(user.id, user.email)


def add_login(
    server: LiveServer, *, email: str, name: str, role: str, password: str
) -> None:
    """Add a login to the live server's database, created by the system."""
    with live_session(server) as session:
        create_user(
            session, SYSTEM, email=email, name=name, role=role, password=password
        )
