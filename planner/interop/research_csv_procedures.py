"""The research export's procedures file: surgery beside the toxin (issue 22).

Pure: no flask, no database. Only codes and dates: the surgeon's name and the
note are never exported, as no clinician's name or note is.
"""

from planner.interop.research_csv_cells import Column
from planner.interop.research_csv_cells import CsvFile
from planner.interop.research_csv_columns import PATIENT_REF
from planner.interop.research_csv_columns import code_column
from planner.interop.research_csv_columns import id_column
from planner.vocabulary import AffectedSide
from planner.vocabulary import ProcedureKind

PROCEDURES = CsvFile(
    "procedures",
    "One row per surgical procedure for synkinesis recorded on a patient's "
    "record (DAO excision, selective myectomy, selective neurolysis, brow lift, "
    "upper-eyelid surgery, muscle transfer, other).",
    (
        id_column("procedure_id", "The procedure's record id."),
        PATIENT_REF,
        code_column("kind", "The procedure.", ProcedureKind),
        code_column("side", "The side operated on.", AffectedSide),
        Column("performed_on", "date", "The day of the procedure."),
        Column(
            "muscles",
            "text",
            "The face-map muscle codes it touched (as in `sites.csv`), separated "
            "by `;`; empty when none was named.",
        ),
        Column(
            "muscles_removed",
            "boolean",
            "`true` when the procedure excised or denervated the muscles named "
            "(DAO excision, selective myectomy, selective neurolysis): the chart "
            "asks for a confirmation before a site there.",
        ),
        Column("recorded_at", "datetime", "When it was recorded."),
    ),
)
