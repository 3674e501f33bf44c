"""Plain records of one patient's chart, the input of the FHIR export.

Pure: no flask, no database. The service fills these from the tables; the exporter
(``planner.interop.fhir_export``) turns them into a Bundle. Enumerations travel as
their stored string values. Every record checks its own values, and
``PatientExport`` checks that each id a record names is present in the export, so
every reference the Bundle makes resolves inside it.
"""

import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any
from typing import Protocol

from planner.clinic_time import require_aware_or_none
from planner.interop.fhir_other import SurgeryRecord
from planner.interop.fhir_other import TherapyCourseRecord
from planner.vocabulary import APPOINTMENT_KINDS
from planner.vocabulary import APPOINTMENT_STATUSES
from planner.vocabulary import DEPTHS
from planner.vocabulary import INSTRUMENTS
from planner.vocabulary import SESSION_KINDS
from planner.vocabulary import SESSION_STATUSES
from planner.vocabulary import SEXES
from planner.vocabulary import SIDES
from planner.vocabulary import SITE_ROLES
from planner.vocabulary import TIMEPOINTS
from planner.vocabulary import require_choice

# A stored score: subscores are numbers, House-Brackmann adds its numeral and label.
ScoreValue = int | float | str | None


def _positive(name: str, value: float) -> None:
    # ``not value > 0`` also refuses NaN, which JSON cannot carry.
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a positive number, got {value!r}")


@dataclass(frozen=True)
class MuscleInfo:
    """A face-map muscle: its key, names and SNOMED CT concept id if verified."""

    code: str
    name: str
    abbreviation: str
    # Blank unless the concept id was checked (see the face map's notes).
    snomed: str = ""


@dataclass(frozen=True)
class PatientRecord:
    id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None

    def __post_init__(self) -> None:
        require_choice("sex", self.sex, SEXES)
        if not self.mrn:
            raise ValueError("mrn must not be empty")


@dataclass(frozen=True)
class PractitionerRecord:
    """A clinician who injected, graded or sees the patient."""

    id: int
    name: str


@dataclass(frozen=True)
class ProductRecord:
    """A toxin product; its units are its own and are never converted."""

    id: int
    # Also names its units in UCUM ("{botox_U}"): letters, digits, "-", "_", ".".
    code: str
    brand: str
    inn: str
    unit_name: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", self.code):
            raise ValueError(f"code: {self.code!r} is not a plain product code")


@dataclass(frozen=True)
class LotRecord:
    """A reconstituted vial: the batch's lot number and expiry, and the dilution."""

    id: int
    product_id: int
    lot_number: str
    expiry_date: date
    vial_units: int
    diluent_ml: float
    reconstituted_at: datetime | None = None
    # The brand on the vial's box: the product's own, or another (Azzalure).
    brand: str | None = None

    def __post_init__(self) -> None:
        if not self.lot_number:
            raise ValueError("lot_number must not be empty")
        _positive("vial_units", self.vial_units)
        _positive("diluent_ml", self.diluent_ml)
        require_aware_or_none("reconstituted_at", self.reconstituted_at)


@dataclass(frozen=True)
class SiteRecord:
    """One injection point as it stands now (amendments already applied)."""

    id: int
    number: int
    muscle: str
    side: str
    role: str
    # Map coordinates in the face map's own viewBox units.
    x: float
    y: float
    units: float
    depth: str | None = None
    note: str | None = None
    # The vial lot the dose was drawn from; None: no vial on record (a session
    # from before one was required), exported with the product only.
    lot_id: int | None = None

    def __post_init__(self) -> None:
        require_choice("side", self.side, SIDES)
        require_choice("role", self.role, SITE_ROLES)
        if self.depth is not None:
            require_choice("depth", self.depth, DEPTHS)
        _positive("units", self.units)
        if self.number < 1:
            raise ValueError(f"number must be 1 or more, got {self.number!r}")


@dataclass(frozen=True)
class DoseCorrection:
    """One site's dose before an amendment and after it; ``site`` is its number."""

    site: int
    before: float
    after: float


@dataclass(frozen=True)
class AmendmentRecord:
    """A correction made to a signed session, why, and the doses it changed.

    ``changes`` is the amendment as stored: the author's ``note``, and each
    corrected site under ``sites`` as ``{"site": number, "before": units,
    "after": units}``.
    """

    at: datetime
    reason: str
    changes: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_aware_or_none("at", self.at)
        for correction in self.corrections:
            _positive("before", correction.before)
            _positive("after", correction.after)

    @property
    def corrections(self) -> tuple[DoseCorrection, ...]:
        return tuple(
            DoseCorrection(int(entry["site"]), entry["before"], entry["after"])
            for entry in self.changes.get("sites", [])
        )

    @property
    def note(self) -> str | None:
        note = self.changes.get("note")
        return (note.strip() or None) if isinstance(note, str) else None


@dataclass(frozen=True)
class SessionRecord:
    """One treatment session with its sites, in charting order."""

    id: int
    kind: str
    cycle_number: int
    performed_at: datetime
    status: str
    injector_id: int
    product_id: int
    lot_id: int | None
    sites: tuple[SiteRecord, ...]
    notes: str | None = None
    amendments: tuple[AmendmentRecord, ...] = ()

    @property
    def lot_ids(self) -> tuple[int, ...]:
        """Every vial lot the session used: its sites', then a draft's one in use.

        A signed session's vial in use that no site came from gave nothing: it
        was switched to and never drawn from [S58].
        """
        in_use = self.lot_id if self.status == "draft" else None
        used = (*(site.lot_id for site in self.sites), in_use)
        return tuple(dict.fromkeys(lot for lot in used if lot is not None))

    @property
    def lotless(self) -> bool:
        """Whether a dose came from no vial on record: the product only is known."""
        return not self.lot_ids or any(site.lot_id is None for site in self.sites)

    def __post_init__(self) -> None:
        require_choice("kind", self.kind, SESSION_KINDS)
        require_choice("status", self.status, SESSION_STATUSES)
        require_aware_or_none("performed_at", self.performed_at)
        numbers = [site.number for site in self.sites]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"sites: session {self.id} numbers a site twice")


@dataclass(frozen=True)
class AssessmentRecord:
    """One completed instrument and its stored scores."""

    id: int
    instrument: str
    timepoint: str
    assessed_at: datetime
    scores: Mapping[str, ScoreValue]
    total: float | None
    formula_version: str
    self_entered: bool
    entered_by_id: int
    # The treatment cycle it was recorded in, if any.
    session_id: int | None = None

    def __post_init__(self) -> None:
        require_choice("instrument", self.instrument, INSTRUMENTS)
        require_choice("timepoint", self.timepoint, TIMEPOINTS)
        require_aware_or_none("assessed_at", self.assessed_at)


@dataclass(frozen=True)
class AppointmentRecord:
    """A follow-up: a proposed window, or a booked slot and what became of it."""

    id: int
    kind: str
    status: str
    due_date: date
    window_start: date | None = None
    window_end: date | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    clinician_id: int | None = None
    # The session whose follow-up this is.
    source_session_id: int | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        require_choice("kind", self.kind, APPOINTMENT_KINDS)
        require_choice("status", self.status, APPOINTMENT_STATUSES)
        require_aware_or_none("starts_at", self.starts_at)
        require_aware_or_none("ends_at", self.ends_at)
        if (self.starts_at is None) != (self.ends_at is None):
            raise ValueError("starts_at and ends_at must be given together")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")

    @property
    def has_slot(self) -> bool:
        return self.starts_at is not None


@dataclass(frozen=True)
class PhotoRecord:
    """A photograph of a standard view, taken for a cycle at a timepoint.

    ``width`` and ``height`` are those of the image described: the display-size
    JPEG in ``data``, or of that image when the export leaves the bytes out.
    """

    id: int
    session_id: int
    view_code: str
    view_label: str
    timepoint: str
    taken_at: datetime
    taken_by_id: int
    width: int
    height: int
    data: bytes | None = None

    def __post_init__(self) -> None:
        require_choice("timepoint", self.timepoint, TIMEPOINTS)
        require_aware_or_none("taken_at", self.taken_at)
        if self.width < 1 or self.height < 1:
            raise ValueError("a photo's width and height must be at least 1 pixel")


@dataclass(frozen=True)
class PatientExport:
    """Everything exported for one patient; every id named here is present."""

    patient: PatientRecord
    practitioners: tuple[PractitionerRecord, ...] = ()
    products: tuple[ProductRecord, ...] = ()
    lots: tuple[LotRecord, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()
    assessments: tuple[AssessmentRecord, ...] = ()
    appointments: tuple[AppointmentRecord, ...] = ()
    # Only photos the patient has not withdrawn consent for.
    photos: tuple[PhotoRecord, ...] = ()
    # Facial therapy and surgery beside the toxin (issue 22).
    therapy: tuple[TherapyCourseRecord, ...] = ()
    surgery: tuple[SurgeryRecord, ...] = ()

    def __post_init__(self) -> None:
        ids = {
            "practitioners": _unique("practitioners", self.practitioners),
            "products": _unique("products", self.products),
            "lots": _unique("lots", self.lots),
            "sessions": _unique("sessions", self.sessions),
        }
        codes = [product.code for product in self.products]
        if len(set(codes)) != len(codes):
            # Each product's units are coded by its code: two must never share one.
            raise ValueError(f"products: a code appears twice in {codes}")
        _unique("assessments", self.assessments)
        _unique("appointments", self.appointments)
        _unique("photos", self.photos)
        # A lot may be of another product than a session naming it (a session's
        # product changed without its vial): the exporter keeps each product's
        # units in resources of their own (``fhir_export``).
        for lot in self.lots:
            _require(ids, "products", lot.product_id, f"lot {lot.id}")
        for record in self.sessions:
            where = f"session {record.id}"
            _require(ids, "practitioners", record.injector_id, where)
            _require(ids, "products", record.product_id, where)
            for lot_id in record.lot_ids:
                _require(ids, "lots", lot_id, where)
        for assessment in self.assessments:
            where = f"assessment {assessment.id}"
            if not assessment.self_entered:
                _require(ids, "practitioners", assessment.entered_by_id, where)
            if assessment.session_id is not None:
                _require(ids, "sessions", assessment.session_id, where)
        for appointment in self.appointments:
            where = f"appointment {appointment.id}"
            if appointment.clinician_id is not None:
                _require(ids, "practitioners", appointment.clinician_id, where)
            if appointment.source_session_id is not None:
                _require(ids, "sessions", appointment.source_session_id, where)
        for photo in self.photos:
            _require(ids, "sessions", photo.session_id, f"photo {photo.id}")
            _require(ids, "practitioners", photo.taken_by_id, f"photo {photo.id}")


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


def _unique(name: str, records: Iterable[_HasId]) -> frozenset[int]:
    seen: set[int] = set()
    for record in records:
        if record.id in seen:
            raise ValueError(f"{name}: id {record.id} appears twice")
        seen.add(record.id)
    return frozenset(seen)


def _require(
    ids: Mapping[str, frozenset[int]], name: str, wanted: int, where: str
) -> None:
    if wanted not in ids[name]:
        raise ValueError(f"{where} names {name[:-1]} {wanted}, which is not exported")
