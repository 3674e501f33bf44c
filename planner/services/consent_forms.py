"""Consent form texts: the current version of each kind, and admins' new versions.

Until a clinic edits a kind, its shipped text (``planner.consent.defaults``) is
stored as version 1 the first time it is needed, so that a signature always
points at a stored row. An edit never changes a row: it adds the next version,
and the older ones stay as they were signed. A corrected shipped text is added
the same way, as the next version, where the current one is an older shipped
text nobody edited; a clinic's own words are left as they are.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.consent import DEFAULT_FORMS
from planner.consent import ConsentKind
from planner.consent.defaults import shipped_update
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.errors import StaleWrite
from planner.models import AuditAction
from planner.models import ConsentForm
from planner.models.consent import ConsentFormUpdate
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.lookup import get_or_raise
from planner.validation import parse_input

STALE = "Someone saved a new version of this form since you opened it; showing it now."


def parse_kind(raw: str) -> ConsentKind:
    """Read a kind from a URL, or raise NotFound."""
    try:
        return ConsentKind(raw)
    except ValueError:
        raise NotFound(f"There is no consent form {raw!r}.") from None


def _latest(session: Session, kind: ConsentKind) -> ConsentForm | None:
    return session.exec(
        select(ConsentForm)
        .where(ConsentForm.kind == kind)
        .order_by(col(ConsentForm.version).desc())
        .limit(1)
    ).first()


def current_form(session: Session, kind: ConsentKind) -> ConsentForm:
    """Return the kind's current version, storing the shipped text if it is not.

    The shipped text is stored as version 1 when there is none, and as the next
    version when the current one is a shipped text it corrects (never edited by
    the clinic). Only flushes: the caller's unit of work commits the row with it.
    """
    form = _latest(session, kind)
    if form is None:
        return _store_shipped(session, kind, 1)
    corrected = shipped_update(kind, form.title, form.body)
    if form.created_by_id is None and corrected is not None:
        return _store_shipped(session, kind, form.version + 1)
    return form


def _store_shipped(session: Session, kind: ConsentKind, version: int) -> ConsentForm:
    shipped = DEFAULT_FORMS[kind]
    form = ConsentForm(
        kind=kind, version=version, title=shipped.title, body=shipped.body
    )
    session.add(form)
    session.flush()
    record_event(
        session,
        SYSTEM,
        AuditAction.CREATE,
        "consent_form",
        form.id,
        before=None if version == 1 else {"version": version - 1},
        after={"kind": kind.value, "version": version, "title": form.title},
    )
    return form


def form_as_of(session: Session, kind: ConsentKind, moment: datetime) -> ConsentForm:
    """Return the kind's version that was current at ``moment``.

    The latest version made by then; the first version if none was (the shipped
    text is stored on first use, which may come after the moment asked about).
    A consent is judged against the form patients were signing at the time: a
    version published after a treatment does not undo the consent it was given
    under. Only flushes, as ``current_form``.
    """
    current = current_form(session, kind)
    then = session.exec(
        select(ConsentForm)
        .where(ConsentForm.kind == kind, col(ConsentForm.created_at) <= moment)
        .order_by(col(ConsentForm.version).desc())
        .limit(1)
    ).first()
    if then is not None:
        return then
    first = session.exec(
        select(ConsentForm)
        .where(ConsentForm.kind == kind)
        .order_by(col(ConsentForm.version))
        .limit(1)
    ).first()
    return first or current


def current_forms(session: Session) -> dict[ConsentKind, ConsentForm]:
    """Return every kind's current version (storing shipped texts as needed)."""
    forms = {kind: current_form(session, kind) for kind in ConsentKind}
    session.commit()
    return forms


def form_versions(session: Session, kind: ConsentKind) -> list[ConsentForm]:
    """Return every stored version of a kind, newest first."""
    return list(
        session.exec(
            select(ConsentForm)
            .where(ConsentForm.kind == kind)
            .order_by(col(ConsentForm.version).desc())
        ).all()
    )


def get_form(session: Session, form_id: int) -> ConsentForm:
    return get_or_raise(
        session, ConsentForm, form_id, f"There is no consent form version {form_id}."
    )


def save_form_version(
    session: Session,
    actor: Actor,
    kind: ConsentKind,
    data: dict[str, Any],
    *,
    now: datetime,
) -> ConsentForm:
    """Store an admin's edit as the kind's next version; patients sign it from now.

    :raises InvalidInput: naming each bad field, or if nothing changed.
    :raises StaleWrite: if the form was edited since ``data['version']``.
    """
    edit: ConsentFormUpdate = parse_input(ConsentFormUpdate, data)
    current = current_form(session, kind)
    if edit.version != current.version:
        session.rollback()
        raise StaleWrite(STALE)
    if edit.title == current.title and edit.body == current.body:
        session.rollback()
        raise InvalidInput(
            "Nothing changed.", fields={"body": "is the same as the current version"}
        )
    form = ConsentForm(
        kind=kind,
        version=current.version + 1,
        title=edit.title,
        body=edit.body,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(form)
    try:
        session.flush()
    except IntegrityError:
        # Another admin saved the same next version a moment earlier.
        session.rollback()
        raise StaleWrite(STALE) from None
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "consent_form",
        form.id,
        before={"version": current.version},
        after={"kind": kind.value, "version": form.version, "title": form.title},
    )
    session.commit()
    return form
