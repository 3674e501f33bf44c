"""The clinic's set of standard views: the defaults until an admin edits them.

Nothing is stored until the first edit. That edit stores the whole default set
(each view an audited CREATE) and then the change, so that from then on the
table alone is the clinic's set.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.models import AuditAction
from planner.models.photos import PhotoView
from planner.models.photos import PhotoViewCreate
from planner.models.photos import PhotoViewUpdate
from planner.photometry import DEFAULT_VIEWS
from planner.photometry import REST
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.audited_rows import add_audited
from planner.services.locking import update_if_version
from planner.validation import parse_input

MAX_VIEWS = 30
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ViewSetting:
    """One view as the pages show it; ``version`` 0 for a default not yet stored."""

    code: str
    label: str
    instruction: str
    position: int
    active: bool
    version: int


def _defaults() -> list[ViewSetting]:
    return [
        ViewSetting(view.code, view.label, view.instruction, number, True, 0)
        for number, view in enumerate(DEFAULT_VIEWS, start=1)
    ]


def _stored(session: Session) -> list[PhotoView]:
    return list(
        session.exec(
            select(PhotoView).order_by(col(PhotoView.position), col(PhotoView.code))
        )
    )


def list_views(session: Session, *, include_hidden: bool = False) -> list[ViewSetting]:
    """Return the clinic's views in the order they are taken."""
    stored = _stored(session)
    views = (
        [
            ViewSetting(
                row.code,
                row.label,
                row.instruction,
                row.position,
                row.active,
                row.version,
            )
            for row in stored
        ]
        if stored
        else _defaults()
    )
    return [view for view in views if include_hidden or view.active]


def view_labels(session: Session) -> dict[str, str]:
    """Name every view a photo may have: the defaults, then the clinic's own."""
    labels = {view.code: view.label for view in DEFAULT_VIEWS}
    stored = list_views(session, include_hidden=True)
    labels.update({view.code: view.label for view in stored})
    return labels


def find_view(session: Session, code: str) -> ViewSetting:
    """Return the view with this code, shown or hidden.

    :raises NotFound: if the clinic has no such view.
    """
    for view in list_views(session, include_hidden=True):
        if view.code == code:
            return view
    raise NotFound(f"There is no view {code!r}.")


def _materialise(session: Session, actor: Actor) -> None:
    """Store the default set, once, so that an edit has rows to change."""
    if _stored(session):
        return
    for view in _defaults():
        row = PhotoView(
            code=view.code,
            label=view.label,
            instruction=view.instruction,
            position=view.position,
        )
        add_audited(session, actor, row, "photo_view")


def update_view(
    session: Session, actor: Actor, code: str, data: dict[str, Any]
) -> PhotoView:
    """Reword, reorder, show or hide one view.

    :raises NotFound: if the clinic has no such view.
    :raises InvalidInput: naming each bad field; the view at rest cannot be hidden.
    :raises StaleWrite: if someone saved the view since the form was loaded.
    """
    was_default = find_view(session, code).version == 0
    change = parse_input(PhotoViewUpdate, data)
    if code == REST and not change.active:
        raise InvalidInput(
            "The view at rest is always taken.",
            fields={"active": "cannot be turned off: movement is measured from rest"},
        )
    _materialise(session, actor)
    row = session.get(PhotoView, code)
    assert row is not None, "every listed view is stored once materialised"
    # A default was stored just now (version 1): nobody can have saved it before.
    expected = row.version if was_default else change.version
    before = snapshot(row)
    values = change.model_dump(exclude={"version"}) | {"updated_at": utc_now()}
    update_if_version(
        session,
        PhotoView,
        (PhotoView.code, code),
        expected,
        values,
        stale_message="Someone changed this view since you opened the page.",
    )
    session.refresh(row)
    old, new = changed_fields(before, snapshot(row))
    record_event(
        session, actor, AuditAction.UPDATE, "photo_view", None, before=old, after=new
    )
    session.commit()
    return row


def _new_code(label: str, taken: set[str]) -> str:
    base = _NOT_WORD.sub("_", label.lower()).strip("_")[:32] or "view"
    code, number = base, 2
    while code in taken:
        code, number = f"{base}_{number}", number + 1
    return code


def add_view(session: Session, actor: Actor, data: dict[str, Any]) -> PhotoView:
    """Add a view at the end of the clinic's set.

    :raises InvalidInput: naming each bad field, or when the set is full.
    """
    created = parse_input(PhotoViewCreate, data)
    views = list_views(session, include_hidden=True)
    if len(views) >= MAX_VIEWS:
        raise InvalidInput(
            f"A clinic has at most {MAX_VIEWS} views.",
            fields={"label": f"cannot be added: there are {MAX_VIEWS} views already"},
        )
    _materialise(session, actor)
    row = PhotoView.model_validate(
        created,
        update={
            "code": _new_code(created.label, {view.code for view in views}),
            "position": max(view.position for view in views) + 1,
        },
    )
    add_audited(session, actor, row, "photo_view")
    session.commit()
    return row
