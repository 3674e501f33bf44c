"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 05:27:31.043683
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types
from planner.models.guards import POSTGRES_AUDIT_GUARDS
from planner.models.guards import SQLITE_AUDIT_GUARDS

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    """A string enum column type, stored as text (no native database type)."""
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def _utc(name: str, *, nullable: bool = False) -> sa.Column[object]:
    """A timestamp column kept in UTC."""
    return sa.Column(
        name, planner.db_types.UTCDateTime(timezone=True), nullable=nullable
    )


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target])


def _index(table: str, column: str, *, unique: bool = False) -> None:
    """An index on one column, named as the models name it."""
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=unique)


# Dropped in reverse order of creation; a table's indexes go with it.
TABLES = (
    "audit_event",
    "patient",
    "product",
    "user",
    "clinic_setting",
    "protocol_template",
    "viallot",
    "treatment_session",
    "adverse_event",
    "amendment",
    "appointment",
    "assessment",
    "cycle_response",
    "injection_site",
)


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        _utc("at"),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=True),
        sa.Column(
            "action",
            _enum(
                "auditaction",
                "create",
                "update",
                "delete",
                "sign",
                "amend",
                "print",
                "export",
                "login",
                "login_failed",
                "logout",
                "seed",
                "backup",
            ),
            nullable=False,
        ),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entity", "audit_event", ["entity_type", "entity_id"])
    _index("audit_event", "actor_id")
    _index("audit_event", "at")
    op.create_index("ix_audit_patient_at", "audit_event", ["patient_id", "at"])

    op.create_table(
        "patient",
        sa.Column("mrn", sa.String(length=32), nullable=False),
        sa.Column("given_name", sa.String(length=80), nullable=False),
        sa.Column("family_name", sa.String(length=80), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column(
            "sex",
            _enum("sex", "female", "male", "other", "unknown"),
            nullable=False,
        ),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column(
            "cause",
            _enum(
                "palsycause",
                "bells",
                "ramsay_hunt",
                "post_surgical",
                "trauma",
                "congenital",
                "other",
            ),
            nullable=False,
        ),
        sa.Column(
            "affected_side",
            _enum("affectedside", "left", "right", "bilateral"),
            nullable=False,
        ),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("pregnant", sa.Boolean(), nullable=False),
        sa.Column("breastfeeding", sa.Boolean(), nullable=False),
        sa.Column("neuromuscular_disease", sa.Boolean(), nullable=False),
        sa.Column("aminoglycosides", sa.Boolean(), nullable=False),
        sa.Column("toxin_allergy", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(length=4000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("patient", "date_of_birth")
    op.create_index(
        "ix_patient_name_order", "patient", ["family_name", "given_name", "id"]
    )
    _index("patient", "given_name")
    _index("patient", "mrn", unique=True)

    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("brand", sa.String(length=80), nullable=False),
        sa.Column("inn", sa.String(length=80), nullable=False),
        sa.Column("unit_name", sa.String(length=32), nullable=False),
        sa.Column("vial_sizes", sa.JSON(), nullable=False),
        sa.Column("dilutions", sa.JSON(), nullable=False),
        sa.Column("in_use_hours", sa.Integer(), nullable=False),
        sa.Column(
            "in_use_source",
            sa.String(length=200),
            nullable=False,
        ),
        sa.Column("cap_units_3_months", sa.Float(), nullable=True),
        sa.Column("cap_source", sa.String(length=200), nullable=True),
        sa.Column("min_interval_days", sa.Integer(), nullable=False),
        sa.Column(
            "interval_source",
            sa.String(length=200),
            nullable=False,
        ),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "user",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "role",
            _enum("role", "admin", "injector", "staff"),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "password_hash",
            sa.String(length=255),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        _utc("locked_until", nullable=True),
        _utc("last_login_at", nullable=True),
        sa.Column("feed_token", sa.String(length=64), nullable=True),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("feed_token"),
    )
    _index("user", "email", unique=True)

    op.create_table(
        "clinic_setting",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("unsourced", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        _utc("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("updated_by_id", "user.id"),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "protocol_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("sites", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _utc("created_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("created_by_id", "user.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "viallot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=40), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("vial_units", sa.Integer(), nullable=False),
        sa.Column("diluent_ml", sa.Float(), nullable=False),
        _utc("reconstituted_at", nullable=True),
        _utc("created_at"),
        _fk("product_id", "product.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "lot_number", "reconstituted_at"),
    )
    _index("viallot", "product_id")

    op.create_table(
        "treatment_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("injector_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("sessionkind", "full", "top_up"),
            nullable=False,
        ),
        sa.Column("cycle_session_id", sa.Integer(), nullable=True),
        sa.Column("cycle_number", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("vial_lot_id", sa.Integer(), nullable=True),
        _utc("performed_at"),
        sa.Column(
            "status",
            _enum("sessionstatus", "draft", "signed"),
            nullable=False,
        ),
        _utc("signed_at", nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_obtained", sa.Boolean(), nullable=False),
        sa.Column("consent_note", sa.String(length=1000), nullable=True),
        sa.Column("notes", sa.String(length=4000), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        _fk("cycle_session_id", "treatment_session.id"),
        _fk("injector_id", "user.id"),
        _fk("patient_id", "patient.id"),
        _fk("product_id", "product.id"),
        _fk("signed_by_id", "user.id"),
        _fk("vial_lot_id", "viallot.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_session_patient_performed",
        "treatment_session",
        ["patient_id", "performed_at"],
    )
    _index("treatment_session", "cycle_session_id")
    _index("treatment_session", "injector_id")

    op.create_table(
        "adverse_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum(
                "adverseeventkind",
                "eyelid_droop",
                "incomplete_eye_closure",
                "dry_eye",
                "lip_weakness",
                "smile_asymmetry",
                "difficulty_swallowing",
                "other",
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column(
            "severity",
            _enum("severity", "mild", "moderate", "severe"),
            nullable=False,
        ),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("resolved_date", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        _utc("recorded_at"),
        _fk("recorded_by_id", "user.id"),
        _fk("session_id", "treatment_session.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("adverse_event", "session_id")

    op.create_table(
        "amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        _utc("created_at"),
        _fk("author_id", "user.id"),
        _fk("session_id", "treatment_session.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("amendment", "session_id")

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            _enum("appointmentkind", "treatment", "review", "assessment", "other"),
            nullable=False,
        ),
        sa.Column(
            "status",
            _enum(
                "appointmentstatus",
                "proposed",
                "booked",
                "attended",
                "missed",
                "cancelled",
            ),
            nullable=False,
        ),
        sa.Column("window_start", sa.Date(), nullable=True),
        sa.Column("window_end", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        _utc("starts_at", nullable=True),
        _utc("ends_at", nullable=True),
        sa.Column("source_session_id", sa.Integer(), nullable=True),
        sa.Column(
            "override_reason",
            sa.String(length=500),
            nullable=True,
        ),
        sa.Column("notes", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        _fk("clinician_id", "user.id"),
        _fk("patient_id", "patient.id"),
        _fk("source_session_id", "treatment_session.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_appointment_clinician_start", "appointment", ["clinician_id", "starts_at"]
    )
    op.create_index(
        "ix_appointment_patient_due", "appointment", ["patient_id", "due_date"]
    )
    _index("appointment", "source_session_id")
    op.create_index("ix_appointment_status_due", "appointment", ["status", "due_date"])

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column(
            "instrument",
            _enum("instrument", "sunnybrook", "eface", "house_brackmann", "saq", "fdi"),
            nullable=False,
        ),
        sa.Column(
            "timepoint",
            _enum("timepoint", "baseline", "review", "pre_treatment", "other"),
            nullable=False,
        ),
        _utc("assessed_at"),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column(
            "formula_version",
            sa.String(length=40),
            nullable=False,
        ),
        sa.Column("self_entered", sa.Boolean(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        _utc("created_at"),
        _fk("entered_by_id", "user.id"),
        _fk("patient_id", "patient.id"),
        _fk("session_id", "treatment_session.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_assessment_patient_at", "assessment", ["patient_id", "assessed_at"]
    )
    _index("assessment", "session_id")

    op.create_table(
        "cycle_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("onset_days", sa.Float(), nullable=True),
        sa.Column("peak_days", sa.Float(), nullable=True),
        sa.Column("wear_off_weeks", sa.Float(), nullable=True),
        sa.Column("patient_rating", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        _utc("recorded_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("recorded_by_id", "user.id"),
        _fk("session_id", "treatment_session.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id"),
    )
    op.create_table(
        "injection_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("muscle", sa.String(length=40), nullable=False),
        sa.Column(
            "side",
            _enum("side", "left", "right", "midline"),
            nullable=False,
        ),
        sa.Column(
            "role",
            _enum("siterole", "affected", "contralateral", "midline"),
            nullable=False,
        ),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column(
            "depth",
            _enum("depth", "superficial", "intramuscular", "deep"),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        _fk("session_id", "treatment_session.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("injection_site", "session_id")

    dialect = op.get_bind().dialect.name
    guards = SQLITE_AUDIT_GUARDS if dialect == "sqlite" else POSTGRES_AUDIT_GUARDS
    for ddl in guards:
        op.execute(ddl)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
