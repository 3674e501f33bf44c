"""The append-only audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Index
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.models.enums import AuditAction


class AuditEvent(SQLModel, table=True):
    """Who did what to which record, with the values before and after.

    The database itself refuses UPDATE and DELETE on this table, and an INSERT
    that would replace an event or not extend the chain (see
    ``planner.models.guards``), so not even a bug in the app can rewrite it. Each
    event carries the hash of the one before it and its own (``planner.audit_chain``),
    so a change made around the guards shows when the chain is verified.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_entity", "entity_type", "entity_id"),
        Index("ix_audit_patient_at", "patient_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    # Actor id and email are both kept: the email survives a user's removal.
    actor_id: int | None = Field(default=None, index=True)
    actor_email: str | None = Field(default=None, max_length=254)
    action: AuditAction = Field(sa_type=enum_type(AuditAction))
    entity_type: str = Field(max_length=40)
    entity_id: int | None = None
    patient_id: int | None = None
    # none_as_null: an empty side is SQL NULL, not the JSON text 'null'.
    before: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    after: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    remote_addr: str | None = Field(default=None, max_length=64)
    # Filled in as the event is written (planner.services.audit); an event
    # without them does not extend the chain and the database refuses it.
    prev_hash: str = Field(default="", max_length=64)
    event_hash: str = Field(default="", max_length=64)
