"""The enumerations stored in the database, declared once in ``planner.vocabulary``."""

from planner.vocabulary import AdverseEventKind as AdverseEventKind
from planner.vocabulary import AffectedSide as AffectedSide
from planner.vocabulary import AppointmentKind as AppointmentKind
from planner.vocabulary import AppointmentStatus as AppointmentStatus
from planner.vocabulary import AuditAction as AuditAction
from planner.vocabulary import Depth as Depth
from planner.vocabulary import Instrument as Instrument
from planner.vocabulary import PalsyCause as PalsyCause
from planner.vocabulary import Role as Role
from planner.vocabulary import SessionKind as SessionKind
from planner.vocabulary import SessionStatus as SessionStatus
from planner.vocabulary import Severity as Severity
from planner.vocabulary import Sex as Sex
from planner.vocabulary import Side as Side
from planner.vocabulary import SiteRole as SiteRole
from planner.vocabulary import Timepoint as Timepoint
from planner.vocabulary import WasteReason as WasteReason
