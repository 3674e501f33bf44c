"""Enumerations stored in the database as their string values."""

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


PALSY_CAUSE_LABELS: dict[PalsyCause, str] = {
    PalsyCause.BELLS: "Bell's palsy",
    PalsyCause.RAMSAY_HUNT: "Ramsay Hunt syndrome",
    PalsyCause.POST_SURGICAL: "Post-surgical",
    PalsyCause.TRAUMA: "Trauma",
    PalsyCause.CONGENITAL: "Congenital",
    PalsyCause.OTHER: "Other",
}


SEX_LABELS: dict[Sex, str] = {
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.OTHER: "Other",
    Sex.UNKNOWN: "Not recorded",
}


class AffectedSide(StrEnum):
    """The patient's palsied side (the patient's own left or right)."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


AFFECTED_SIDE_LABELS: dict[AffectedSide, str] = {
    AffectedSide.LEFT: "Left",
    AffectedSide.RIGHT: "Right",
    AffectedSide.BILATERAL: "Both sides",
}


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


class Instrument(StrEnum):
    SUNNYBROOK = "sunnybrook"
    EFACE = "eface"
    HOUSE_BRACKMANN = "house_brackmann"
    SAQ = "saq"
    FDI = "fdi"


class Timepoint(StrEnum):
    BASELINE = "baseline"
    REVIEW = "review"
    PRE_TREATMENT = "pre_treatment"
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
