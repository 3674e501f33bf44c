"""The research export's photo measurements file: numbers only, never images.

Pure: no flask, no database. The rows are built by
``planner.services.research_photos`` from the points clinicians marked; only
patients whose photography consent in force covers teaching and research (and,
as for every file, whose research consent is valid) are in it.
"""

from planner.interop.research_csv_cells import Column
from planner.interop.research_csv_cells import CsvFile
from planner.interop.research_csv_columns import CYCLE_NUMBER
from planner.interop.research_csv_columns import PATIENT_REF
from planner.interop.research_csv_columns import code_column
from planner.interop.research_csv_columns import id_column
from planner.vocabulary import AffectedSide

MEASURES = (
    "brow_height",
    "palpebral_fissure",
    "commissure_height",
    "commissure_movement",
)
PHOTO_TIMEPOINT_CODES = ("pre_treatment", "review", "other")
SCALE_SOURCES = ("ruler", "iris", "pupil_distance_ruler", "pupil_distance_iris")


def _mm(name: str, description: str) -> Column:
    return Column(name, "decimal", description, "mm", 2)


PHOTO_MEASUREMENTS = CsvFile(
    "photo_measurements",
    "One row per measurement of each photograph with its pupils marked and a "
    "scale, for patients whose photography consent covers teaching and research "
    "and whose research consent is valid (long format). No image is exported.",
    (
        id_column("photo_id", "The photograph's record id."),
        PATIENT_REF,
        id_column(
            "session_id",
            "The full treatment that opened the cycle; joins `sessions.csv`.",
        ),
        CYCLE_NUMBER,
        code_column(
            "timepoint",
            "When in the cycle the photo was taken: before the injections, at the "
            "review, or other.",
            PHOTO_TIMEPOINT_CODES,
        ),
        Column(
            "view",
            "text",
            "The standard view's code, e.g. `rest`, `brow_raise`, `smile_open` "
            "(a clinic may add its own views).",
        ),
        Column("taken_at", "datetime", "When the photo was taken."),
        code_column(
            "affected_side", "The palsied side, the patient's own.", AffectedSide
        ),
        code_column(
            "measure",
            "`brow_height`: pupil centre up to the top of the brow; "
            "`palpebral_fissure`: upper to lower lid margin; `commissure_height`: "
            "eye line down to the mouth corner; `commissure_movement`: how far the "
            "mouth corner moved from the photo at rest of the same visit (the "
            "smile's excursion on a smile), both photos measured by the visit's "
            "pupil distance. Vertical means square to the eye line.",
            MEASURES,
        ),
        _mm("right_mm", "On the patient's right side; empty if not marked."),
        _mm("left_mm", "On the patient's left side; empty if not marked."),
        _mm(
            "affected_minus_healthy_mm",
            "Affected side minus healthy side; empty for a bilateral palsy or when "
            "a side is not marked.",
        ),
        Column(
            "affected_to_healthy_ratio",
            "decimal",
            "Affected side over healthy side (1 is symmetric); empty as above.",
            "ratio",
            3,
        ),
        code_column(
            "scale_source",
            "Where the millimetres come from: `ruler`, a ruler in the photo; "
            "`iris`, the photo's iris taken as 11.8 mm across (a clinic setting, "
            "UNSOURCED); `pupil_distance_ruler`, the patient's pupil distance "
            "measured with a ruler in a photo of the same visit; "
            "`pupil_distance_iris`, the pupil distance measured from an iris in a "
            "photo of the same visit, so resting on the iris taken as 11.8 mm "
            "across (a clinic setting, UNSOURCED). A ruler anywhere in the visit "
            "is used before any iris. On a `commissure_movement` row, the scale "
            "both photos were measured by. Compare millimetres of one kind (ruler "
            "or iris) across visits: the two may differ by a few per cent.",
            SCALE_SOURCES,
        ),
    ),
)
