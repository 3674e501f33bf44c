"""The research CSV format: cells, the formula guard, pseudonyms, the dictionary."""

import csv
import hashlib
import hmac
import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest

from planner.facemap import load_face_map
from planner.interop.research_csv import FILES
from planner.interop.research_csv import FILES_BY_NAME
from planner.interop.research_csv import data_dictionary_markdown
from planner.interop.research_csv_cells import FORMULA_STARTS
from planner.interop.research_csv_cells import Column
from planner.interop.research_csv_cells import CsvFile
from planner.interop.research_csv_cells import format_cell
from planner.interop.research_csv_cells import format_decimal
from planner.interop.research_csv_cells import format_row
from planner.interop.research_csv_cells import neutralise
from planner.interop.research_csv_cells import pseudonym
from planner.interop.research_csv_cells import whole_years
from planner.interop.research_csv_cells import write_csv
from planner.models import AdverseEventKind
from planner.models import AffectedSide
from planner.models import Depth
from planner.models import Instrument
from planner.models import PalsyCause
from planner.models import Role
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import Severity
from planner.models import Sex
from planner.models import Side
from planner.models import SiteRole
from planner.models import Timepoint
from planner.models.photos import PHOTO_TIMEPOINTS
from planner.photometry import IRIS_DIAMETER_MM
from planner.photometry import MEASURE_LABELS
from planner.reference import MUSCLE_DOSES
from planner.vocabulary import ProcedureKind

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BEGIN = "<!-- BEGIN csv-data-dictionary: generated, do not edit by hand -->\n"
END = "<!-- END csv-data-dictionary -->"

TEXT = Column("note", "text", "A note.")
CODE = Column("colour", "code", "A colour.", values=("red", "-minus"))
INTEGER = Column("count", "integer", "A count.")
DECIMAL = Column("dose", "decimal", "A dose.", "U", 3)
BOOLEAN = Column("done", "boolean", "Done.")
DAY = Column("day", "date", "A day.")
MOMENT = Column("at", "datetime", "A moment.")
SMALL = CsvFile("small", "One row per test.", (INTEGER, TEXT, DECIMAL))


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (0.1 + 0.2, 3, "0.3"),
        (2.5, 3, "2.5"),
        (2.0, 3, "2"),
        (100.0, 2, "100"),
        (1e20, 2, "100000000000000000000"),
        (-5, 4, "-5"),
        (2.675, 2, "2.68"),  # half-up on the number as typed, not its binary twin
        (0.125, 2, "0.13"),
        (1 / 3, 4, "0.3333"),
        (1e-7, 4, "0"),
        (-1e-7, 4, "0"),  # never "-0"
        (7, 0, "7"),
        (12345678.9, 2, "12345678.9"),
    ],
)
def test_decimals_are_rounded_half_up_without_noise(value, places, expected):
    assert format_decimal(value, places) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_decimal_is_refused(value):
    with pytest.raises(ValueError, match="dose"):
        format_cell(DECIMAL, value)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (INTEGER, 42, "42"),
        (INTEGER, -3, "-3"),
        (DECIMAL, 3, "3"),
        (DECIMAL, -0.5, "-0.5"),
        (BOOLEAN, True, "true"),
        (BOOLEAN, False, "false"),
        (DAY, date(2026, 3, 5), "2026-03-05"),
        (MOMENT, datetime(2026, 3, 5, 10, 15, tzinfo=UTC), "2026-03-05T10:15:00+00:00"),
        # Stored in another zone, written as the same instant in UTC.
        (
            MOMENT,
            datetime(2026, 7, 1, 9, 0, 30, 250000, tzinfo=timezone(timedelta(hours=1))),
            "2026-07-01T08:00:30.250000+00:00",
        ),
        (TEXT, 'Ptosis, left; "mild"\nresolved', 'Ptosis, left; "mild"\nresolved'),
        (TEXT, "", ""),
        (CODE, "red", "red"),
    ],
)
def test_cells_are_written_by_their_column_type(column, value, expected):
    assert format_cell(column, value) == expected


@pytest.mark.parametrize("column", [TEXT, CODE, INTEGER, DECIMAL, BOOLEAN, DAY, MOMENT])
def test_a_missing_value_is_an_empty_cell(column):
    assert format_cell(column, None) == ""


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (INTEGER, True),
        (INTEGER, 2.5),
        (INTEGER, "2"),
        (DECIMAL, False),
        (DECIMAL, "2.5"),
        (BOOLEAN, 1),
        (BOOLEAN, "true"),
        (DAY, datetime(2026, 3, 5, tzinfo=UTC)),
        (DAY, "2026-03-05"),
        (MOMENT, date(2026, 3, 5)),
        (MOMENT, datetime(2026, 3, 5, 10, 15)),  # naive: which zone?
        (TEXT, 5),
        (CODE, "blue"),
    ],
)
def test_a_value_of_the_wrong_kind_names_the_column_but_not_the_value(column, value):
    with pytest.raises(ValueError, match=rf"^{column.name} \({column.type}\)") as info:
        format_cell(column, value)
    assert str(value) not in str(info.value)


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(start):
    value = f'{start}HYPERLINK("http://evil.example","x")'
    assert format_cell(TEXT, value) == "'" + value


def test_the_guard_covers_the_owasp_characters_exactly():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("value", ["plain", "a=b", " =1", "'already", "1+1", "é=x"])
def test_text_that_is_not_a_formula_is_left_alone(value):
    assert neutralise(value) == value
    assert format_cell(TEXT, value) == value


def test_a_code_is_guarded_like_text():
    assert format_cell(CODE, "-minus") == "'-minus"


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [(INTEGER, -12, "-12"), (DECIMAL, -5.25, "-5.25"), (DECIMAL, -0.0001, "0")],
)
def test_numeric_cells_are_never_prefixed(column, value, expected):
    assert format_cell(column, value) == expected


def test_no_listed_code_starts_like_a_formula():
    for file in FILES:
        for column in file.columns:
            for value in column.values:
                assert not value.startswith(FORMULA_STARTS), (column.name, value)


def test_a_row_needs_every_column_and_no_other():
    assert format_row(SMALL, {"count": 1, "note": "x", "dose": 2.5}) == [
        "1",
        "x",
        "2.5",
    ]
    with pytest.raises(ValueError, match=r"missing \['dose'\], unexpected \[\]"):
        format_row(SMALL, {"count": 1, "note": "x"})
    with pytest.raises(ValueError, match=r"unexpected \['mrn'\]"):
        format_row(SMALL, {"count": 1, "note": "x", "dose": 1, "mrn": "M1"})


def test_write_csv_round_trips_through_the_csv_module():
    rows = [
        {"count": 1, "note": 'comma, "quote"\nand newline', "dose": 0.1 + 0.2},
        {"count": 2, "note": "=SUM(A1:A9)", "dose": None},
        {"count": 3, "note": None, "dose": -5},
        {"count": 4, "note": "Ünïcødé ✓", "dose": 2},
    ]
    text = "".join(write_csv(SMALL, rows))
    assert text.startswith("count,note,dose\r\n")
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert parsed == [
        {"count": "1", "note": 'comma, "quote"\nand newline', "dose": "0.3"},
        {"count": "2", "note": "'=SUM(A1:A9)", "dose": ""},
        {"count": "3", "note": "", "dose": "-5"},
        {"count": "4", "note": "Ünïcødé ✓", "dose": "2"},
    ]


def test_write_csv_yields_the_header_then_batches():
    rows = [{"count": n, "note": "x", "dose": 1} for n in range(5)]
    chunks = list(write_csv(SMALL, rows, batch=2))
    assert chunks[0].startswith("count,note,dose\r\n0,x,1\r\n1,x,1\r\n")
    assert chunks[1:] == ["2,x,1\r\n3,x,1\r\n", "4,x,1\r\n"]
    assert "".join(chunks) == "".join(write_csv(SMALL, rows, batch=500))


def test_an_empty_file_is_its_header():
    assert list(write_csv(SMALL, [])) == ["count,note,dose\r\n"]
    with pytest.raises(ValueError, match="batch"):
        list(write_csv(SMALL, [], batch=0))


def test_write_csv_is_lazy():
    def rows():
        yield {"count": 1, "note": "x", "dose": 1}
        raise AssertionError("read past the first batch")

    chunks = write_csv(SMALL, rows(), batch=1)
    assert next(chunks) == "count,note,dose\r\n1,x,1\r\n"


def test_pseudonyms_are_an_hmac_of_the_id_and_stable():
    key = b"clinic secret"
    expected = hmac.new(
        key, b"planner research export patient v1:42", hashlib.sha256
    ).hexdigest()
    assert pseudonym(key, 42) == "P-" + expected[:16]
    assert pseudonym(key, 42) == pseudonym(key, 42)
    assert re.fullmatch(r"P-[0-9a-f]{16}", pseudonym(key, 42))


def test_pseudonyms_differ_by_patient_and_by_key_and_hide_the_id():
    key = b"clinic secret"
    refs = {pseudonym(key, patient_id) for patient_id in range(1, 2001)}
    assert len(refs) == 2000
    assert pseudonym(key, 1) != pseudonym(b"another key", 1)
    # Not a plain hash anyone could recompute from a guessed record id.
    assert hashlib.sha256(b"1").hexdigest()[:16] not in pseudonym(key, 1)


@pytest.mark.parametrize(("key", "patient_id"), [(b"", 1), (b"k", True), (b"k", "1")])
def test_a_pseudonym_needs_a_key_and_an_int_id(key, patient_id):
    with pytest.raises((ValueError, TypeError)):
        pseudonym(key, patient_id)


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (date(1971, 5, 14), date(2026, 5, 13), 54),
        (date(1971, 5, 14), date(2026, 5, 14), 55),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
        (date(2026, 1, 1), date(2026, 1, 1), 0),
    ],
)
def test_whole_years_count_completed_years(born, on, years):
    assert whole_years(born, on) == years


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Bad Name", "type": "text"}, "snake_case"),
        ({"name": "dose", "type": "decimal"}, "places"),
        ({"name": "count", "type": "integer", "places": 2}, "places"),
        ({"name": "dose", "type": "decimal", "places": 12}, "0 to 9"),
        ({"name": "colour", "type": "code"}, "values"),
        ({"name": "note", "type": "text", "values": ("a",)}, "values"),
    ],
)
def test_a_column_definition_is_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Column(description="Something.", **kwargs)


def test_a_column_description_cannot_break_the_table():
    with pytest.raises(ValueError, match="Markdown"):
        Column("note", "text", "a | b")
    with pytest.raises(ValueError, match="unique"):
        CsvFile("twice", "Rows.", (TEXT, TEXT))


def test_every_column_is_described():
    assert [file.name for file in FILES] == list(FILES_BY_NAME)
    for file in FILES:
        assert file.row.endswith(".")
        for column in file.columns:
            assert column.description.strip().endswith((".", ")")), column.name
            assert column.type_label


def test_no_identifying_column_is_exported():
    names = {column.name for file in FILES for column in file.columns}
    for banned in (
        "mrn",
        "given_name",
        "family_name",
        "date_of_birth",
        "phone",
        "email",
        "address",
        "notes",
        "note",
        "consent_note",
        "patient_id",
    ):
        assert banned not in names


EXPORTED_STATUSES = [m.value for m in SessionStatus if m != SessionStatus.DISCARDED]

# Every code column whose values mirror an enum, so a new value cannot be missed.
ENUM_CODES = [
    ("sessions", "sex", [m.value for m in Sex]),
    ("sessions", "palsy_cause", [m.value for m in PalsyCause]),
    ("sessions", "affected_side", [m.value for m in AffectedSide]),
    ("sessions", "kind", [m.value for m in SessionKind]),
    # Discarded drafts are never exported (issue 15), so their status is no code.
    ("sessions", "session_status", [*EXPORTED_STATUSES, "amended"]),
    ("sites", "session_status", [*EXPORTED_STATUSES, "amended"]),
    ("sites", "role", [m.value for m in SiteRole]),
    ("sites", "depth", [m.value for m in Depth]),
    ("sites", "muscle", [dose.muscle for dose in MUSCLE_DOSES]),
    ("scores", "sex", [m.value for m in Sex]),
    ("scores", "instrument", [m.value for m in Instrument]),
    ("scores", "timepoint", [m.value for m in Timepoint]),
    ("scores", "assessor", ["patient"] + [m.value for m in Role]),
    ("adverse_events", "kind", [m.value for m in AdverseEventKind]),
    ("adverse_events", "severity", [m.value for m in Severity]),
    ("photo_measurements", "timepoint", [t.value for t in PHOTO_TIMEPOINTS]),
    ("photo_measurements", "affected_side", [m.value for m in AffectedSide]),
    ("photo_measurements", "measure", list(MEASURE_LABELS)),
    (
        "photo_measurements",
        "scale_source",
        ["ruler", "iris", "pupil_distance_ruler", "pupil_distance_iris"],
    ),
    ("procedures", "kind", [m.value for m in ProcedureKind]),
    ("procedures", "side", [m.value for m in AffectedSide]),
]


@pytest.mark.parametrize(("file", "column", "values"), ENUM_CODES)
def test_code_columns_list_exactly_the_stored_values(file, column, values):
    found = {c.name: c for c in FILES_BY_NAME[file].columns}[column]
    assert sorted(found.values) == sorted(values)


def test_every_code_column_is_checked_against_its_source():
    checked = {(file, column) for file, column, _ in ENUM_CODES}
    codes = {
        (file.name, column.name)
        for file in FILES
        for column in file.columns
        if column.type == "code"
    }
    assert codes - checked == {("sites", "side")}
    side = {c.name: c for c in FILES_BY_NAME["sites"].columns}["side"]
    assert len(side.values) == len(Side)


def test_the_photo_scale_states_the_iris_diameter_the_measurements_use():
    scale = {c.name: c for c in FILES_BY_NAME["photo_measurements"].columns}
    assert f"{IRIS_DIAMETER_MM:g} mm across" in scale["scale_source"].description
    assert "UNSOURCED" in scale["scale_source"].description


def test_every_muscle_on_the_face_map_has_a_code():
    face_map = load_face_map(ROOT / "face_maps")
    muscle = {c.name: c for c in FILES_BY_NAME["sites"].columns}["muscle"]
    assert {m.code for m in face_map.muscles} <= set(muscle.values)


def readme_dictionary() -> str:
    text = README.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1
    assert text.count(END) == 1
    return text.split(BEGIN, 1)[1].split(END, 1)[0]


def test_the_readme_dictionary_is_the_generated_one():
    assert readme_dictionary() == data_dictionary_markdown(), (
        "README.md's data dictionary is out of date: replace the text between the "
        "csv-data-dictionary markers with planner.interop.research_csv."
        "data_dictionary_markdown()"
    )


def test_the_readme_tables_list_each_files_columns_in_order():
    """Parse the README's tables, so a reordered or renamed column is named."""
    section = readme_dictionary()
    tables: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in section.splitlines():
        if heading := re.fullmatch(r"#### `(\w+)\.csv`", line):
            current = tables.setdefault(heading.group(1), [])
        elif current is not None and (
            row := re.match(r"\| `(\w+)` \| ([^|]+) \|", line)
        ):
            current.append((row.group(1), row.group(2).strip()))
    assert list(tables) == [file.name for file in FILES]
    for file in FILES:
        assert tables[file.name] == [(c.name, c.type_label) for c in file.columns]
