"""Reading and editing the clinic's settings: intervals, shares and reference doses.

A setting seeded from the reference carries its source. Once a clinic edits it,
it is the clinic's choice, not a sourced fact: its ``source`` says who edited it
and when, ``unsourced`` becomes true, and the audit trail keeps the old source.
The reference doses are read, and their edits checked, in ``reference_doses``.
"""

from datetime import datetime
from typing import Annotated
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ValidationError
from pydantic import ValidationInfo
from pydantic import field_validator
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import ClinicSetting
from planner.models import User
from planner.reference import MUSCLE_DOSES
from planner.scheduling import SETTING_KEYS
from planner.scheduling.settings_fit import follow_up_problem
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.catalogue import DEFAULT_SETTINGS
from planner.services.interval_change import SavedSetting
from planner.services.interval_change import refollow_interval
from planner.services.locking import update_if_version
from planner.services.lookup import get_or_raise
from planner.services.product_close import close_keys
from planner.services.product_close import close_problem
from planner.services.product_rules import INTERVAL_PREFIX
from planner.services.reference_doses import DOSE_PREFIX
from planner.services.reference_doses import DoseValue
from planner.services.setting_bounds import SCALAR_BOUNDS
from planner.services.setting_bounds import Bounds
from planner.services.settings_history import edited_label
from planner.validation import field_errors
from planner.validation import to_number

# Scheduling settings first, in the order the catalogue seeds them, then the
# reference doses from the brow down to the neck.
_ORDER = {
    key: index
    for index, key in enumerate(
        [key for key, *_ in DEFAULT_SETTINGS]
        + [DOSE_PREFIX + dose.muscle for dose in MUSCLE_DOSES]
    )
}


# Properties to receive on editing a day or week count, or a share
class ScalarValue(BaseModel):
    """A scalar setting, checked against the ``bounds`` passed in the context."""

    value: Annotated[float, BeforeValidator(to_number)]

    @field_validator("value")
    @classmethod
    def _within_bounds(cls, value: float, info: ValidationInfo) -> float:
        bounds: Bounds = (info.context or {})["bounds"]
        if bounds.whole and not value.is_integer():
            raise ValueError("must be a whole number")
        if not bounds.low <= value <= bounds.high:
            unit = f" {bounds.unit}" if bounds.unit else ""
            raise ValueError(
                f"must be between {bounds.low:g} and {bounds.high:g}{unit}"
            )
        return value


def list_settings(session: Session) -> list[ClinicSetting]:
    """Return every setting: scheduling first, then doses in face order.

    Per-product dose limits (``limit.…``) have their own page and are left out.
    """
    settings = session.exec(
        select(ClinicSetting).where(~col(ClinicSetting.key).startswith("limit."))
    ).all()
    return sorted(
        settings,
        key=lambda setting: (_ORDER.get(setting.key, len(_ORDER)), setting.key),
    )


def get_setting(session: Session, key: str) -> ClinicSetting:
    """Return one setting, or raise NotFound."""
    setting = get_or_raise(session, ClinicSetting, key, f"There is no setting {key!r}.")
    return setting


def get_setting_value(session: Session, key: str, default: Any) -> Any:
    """Return a setting's value, or ``default`` when the clinic has none."""
    setting = session.get(ClinicSetting, key)
    return default if setting is None else setting.value


def shipped_sources() -> dict[str, str | None]:
    """Return the source each setting was seeded with, by key."""
    sources: dict[str, str | None] = {
        key: source for key, _, _, source, _ in DEFAULT_SETTINGS
    }
    for dose in MUSCLE_DOSES:
        sources[DOSE_PREFIX + dose.muscle] = dose.source
    return sources


def _invalid(fields: dict[str, str]) -> InvalidInput:
    return InvalidInput("Some fields need correcting.", fields=fields)


def _validate_version(raw: int | str) -> int:
    try:
        version = int(raw)
    except (TypeError, ValueError):
        version = 0
    if version < 1:
        raise _invalid({"version": "is missing; reload the page and try again"})
    return version


def _validate_value(session: Session, key: str, raw_value: Any) -> Any:
    """Check a new value by the kind of setting; return it as it is stored."""
    if key.startswith(DOSE_PREFIX):
        if not isinstance(raw_value, dict):
            raise _invalid({"value": "must give the low, high and default doses"})
        try:
            dose = DoseValue.model_validate(raw_value)
        except ValidationError as exc:
            raise _invalid(
                {f"value.{name}": text for name, text in field_errors(exc).items()}
            ) from None
        return dose.model_dump()
    bounds = SCALAR_BOUNDS.get(key)
    if bounds is None:
        raise InvalidInput(
            f"planner does not know how to check {key!r}, so it cannot be edited here."
        )
    if bounds.optional and (raw_value is None or str(raw_value).strip() == ""):
        return None
    try:
        scalar = ScalarValue.model_validate(
            {"value": raw_value}, context={"bounds": bounds}
        )
    except ValidationError as exc:
        raise _invalid(field_errors(exc)) from None
    value: int | float = int(scalar.value) if bounds.whole else float(scalar.value)
    _check_follow_up(session, key, value)
    return value


def _label(key: str) -> str:
    return next(label for name, _, label, *_ in DEFAULT_SETTINGS if name == key)


def _check_follow_up(session: Session, key: str, value: float) -> None:
    """Refuse a follow-up setting the schedule could not be built with."""
    problem = close_problem(session, key, value, _label)
    if problem is None and key in SETTING_KEYS.values():
        stored = {
            name: get_setting_value(session, name, None)
            for name in (*SETTING_KEYS.values(), *close_keys())
        }
        problem = follow_up_problem(key, value, stored, _label)
    if problem is not None:
        raise _invalid({"value": problem})


def _same_value(old: Any, new: Any) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(
            float(old[name]) == float(new[name]) for name in new
        )
    return bool(old == new)


def edited_source(session: Session, actor: Actor, when: datetime) -> str:
    """Say whose edit a clinic setting is: 'Clinic setting (edited … by …)'."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    editor = user.name if user is not None else actor.email or "unknown user"
    return edited_label(editor, when)


def update_setting(
    session: Session,
    actor: Actor,
    key: str,
    raw_value: Any,
    *,
    version: int | str,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> ClinicSetting:
    """Save a clinic's edit of one setting, made against ``version``.

    See ``save_setting``, which this returns the setting of.
    """
    return save_setting(
        session, actor, key, raw_value, version=version, now=now, zone=zone
    ).setting


def save_setting(
    session: Session,
    actor: Actor,
    key: str,
    raw_value: Any,
    *,
    version: int | str,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> SavedSetting:
    """Save a clinic's edit of one setting, made against ``version``.

    A dose setting takes ``{"low", "high", "default"}``; the others take one
    number (form text is accepted). Saving the value unchanged changes nothing,
    so a sourced value does not become a clinic setting by a stray click. A
    product's minimum interval re-proposes that product's open re-treatment
    proposals in the same unit of work (``interval_change``).

    :param now: when the edit happened, in the clinic's zone; its date names the
        edit in the new source.
    :param zone: the clinic's zone, to count the re-proposed windows in its days;
        needed for a product's minimum interval.
    :raises InvalidInput: naming ``value``, ``value.low``, ``value.high``,
        ``value.default`` or ``version``.
    :raises StaleWrite: when someone saved the setting since ``version``.
    """
    expected = _validate_version(version)
    setting = get_setting(session, key)
    value = _validate_value(session, key, raw_value)
    if _same_value(setting.value, value):
        return SavedSetting(setting)
    if zone is None and key.startswith(INTERVAL_PREFIX):
        # Checked before writing: the proposals must move with the setting.
        raise ValueError(f"saving {key} needs the clinic's zone")
    when = now or utc_now()
    before = snapshot(setting)
    update_if_version(
        session,
        ClinicSetting,
        (col(ClinicSetting.key), key),
        expected,
        {
            "value": value,
            "source": edited_source(session, actor, when),
            "unsourced": True,
            "updated_by_id": actor.user_id,
            "updated_at": when,
        },
        stale_message="Someone else saved this setting while you were editing. "
        "Reload to see their value, then make your change again.",
    )
    session.refresh(setting)
    old, new = changed_fields(before, snapshot(setting))
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "clinic_setting",
        None,  # settings are keyed by name, so the key goes in before and after
        before={"key": key, **old},
        after={"key": key, **new},
    )
    follow_up = None
    if zone is not None and key.startswith(INTERVAL_PREFIX):
        follow_up = refollow_interval(
            session,
            actor,
            key.removeprefix(INTERVAL_PREFIX),
            zone=zone,
            source=f"setting {key} changed to {value}",
        )
    session.commit()
    return SavedSetting(setting, follow_up)
