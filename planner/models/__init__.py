"""The tables, one module per noun; import from here."""

from planner.models.appointments import Appointment
from planner.models.assessments import Assessment
from planner.models.audit import AuditEvent
from planner.models.calendar import ClosedDay
from planner.models.calendar import Reminder
from planner.models.calendar import ReminderStatus
from planner.models.calendar import WorkingHours
from planner.models.consent import ConsentForm
from planner.models.consent import ConsentRecord
from planner.models.diary import DiaryEntry
from planner.models.diary import DiaryLink
from planner.models.enums import AdverseEventKind
from planner.models.enums import AffectedSide
from planner.models.enums import AppointmentKind
from planner.models.enums import AppointmentStatus
from planner.models.enums import AuditAction
from planner.models.enums import Depth
from planner.models.enums import Instrument
from planner.models.enums import PalsyCause
from planner.models.enums import Role
from planner.models.enums import SessionKind
from planner.models.enums import SessionStatus
from planner.models.enums import Severity
from planner.models.enums import Sex
from planner.models.enums import Side
from planner.models.enums import SiteRole
from planner.models.enums import Timepoint
from planner.models.enums import WasteReason
from planner.models.guards import attach_audit_guards
from planner.models.logins import LoginSession
from planner.models.logins import LoginThrottle
from planner.models.patients import Patient
from planner.models.patients import PatientCreate
from planner.models.patients import PatientRead
from planner.models.patients import PatientUpdate
from planner.models.photos import Photo
from planner.models.photos import PhotoConsentRecord
from planner.models.photos import PhotoImage
from planner.models.photos import PhotoView
from planner.models.products import Product
from planner.models.products import VialLot
from planner.models.settings import ClinicSetting
from planner.models.stock import StockLot
from planner.models.stock import StockReceipt
from planner.models.stock import StockWaste
from planner.models.therapy import Procedure
from planner.models.therapy import TherapyCourse
from planner.models.treatments import AdverseEvent
from planner.models.treatments import Amendment
from planner.models.treatments import CycleResponse
from planner.models.treatments import InjectionSite
from planner.models.treatments import ProtocolTemplate
from planner.models.treatments import TreatmentSession
from planner.models.users import User
from planner.models.users import UserCreate

attach_audit_guards(AuditEvent.__table__)  # type: ignore[attr-defined]  # SQLModel adds __table__ at class creation

__all__ = [
    "AdverseEvent",
    "AdverseEventKind",
    "AffectedSide",
    "Amendment",
    "Appointment",
    "AppointmentKind",
    "AppointmentStatus",
    "Assessment",
    "AuditAction",
    "AuditEvent",
    "ClinicSetting",
    "ClosedDay",
    "ConsentForm",
    "ConsentRecord",
    "CycleResponse",
    "Depth",
    "DiaryEntry",
    "DiaryLink",
    "InjectionSite",
    "Instrument",
    "LoginSession",
    "LoginThrottle",
    "PalsyCause",
    "Patient",
    "PatientCreate",
    "PatientRead",
    "PatientUpdate",
    "Photo",
    "Procedure",
    "PhotoConsentRecord",
    "PhotoImage",
    "PhotoView",
    "Product",
    "ProtocolTemplate",
    "Reminder",
    "ReminderStatus",
    "Role",
    "SessionKind",
    "SessionStatus",
    "Severity",
    "Sex",
    "Side",
    "SiteRole",
    "StockLot",
    "StockReceipt",
    "StockWaste",
    "Timepoint",
    "TherapyCourse",
    "TreatmentSession",
    "User",
    "UserCreate",
    "VialLot",
    "WasteReason",
    "WorkingHours",
]
