"""The clinic's vocabulary: every stored code, and the words shown for it.

Pure: no flask, no database. Models, the pure packages, services, templates (the
``label`` filter) and the chart's script all read codes and labels from here.

The values are stored in the database and travel in exports; the Alembic migrations
and stored rows depend on them, so a value never changes. Labels may.
"""

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    """What a user may do: admins manage, injectors chart and sign, staff schedule."""

    ADMIN = "admin"
    INJECTOR = "injector"
    STAFF = "staff"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class PalsyCause(StrEnum):
    BELLS = "bells"
    RAMSAY_HUNT = "ramsay_hunt"
    POST_SURGICAL = "post_surgical"
    TRAUMA = "trauma"
    CONGENITAL = "congenital"
    OTHER = "other"


class AffectedSide(StrEnum):
    """The patient's palsied side (the patient's own left or right)."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class Side(StrEnum):
    """Anatomical side of an injection point, from the patient's point of view."""

    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"


class SiteRole(StrEnum):
    """Whether a point is on the palsied side or the healthy side, for balance."""

    AFFECTED = "affected"
    CONTRALATERAL = "contralateral"
    MIDLINE = "midline"


class Depth(StrEnum):
    SUPERFICIAL = "superficial"
    INTRAMUSCULAR = "intramuscular"
    DEEP = "deep"


class SessionKind(StrEnum):
    """A full treatment opens a cycle; a top-up belongs to the cycle it tops up."""

    FULL = "full"
    TOP_UP = "top_up"


class SessionStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    # A never-signed draft the injector set aside, with a reason: kept for the
    # record, counted nowhere (no cycle, no stock use, no export, no recall).
    DISCARDED = "discarded"


class Instrument(StrEnum):
    SUNNYBROOK = "sunnybrook"
    EFACE = "eface"
    HOUSE_BRACKMANN = "house_brackmann"
    SAQ = "saq"
    FDI = "fdi"


# The questionnaires a patient answers, in the order offered; a clinician grades
# the others.
PATIENT_ANSWERED = (Instrument.SAQ, Instrument.FDI)


class Timepoint(StrEnum):
    BASELINE = "baseline"
    REVIEW = "review"
    PRE_TREATMENT = "pre_treatment"
    WEAR_OFF = "wear_off"
    OTHER = "other"


class AdverseEventKind(StrEnum):
    EYELID_DROOP = "eyelid_droop"
    INCOMPLETE_EYE_CLOSURE = "incomplete_eye_closure"
    DRY_EYE = "dry_eye"
    LIP_WEAKNESS = "lip_weakness"
    SMILE_ASYMMETRY = "smile_asymmetry"
    DIFFICULTY_SWALLOWING = "difficulty_swallowing"
    OTHER = "other"


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class AppointmentKind(StrEnum):
    TREATMENT = "treatment"
    REVIEW = "review"
    ASSESSMENT = "assessment"
    OTHER = "other"


class AppointmentStatus(StrEnum):
    """Proposed appointments have a window but no slot yet."""

    PROPOSED = "proposed"
    BOOKED = "booked"
    ATTENDED = "attended"
    MISSED = "missed"
    CANCELLED = "cancelled"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SIGN = "sign"
    AMEND = "amend"
    PRINT = "print"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    SEED = "seed"
    BACKUP = "backup"
    # A read of a patient's record (page, API, calendar file, photograph): who
    # looked at it.
    VIEW = "view"
    # A look-up that names patients without changing anything: a batch recall.
    LOOKUP = "lookup"
    # A never-signed draft set aside with its reason (kept, not deleted).
    DISCARD = "discard"


class PhotoConsent(StrEnum):
    """What a patient agreed photographs may be used for; separate from treatment."""

    CLINICAL = "clinical"
    TEACHING = "teaching"
    WITHDRAWN = "withdrawn"


class WasteReason(StrEnum):
    """Why toxin was discarded: from an open vial, or whole unopened vials."""

    END_OF_SESSION = "end_of_session"
    EXPIRED_IN_USE = "expired_in_use"
    DROPPED = "dropped"
    EXPIRED_UNOPENED = "expired_unopened"
    DAMAGED = "damaged"
    RECALLED = "recalled"
    OTHER = "other"


class TherapyKind(StrEnum):
    """A course of facial therapy between injections (clinical reference seeds)."""

    NMRT = "nmrt"
    PHYSIOTHERAPY = "physiotherapy"


class ProcedureKind(StrEnum):
    """Surgery for synkinesis beside the toxin; the seeds' list, plus other."""

    DAO_EXCISION = "dao_excision"
    SELECTIVE_MYECTOMY = "selective_myectomy"
    SELECTIVE_NEUROLYSIS = "selective_neurolysis"
    BROW_LIFT = "brow_lift"
    UPPER_EYELID_SURGERY = "upper_eyelid_surgery"
    MUSCLE_TRANSFER = "muscle_transfer"
    OTHER = "other"


def _codes(kind: type[StrEnum]) -> frozenset[str]:
    return frozenset(member.value for member in kind)


SEXES = _codes(Sex)
SIDES = _codes(Side)
SITE_ROLES = _codes(SiteRole)
DEPTHS = _codes(Depth)
SESSION_KINDS = _codes(SessionKind)
SESSION_STATUSES = _codes(SessionStatus)
INSTRUMENTS = _codes(Instrument)
TIMEPOINTS = _codes(Timepoint)
APPOINTMENT_KINDS = _codes(AppointmentKind)
APPOINTMENT_STATUSES = _codes(AppointmentStatus)


def require_choice(name: str, value: str, choices: frozenset[str]) -> None:
    """Raise ValueError naming the argument unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")


_TABLES: Mapping[str, Mapping[StrEnum, str]] = {
    "role": {
        Role.ADMIN: "Admin",
        Role.INJECTOR: "Injector",
        Role.STAFF: "Staff",
    },
    "sex": {
        Sex.FEMALE: "Female",
        Sex.MALE: "Male",
        Sex.OTHER: "Other",
        Sex.UNKNOWN: "Not recorded",
    },
    "cause": {
        PalsyCause.BELLS: "Bell's palsy",
        PalsyCause.RAMSAY_HUNT: "Ramsay Hunt syndrome",
        PalsyCause.POST_SURGICAL: "Post-surgical",
        PalsyCause.TRAUMA: "Trauma",
        PalsyCause.CONGENITAL: "Congenital",
        PalsyCause.OTHER: "Other",
    },
    "affected_side": {
        AffectedSide.LEFT: "Left",
        AffectedSide.RIGHT: "Right",
        AffectedSide.BILATERAL: "Both sides",
    },
    "side": {Side.RIGHT: "Right", Side.LEFT: "Left", Side.MIDLINE: "Midline"},
    "site_role": {
        SiteRole.AFFECTED: "Affected",
        SiteRole.CONTRALATERAL: "Contralateral",
        SiteRole.MIDLINE: "Midline",
    },
    # What the chart adds after a site's side ("left · affected side"); a midline
    # site's side says it all.
    "site_role_note": {
        SiteRole.AFFECTED: "affected side",
        SiteRole.CONTRALATERAL: "contralateral",
        SiteRole.MIDLINE: "",
    },
    "session_kind": {SessionKind.FULL: "Full treatment", SessionKind.TOP_UP: "Top-up"},
    "session_status": {
        SessionStatus.DRAFT: "Draft",
        SessionStatus.SIGNED: "Signed",
        SessionStatus.DISCARDED: "Discarded",
    },
    "instrument": {
        Instrument.SUNNYBROOK: "Sunnybrook Facial Grading System",
        Instrument.EFACE: "eFACE",
        Instrument.HOUSE_BRACKMANN: "House–Brackmann grade",
        Instrument.SAQ: "Synkinesis Assessment Questionnaire",
        Instrument.FDI: "Facial Disability Index",
    },
    "timepoint": {
        Timepoint.BASELINE: "Baseline",
        Timepoint.REVIEW: "Review",
        Timepoint.PRE_TREATMENT: "Pre-treatment",
        Timepoint.WEAR_OFF: "Wear-off",
        Timepoint.OTHER: "Other",
    },
    "appointment_kind": {
        AppointmentKind.TREATMENT: "Treatment",
        AppointmentKind.REVIEW: "Review",
        AppointmentKind.ASSESSMENT: "Assessment",
        AppointmentKind.OTHER: "Other",
    },
    "appointment_status": {
        AppointmentStatus.PROPOSED: "Proposed",
        AppointmentStatus.BOOKED: "Booked",
        AppointmentStatus.ATTENDED: "Attended",
        AppointmentStatus.MISSED: "Missed",
        AppointmentStatus.CANCELLED: "Cancelled",
    },
    "adverse_event": {
        kind: kind.value.replace("_", " ").capitalize() for kind in AdverseEventKind
    },
    "severity": {severity: severity.value.capitalize() for severity in Severity},
    "photo_consent": {
        PhotoConsent.CLINICAL: "Clinical record only",
        PhotoConsent.TEACHING: "Clinical record, teaching and research",
        PhotoConsent.WITHDRAWN: "Withdrawn",
    },
    "waste_reason": {
        WasteReason.END_OF_SESSION: "End of session",
        WasteReason.EXPIRED_IN_USE: "Past its in-use time",
        WasteReason.DROPPED: "Dropped or spilled",
        WasteReason.EXPIRED_UNOPENED: "Expired unopened",
        WasteReason.DAMAGED: "Damaged",
        WasteReason.RECALLED: "Recalled",
        WasteReason.OTHER: "Other",
    },
    "therapy_kind": {
        TherapyKind.NMRT: "Neuromuscular retraining (NMRT)",
        TherapyKind.PHYSIOTHERAPY: "Facial physiotherapy",
    },
    "procedure_kind": {
        ProcedureKind.DAO_EXCISION: "DAO excision (myectomy)",
        ProcedureKind.SELECTIVE_MYECTOMY: "Selective myectomy",
        ProcedureKind.SELECTIVE_NEUROLYSIS: "Selective neurolysis",
        ProcedureKind.BROW_LIFT: "Brow lift",
        ProcedureKind.UPPER_EYELID_SURGERY: "Upper-eyelid surgery",
        ProcedureKind.MUSCLE_TRANSFER: "Muscle transfer",
        ProcedureKind.OTHER: "Other",
    },
}

# Keyed by the plain stored value, so a template, a JSON document or a string from a
# form finds a label as readily as an enum member does.
LABELS: Mapping[str, Mapping[str, str]] = {
    name: {member.value: text for member, text in table.items()}
    for name, table in _TABLES.items()
}


def role_for(side: Side, affected: AffectedSide) -> SiteRole:
    """Say whether a side is the palsied one or the healthy one for this patient."""
    if side == Side.MIDLINE:
        return SiteRole.MIDLINE
    if affected == AffectedSide.BILATERAL or side.value == affected.value:
        return SiteRole.AFFECTED
    return SiteRole.CONTRALATERAL


def label(vocabulary: str, value: str) -> str:
    """Return the words shown for a stored value; an unknown value shows as itself.

    :raises KeyError: when ``vocabulary`` names no table in :data:`LABELS`.
    """
    return LABELS[vocabulary].get(str(value), str(value))
