"""The research export's procedures rows, pseudonymised (issue 22)."""

from sqlalchemy import select

from planner.dosing.treated_muscles import EFFECTS
from planner.models.therapy import Procedure
from planner.services.research_context import ExportContext
from planner.services.research_context import Rows
from planner.services.research_context import enum_value
from planner.services.research_context import table_of

PROCEDURE = table_of(Procedure)


def procedure_rows(context: ExportContext) -> Rows:
    """Yield one row per recorded procedure."""
    statement = select(
        PROCEDURE.c.id.label("procedure_id"),
        PROCEDURE.c.patient_id,
        PROCEDURE.c.kind,
        PROCEDURE.c.side,
        PROCEDURE.c.performed_on,
        PROCEDURE.c.muscles,
        PROCEDURE.c.recorded_at,
    )
    for rows in context.pages(statement, PROCEDURE.c.id, "procedure_id"):
        for row in rows:
            kind = enum_value(row.kind)
            yield {
                "procedure_id": row.procedure_id,
                "patient_ref": context.patient_ref(row.patient_id),
                "kind": kind,
                "side": enum_value(row.side),
                "performed_on": row.performed_on,
                "muscles": ";".join(row.muscles or ()),
                "muscles_removed": kind in EFFECTS,
                "recorded_at": row.recorded_at,
            }
