"""Registering, finding and editing patients."""

import re
import string
from collections.abc import Callable
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import Patient
from planner.models import PatientCreate
from planner.models import PatientUpdate
from planner.models.patients import TODAY
from planner.models.patients import SearchKey
from planner.paging import Page
from planner.paging import clamp_page
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.clinical_flags import guard_flag_changes
from planner.services.locking import update_if_version
from planner.services.lookup import get_or_raise
from planner.validation import parse_input

MAX_QUERY_LENGTH = 100
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_PATIENTS: Table = Patient.__table__  # type: ignore[attr-defined]  # set by SQLModel


def _mrn_taken() -> InvalidInput:
    return InvalidInput(
        "Another patient already has this MRN.",
        fields={"mrn": "is already used by another patient"},
    )


def _dated(today: date | None) -> dict[str, date]:
    """Return the validation context: the day no birth or onset may follow.

    Callers give the clinic's calendar day; without one (a script, a test) it
    is the UTC day.
    """
    return {TODAY: today or utc_now().date()}


def create_patient(
    session: Session, actor: Actor, data: Any, *, today: date | None = None
) -> Patient:
    """Validate and register a new patient; ``today`` is the clinic's day."""
    patient_in: PatientCreate = parse_input(PatientCreate, data, context=_dated(today))
    if session.exec(select(Patient.id).where(Patient.mrn == patient_in.mrn)).first():
        raise _mrn_taken()
    patient = Patient.model_validate(patient_in)
    session.add(patient)
    try:
        session.flush()
    except IntegrityError:
        # Two registrations of one MRN raced past the check above.
        session.rollback()
        raise _mrn_taken() from None
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "patient",
        patient.id,
        patient_id=patient.id,
        after=snapshot(patient),
    )
    session.commit()
    return patient


def get_patient(session: Session, patient_id: int) -> Patient:
    return get_or_raise(
        session, Patient, patient_id, f"There is no patient {patient_id}."
    )


def update_patient(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: Any,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> Patient:
    """Save an edit made against ``data['version']``; refuse it if that is stale.

    A change to a clinical flag is refused unless an injector or an admin makes it.
    ``today`` is the clinic's day, which no birth or onset date may follow.
    """
    patient_in: PatientUpdate = parse_input(PatientUpdate, data, context=_dated(today))
    patient = get_patient(session, patient_id)
    guard_flag_changes(session, actor, patient, patient_in)
    before = snapshot(patient)
    if (
        patient_in.mrn != patient.mrn
        and session.exec(
            select(Patient.id).where(Patient.mrn == patient_in.mrn)
        ).first()
    ):
        raise _mrn_taken()
    values = patient_in.model_dump(exclude={"version"})
    values["updated_at"] = now or utc_now()
    update_if_version(
        session,
        Patient,
        (col(Patient.id), patient_id),
        patient_in.version,
        values,
        stale_message="Someone else saved this patient while you were editing. "
        "Reload to see their changes, then make yours again.",
    )
    session.refresh(patient)
    old, new = changed_fields(before, snapshot(patient))
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "patient",
        patient.id,
        patient_id=patient.id,
        before=old,
        after=new,
    )
    session.commit()
    return patient


def parse_birth_date(query: str) -> date | None:
    """Read a search term as a date of birth (YYYY-MM-DD or DD/MM/YYYY)."""
    text = query.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


class _PrefixRange(ColumnElement[bool]):
    """``key`` starts with ``low``: ``low <= key < high``, in the index's order.

    PostgreSQL compares text in the database's collation, under which a prefix
    need not be one range, so there the byte-order operators of
    ``text_pattern_ops`` are used; SQLite's NOCASE order is byte order already.
    """

    type = Boolean()
    inherit_cache = True
    # A comparison already: SQLite must not get it wrapped as ``(...) = 1``.
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("search_key", InternalTraversal.dp_clauseelement),
        ("low", InternalTraversal.dp_clauseelement),
        ("high", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, key: SearchKey, low: str, high: str | None) -> None:
        self.search_key = key
        self.low = bindparam(None, low, type_=String())
        self.high = None if high is None else bindparam(None, high, type_=String())


def _render_range(
    element: _PrefixRange, compiler: SQLCompiler, at_least: str, below: str, **kw: Any
) -> str:
    key = compiler.process(element.search_key, **kw)
    sql = f"{key} {at_least} {compiler.process(element.low, **kw)}"
    if element.high is not None:
        sql += f" AND {key} {below} {compiler.process(element.high, **kw)}"
    return f"({sql})"


@compiles(_PrefixRange)
def _prefix_range(element: _PrefixRange, compiler: SQLCompiler, **kw: Any) -> str:
    return _render_range(element, compiler, ">=", "<", **kw)


@compiles(_PrefixRange, "postgresql")
def _pg_prefix_range(element: _PrefixRange, compiler: SQLCompiler, **kw: Any) -> str:
    return _render_range(element, compiler, "~>=~", "~<~", **kw)


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _after_prefix(prefix: str) -> str | None:
    """Return the least string above every string that starts with ``prefix``.

    ``None`` when there is none (the prefix is all U+10FFFF).
    """
    chars = list(prefix)
    while chars:
        code = ord(chars.pop()) + 1
        if 0xD800 <= code <= 0xDFFF:
            code = 0xE000  # surrogates cannot be stored
        elif ord("A") <= code <= ord("Z"):
            code = ord("[")  # keys hold no capital ASCII letters; NOCASE would fold one
        if code <= 0x10FFFF:
            return "".join(chars) + chr(code)
    return None


def _same_length(change: Callable[[str], str], char: str) -> str:
    changed = change(char)
    return changed if len(changed) == 1 else char


def _case_spellings(term: str) -> set[str]:
    """Spell ``term`` as each stored key a case-insensitive match could have.

    SQLite's ``lower()`` and NOCASE (and PostgreSQL's ``lower()`` on a C-locale
    database) fold ASCII letters only, so "Élise" is keyed "élise" by one database
    and "Élise" by another. Besides all lower case (the key on a Unicode-aware
    database), the term is tried as typed, in capitals and capitalised word by
    word, which covers names stored in any of those casings.
    """
    lower = term.lower()
    if term.isascii():
        return {lower}
    upper = "".join(_same_length(str.upper, char) for char in term)
    # From ``lower``, which has the final sigma and other context-dependent forms.
    capitalised = "".join(
        _same_length(str.upper, char) if not before.isalpha() else char
        for before, char in zip(" " + lower, lower, strict=False)
    )
    return {lower} | {
        spelling.translate(_ASCII_LOWER) for spelling in (term, upper, capitalised)
    }


def _starts_with(column: str, prefix: str) -> ColumnElement[bool]:
    return _PrefixRange(SearchKey(_PATIENTS.c[column]), prefix, _after_prefix(prefix))


def _term_condition(term: str) -> ColumnElement[bool]:
    """Match ``term`` as the start of the MRN, given name or family name."""
    spellings = sorted(_case_spellings(term))
    conditions = [
        _starts_with(column, spelling)
        for column in ("family_name", "given_name")
        for spelling in spellings
    ]
    if term.isascii():  # an MRN is ASCII, so only an ASCII term can start one
        conditions.append(_starts_with("mrn", term.lower()))
    return or_(*conditions)


def search_patients(
    session: Session, query: str = "", *, page: int = 1, size: int = 25
) -> Page[Patient]:
    """Find patients by MRN, name or date of birth, a page at a time.

    Each word of a name search must start the MRN, the given name or the family
    name, ignoring case; ``%``, ``_`` and ``\\`` are plain characters.
    """
    # NUL cannot reach PostgreSQL and matches nothing anyway.
    text = query.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    statement = select(Patient)
    counter = select(func.count()).select_from(Patient)
    if text:
        birth = parse_birth_date(text)
        if birth is not None:
            condition: Any = col(Patient.date_of_birth) == birth
        else:
            # Prefix ranges rather than LIKE: both databases answer them from the
            # search indexes, PostgreSQL even in a generic prepared plan.
            condition = and_(*(_term_condition(term) for term in text.split()))
        statement = statement.where(condition)
        counter = counter.where(condition)
    total = session.exec(counter).one()
    number = clamp_page(page, size, total)
    rows = session.exec(
        statement.order_by(
            col(Patient.family_name), col(Patient.given_name), col(Patient.id)
        )
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    return Page(items=list(rows), number=number, size=size, total=total)
