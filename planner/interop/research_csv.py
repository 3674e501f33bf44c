"""The research export's CSV files: their columns, which ARE the data dictionary.

Pure: no flask, no database. ``FILES`` defines every file and column once; the
README's data dictionary and the export page are generated from it, and
``research_csv_cells.write_csv`` formats rows by it.
"""

from planner.interop.research_csv_cells import Column
from planner.interop.research_csv_cells import CsvFile
from planner.interop.research_csv_columns import CYCLE_NUMBER
from planner.interop.research_csv_columns import PATIENT_REF
from planner.interop.research_csv_columns import code_column
from planner.interop.research_csv_columns import id_column
from planner.interop.research_csv_photos import PHOTO_MEASUREMENTS
from planner.interop.research_csv_procedures import PROCEDURES
from planner.reference import MUSCLE_DOSES
from planner.vocabulary import AdverseEventKind
from planner.vocabulary import AffectedSide
from planner.vocabulary import Depth
from planner.vocabulary import Instrument
from planner.vocabulary import PalsyCause
from planner.vocabulary import SessionKind
from planner.vocabulary import Severity
from planner.vocabulary import Sex
from planner.vocabulary import SiteRole
from planner.vocabulary import Timepoint

FORMAT_RULES: tuple[str, ...] = (
    "UTF-8 without a byte-order mark, comma-separated, RFC 4180 quoting, CRLF line "
    "ends, one header row. Python reads it with "
    "`csv.DictReader(open(path, newline='', encoding='utf-8'))`.",
    "Dates are ISO 8601 (`2026-03-05`); date-times are UTC with their offset "
    "(`2026-03-05T10:15:00+00:00`).",
    "Decimals are rounded half-up to the places given and written without "
    "exponents or trailing zeros (`2.5`, `0.3`, `-5`).",
    "Booleans are `true` or `false`. An empty cell means no value was recorded.",
    "A text or code cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage "
    "return is written with a leading `'`, so a spreadsheet does not run it as a "
    "formula (OWASP CSV injection). Strip one leading `'` from such cells to get "
    "the value as entered. Numeric cells are never changed.",
    "`patient_ref` is a pseudonym: `P-` and the first 16 hex digits of an "
    "HMAC-SHA256 of the patient's record id, keyed with the app's secret key. It is "
    "the same in every export while the key is unchanged, so exports can be joined "
    "over time. Names, MRN, date of birth, contact details and clinicians' notes are "
    "never exported (the adverse-event description is the one free-text column); "
    "ages are whole years on the day.",
    "Opt-in: only patients whose consent to research use is valid when the file is "
    "exported are in it, by the rule the consent page shows (the latest research "
    "consent, on the form's current version, not withdrawn, and younger than the "
    "clinic's re-consent age `consent_valid_months`, a clinic setting). A patient "
    "never asked, who withdrew, or whose consent has lapsed is in no file.",
)


SEX = code_column("sex", "Sex as recorded.", Sex)
PERFORMED_AT = Column("performed_at", "datetime", "When the session was performed.")
SESSION_STATUS = code_column(
    "session_status",
    "`draft` is still being charted; `signed` is final; `amended` was corrected "
    "after signing, and the values shown are the corrected ones.",
    ("draft", "signed", "amended"),
)
PRODUCT = Column(
    "product",
    "text",
    "Toxin product code from the catalogue, e.g. `botox`, `dysport`.",
)
UNIT_NAME = Column(
    "unit_name",
    "text",
    "The product's unit. Units of different products cannot be compared or "
    "converted into each other.",
)
# Of a session that drew from several vials, its sessions.csv row fills a vial
# column only where its vials agree; sites.csv gives each site's own vial.
SEVERAL = "; empty when the session's vials differ in it (sessions.csv)."
LOT_NUMBER = Column(
    "lot_number",
    "text",
    "Vial lot number as read off the carton; empty if none. In sessions.csv, "
    "every lot the session's sites were drawn from, first drawn first, separated "
    "by `; `.",
)
LOT_EXPIRY = Column("lot_expiry", "date", "The vial lot's expiry date" + SEVERAL)
VIAL_UNITS = Column(
    "vial_units",
    "integer",
    "Units in the vial before dilution" + SEVERAL,
    "product units",
)
DILUENT_ML = Column(
    "diluent_ml",
    "decimal",
    "Diluent used to reconstitute the vial" + SEVERAL,
    "mL",
    3,
)
UNITS_PER_ML = Column(
    "units_per_ml",
    "decimal",
    "Concentration after reconstitution (vial units / diluent)" + SEVERAL,
    "product units per mL",
    3,
)
# The product and vial on every row of the sites file (the vial the site was
# drawn from) and the sessions file (the vials its sites were drawn from).
PRODUCT_AND_LOT = (
    PRODUCT,
    UNIT_NAME,
    LOT_NUMBER,
    LOT_EXPIRY,
    VIAL_UNITS,
    DILUENT_ML,
    UNITS_PER_ML,
)
AGE_YEARS = Column(
    "age_years", "integer", "Age in whole years on the day (clinic time).", "years"
)

SITES = CsvFile(
    "sites",
    "One row per injection site, as it stands now: amended doses replace the "
    "signed ones.",
    (
        id_column("site_id", "The injection site's record id."),
        id_column("session_id", "The treatment session; joins `sessions.csv`."),
        PATIENT_REF,
        CYCLE_NUMBER,
        PERFORMED_AT,
        SESSION_STATUS,
        *PRODUCT_AND_LOT,
        Column("site_number", "integer", "The site's number on the chart, from 1."),
        code_column(
            "muscle",
            "Muscle key (stable across versions).",
            (dose.muscle for dose in MUSCLE_DOSES),
        ),
        Column(
            "muscle_name",
            "text",
            "Muscle name from the face map; empty if the map no longer has it.",
        ),
        code_column(
            "side",
            "Side of the patient's face: right, left or midline.",
            ("R", "L", "M"),
        ),
        code_column(
            "role",
            "Whether the site is on the palsied side, the healthy side (for "
            "balance) or the midline.",
            SiteRole,
        ),
        code_column(
            "depth",
            "Injection depth; empty if not recorded.",
            Depth,
        ),
        Column("units", "decimal", "Dose at this site.", "product units", 3),
        Column(
            "volume_ml",
            "decimal",
            "Volume injected (units / concentration); empty without a vial lot.",
            "mL",
            4,
        ),
        Column(
            "x",
            "decimal",
            "Horizontal position on the face map, from the viewer's left (the "
            "patient's right) edge.",
            "map units (front-v1 and front-v2: 0 to 400)",
            2,
        ),
        Column(
            "y",
            "decimal",
            "Vertical position on the face map, from the top.",
            "map units (front-v1 and front-v2: 0 to 520)",
            2,
        ),
    ),
)

SESSIONS = CsvFile(
    "sessions",
    "One row per treatment session, with its totals and the response to its cycle.",
    (
        id_column("session_id", "The treatment session's record id."),
        PATIENT_REF,
        AGE_YEARS,
        SEX,
        code_column(
            "palsy_cause",
            "Cause of the facial palsy.",
            PalsyCause,
        ),
        code_column(
            "affected_side",
            "The palsied side, the patient's own.",
            AffectedSide,
        ),
        Column(
            "years_since_onset",
            "integer",
            "Whole years from palsy onset to the session; empty if onset unknown.",
            "years",
        ),
        CYCLE_NUMBER,
        code_column(
            "kind",
            "`full` opens a cycle; `top_up` adds to the cycle's full treatment.",
            SessionKind,
        ),
        id_column(
            "cycle_session_id",
            "For a top-up, the full session that opened its cycle; empty for a "
            "full treatment.",
        ),
        PERFORMED_AT,
        SESSION_STATUS,
        Column("signed_at", "datetime", "When it was signed; empty for a draft."),
        Column("amendment_count", "integer", "Corrections made after signing."),
        *PRODUCT_AND_LOT,
        Column("site_count", "integer", "Injection sites charted."),
        Column(
            "total_units", "decimal", "Sum of all sites' doses.", "product units", 3
        ),
        Column(
            "affected_units",
            "decimal",
            "Sum of doses on the palsied side.",
            "product units",
            3,
        ),
        Column(
            "contralateral_units",
            "decimal",
            "Sum of doses on the healthy side.",
            "product units",
            3,
        ),
        Column(
            "midline_units",
            "decimal",
            "Sum of doses on the midline.",
            "product units",
            3,
        ),
        Column(
            "total_volume_ml",
            "decimal",
            "Total volume injected, each vial's doses at its own dilution; empty "
            "without a vial lot.",
            "mL",
            4,
        ),
        Column("consent_obtained", "boolean", "Consent was confirmed."),
        Column(
            "warning_count",
            "integer",
            "Safety warnings shown at the chair and kept when signing.",
        ),
        Column(
            "onset_days",
            "decimal",
            "Reported days from treatment to first effect (full treatments).",
            "days",
            2,
        ),
        Column(
            "peak_days",
            "decimal",
            "Reported days from treatment to peak effect.",
            "days",
            2,
        ),
        Column(
            "wear_off_weeks",
            "decimal",
            "Reported weeks from treatment until the effect wore off.",
            "weeks",
            2,
        ),
        Column(
            "patient_rating",
            "integer",
            "The patient's overall rating of the cycle, 0 (worst) to 10 (best).",
            "0 to 10",
        ),
        Column(
            "adverse_event_count",
            "integer",
            "Adverse events recorded against the session (see `adverse_events.csv`).",
        ),
    ),
)

SCORES = CsvFile(
    "scores",
    "One row per score of each completed assessment (long format): its headline "
    "and each of its components. SAQ scores are here as instrument `saq`.",
    (
        id_column("assessment_id", "The assessment's record id."),
        PATIENT_REF,
        AGE_YEARS,
        SEX,
        id_column(
            "session_id",
            "The full treatment whose cycle the assessment falls in; empty for a "
            "baseline before any treatment.",
        ),
        Column(
            "cycle_number",
            "integer",
            "That treatment's cycle number; empty for a baseline.",
        ),
        code_column(
            "instrument",
            "The instrument.",
            Instrument,
        ),
        code_column(
            "timepoint",
            "When in the cycle it was done.",
            Timepoint,
        ),
        Column("assessed_at", "datetime", "When the assessment was done."),
        Column(
            "formula_version",
            "text",
            "Version of the scoring formula that produced the scores.",
        ),
        code_column(
            "assessor",
            "`patient` for a self-entered questionnaire, otherwise the role of the "
            "clinician who entered it.",
            ("patient", "admin", "injector", "staff"),
        ),
        Column(
            "component",
            "text",
            "`headline` is the figure used in trends (Sunnybrook composite, eFACE "
            "total, SAQ total, FDI physical, House-Brackmann grade) and repeats one "
            "of the components; the others are the instrument's own scores, e.g. "
            "`resting`, `voluntary`, `synkinesis`.",
        ),
        Column(
            "value",
            "decimal",
            "The score, for numeric components; empty when not scorable or textual.",
            "instrument points",
            4,
        ),
        Column(
            "value_text",
            "text",
            "The score, for textual components (House-Brackmann `numeral`, `label`).",
        ),
    ),
)

ADVERSE_EVENTS = CsvFile(
    "adverse_events",
    "One row per adverse event recorded against a treatment session.",
    (
        id_column("adverse_event_id", "The adverse event's record id."),
        id_column("session_id", "The treatment session; joins `sessions.csv`."),
        PATIENT_REF,
        CYCLE_NUMBER,
        code_column(
            "kind",
            "What happened.",
            AdverseEventKind,
        ),
        code_column("severity", "Severity.", Severity),
        Column(
            "description",
            "text",
            "The clinician's description, as typed (required for `other`). Free "
            "text: review it before sharing outside the clinic.",
        ),
        Column("onset_date", "date", "When it started; empty if unknown."),
        Column("resolved_date", "date", "When it resolved; empty if ongoing."),
        Column(
            "onset_days_after_session",
            "integer",
            "Days from the session (clinic date) to onset; empty if onset unknown.",
            "days",
        ),
        Column("recorded_at", "datetime", "When it was recorded."),
        id_column(
            "diary_entry_id",
            "The patient's diary entry the clinic recorded it from (a side effect "
            "the patient reported between visits); empty when the clinic recorded "
            "it without one. Diary entries themselves are not exported.",
        ),
        Column(
            "reported_in_diary_on",
            "date",
            "The clinic day the patient reported it in the diary; empty when "
            "`diary_entry_id` is.",
        ),
    ),
)

FILES: tuple[CsvFile, ...] = (
    SESSIONS,
    SITES,
    SCORES,
    ADVERSE_EVENTS,
    PHOTO_MEASUREMENTS,
    PROCEDURES,
)
FILES_BY_NAME: dict[str, CsvFile] = {file.name: file for file in FILES}


def _table_row(*cells: str) -> str:
    """Return a Markdown table row; an empty cell is a single space."""
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def data_dictionary_markdown() -> str:
    """Return the data dictionary as Markdown, as the README carries it."""
    lines = ["Format:", ""]
    lines += [f"- {rule}" for rule in FORMAT_RULES]
    for file in FILES:
        lines += ["", f"#### `{file.filename}`", "", file.row, ""]
        lines += ["| Column | Type | Unit | Description |", "| --- | --- | --- | --- |"]
        lines += [
            _table_row(f"`{c.name}`", c.type_label, c.unit, c.full_description)
            for c in file.columns
        ]
    return "\n".join(lines) + "\n"
