"""The enumerations stored in the database, declared once in ``planner.vocabulary``."""

from planner.vocabulary import AdverseEventKind
from planner.vocabulary import AffectedSide
from planner.vocabulary import AppointmentKind
from planner.vocabulary import AppointmentStatus
from planner.vocabulary import AuditAction
from planner.vocabulary import Depth
from planner.vocabulary import Instrument
from planner.vocabulary import PalsyCause
from planner.vocabulary import Role
from planner.vocabulary import SessionKind
from planner.vocabulary import SessionStatus
from planner.vocabulary import Severity
from planner.vocabulary import Sex
from planner.vocabulary import Side
from planner.vocabulary import SiteRole
from planner.vocabulary import Timepoint

__all__ = [
    "AdverseEventKind",
    "AffectedSide",
    "AppointmentKind",
    "AppointmentStatus",
    "AuditAction",
    "Depth",
    "Instrument",
    "PalsyCause",
    "Role",
    "SessionKind",
    "SessionStatus",
    "Severity",
    "Sex",
    "Side",
    "SiteRole",
    "Timepoint",
]
