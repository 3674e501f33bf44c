"""The chart's state as typed values: what the page, the API and the record read.

One model, built once by :func:`planner.services.chart_state.chart_state`: the
chart page renders it, sends it to chart.js as JSON (``model_dump(mode="json")``),
the chart API answers with it and documents it in its OpenAPI schema, and the
printed record reads it. Every model refuses unknown fields, so the schema says
exactly what the JSON holds.

Times are aware datetimes on the clinic's clock and dates are dates; in JSON
they are ISO 8601 strings, written as ``datetime.isoformat()`` writes them
("2026-11-20T10:00:00+00:00"), the form chart.js has always read.
"""

from datetime import date
from datetime import datetime
from typing import Annotated
from typing import Literal
from typing import NotRequired

from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import PlainSerializer
from pydantic import SerializerFunctionWrapHandler
from pydantic import WithJsonSchema
from pydantic import model_serializer
from pydantic import with_config
from typing_extensions import TypedDict

from planner.vocabulary import AffectedSide
from planner.vocabulary import SessionKind
from planner.vocabulary import SessionStatus
from planner.vocabulary import Side
from planner.vocabulary import SiteRole


def _iso(value: datetime) -> str:
    return value.isoformat()


# An aware moment on the clinic's clock; JSON gets its isoformat() text.
ClinicTime = Annotated[
    AwareDatetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Units = Annotated[float, Field(ge=0)]


class StateModel(BaseModel):
    """A part of the chart's state: fixed fields, no extras, never changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ProductInfo(StateModel):
    code: str = Field(min_length=1)
    brand: str = Field(min_length=1)
    unit_name: str = Field(min_length=1)
    colour: str
    # Whether planner holds the product's dose reference. Only a signed record
    # can be in a product without one (a draft is refused): it is shown as
    # recorded, without dose-range checks, and cannot be amended.
    dose_reference: bool


class LotInfo(StateModel):
    id: int
    # The brand on the vial's box: the product's, or another it is sold under.
    brand: str = Field(min_length=1)
    lot_number: str
    expiry_date: date
    vial_units: int = Field(gt=0)
    diluent_ml: float = Field(gt=0)
    units_per_tenth_ml: float = Field(gt=0)
    reconstituted_at: ClinicTime | None


class VialUseInfo(LotInfo):
    """A vial the chart's sites were drawn from, or the vial in use: the sites
    it gave (their numbers) and the units they took, in the product's units."""

    in_use: bool
    site_numbers: list[int]
    units: Units


class SessionInfo(StateModel):
    id: int
    patient_id: int
    kind: SessionKind
    cycle_number: int = Field(ge=1)
    status: SessionStatus
    version: int = Field(ge=1)
    performed_at: ClinicTime
    # The moment every check is taken at, on the clinic's clock: the time
    # entered by the injector, or on a draft started today, now.
    treatment_time: ClinicTime
    # The same moment as the form's datetime-local field takes it.
    treatment_time_input: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
    performed_at_confirmed: bool
    product: ProductInfo
    # The vial in use: new sites are drawn from it.
    lot: LotInfo | None
    # Every vial the chart used, in the order first drawn from, the one in use too.
    vials: list[VialUseInfo]
    signed_at: ClinicTime | None
    signed_by: str | None
    consent_obtained: bool


class PatientInfo(StateModel):
    id: int
    name: str
    mrn: str
    affected_side: AffectedSide


class ChartSite(StateModel):
    """A charted site with its syringe draw in the one format."""

    id: int
    number: int = Field(ge=1)
    muscle: str
    muscle_name: str
    abbreviation: str
    side: Side
    role: SiteRole
    x: float
    y: float
    # None until the clinician enters the dose; ``unset_reason`` says why.
    units: Units | None
    unset_reason: str | None
    volume_ml: float | None
    marks: float | None
    # The vial the dose was drawn from (``SessionInfo.vials``).
    vial_lot_id: int | None
    # The one format of the chair, the record and the API (0.001 mL, 0.1 mark).
    draw_text: str | None
    version: int = Field(ge=1)
    # The muscle's guidance and caution, with their sources, as the map has them.
    guidance: str
    caution: str


class MuscleTotal(StateModel):
    muscle: str
    muscle_name: str
    side: Side
    units: Units


class SideTotals(StateModel):
    """Units per side; a side with no dosed site has 0."""

    left: Units = 0.0
    right: Units = 0.0
    midline: Units = 0.0


class Totals(StateModel):
    """The sites whose dose is entered, added up; ``unset`` counts those still empty."""

    units: Units
    unset: int = Field(ge=0)
    volume_ml: float | None
    vials_used: int | None
    by_muscle: list[MuscleTotal]
    by_side: SideTotals


Severity = Literal["caution", "warning"]


@with_config(ConfigDict(extra="forbid"))
class ZoneJson(TypedDict):
    """A caution zone a warned site lies in: the face map's title and source."""

    title: str
    source: str


@with_config(ConfigDict(extra="forbid"))
class WarningJson(TypedDict):
    """A warning as the JSON holds it: a draft's has no reason or override."""

    key: str
    code: str
    severity: Severity
    message: str
    source: str
    muscle: str | None
    side: str | None
    site_number: int | None
    hard_stop: bool
    needs_reason: bool
    reason: NotRequired[str | None]
    overridden_by: NotRequired[str | None]
    zones: NotRequired[list[ZoneJson]]


class ChartWarning(StateModel):
    """A safety check's finding, as the chart shows it and the record keeps it.

    ``reason`` and ``overridden_by`` are what a signed record (or an amendment)
    keeps, when it keeps them; a draft's warnings carry neither, and their JSON
    leaves them out, as it always has. ``zones`` names the caution zones of a
    ``site_in_zone`` warning (a record signed before it was kept has none); any
    other warning's JSON leaves it out.
    """

    key: str = Field(min_length=1)
    code: str
    severity: Severity
    message: str = Field(min_length=1)
    # The rule's source tag, or "Clinic setting" when the rule is the clinic's own.
    source: str
    muscle: str | None = None
    side: str | None = None
    site_number: int | None = None
    hard_stop: bool = False
    needs_reason: bool
    reason: str | None = None
    overridden_by: str | None = None
    zones: list[ZoneJson] | None = None

    @model_serializer(mode="wrap")
    def _leave_out_unkept(self, handler: SerializerFunctionWrapHandler) -> WarningJson:
        data: WarningJson = handler(self)
        if "reason" not in self.model_fields_set:
            data.pop("reason", None)
        if "overridden_by" not in self.model_fields_set:
            data.pop("overridden_by", None)
        if self.zones is None:
            data.pop("zones", None)
        return data


class LastCycleSite(StateModel):
    """A site of the last cycle: its dose is in ``product``'s units (the code),
    which may not be today's; units of two products are never compared."""

    muscle: str
    side: Side
    x: float
    y: float
    units: Units | None
    product: str = Field(min_length=1)


class DoseChange(StateModel):
    """A muscle and side whose dose differs from last cycle's, in one product."""

    muscle: str
    side: Side
    before: Units
    after: Units


class MapInfo(StateModel):
    name: str
    version: int = Field(ge=1)
    # The drawing's scale, for distances in centimetres (front-v1 had none).
    scale_px_per_cm: float | None = Field(gt=0)


class SiteCorrection(StateModel):
    """An amendment's corrected dose: the site's number, old and new units."""

    site: int = Field(ge=1)
    before: Units
    after: Units


class AmendmentInfo(StateModel):
    at: ClinicTime
    author: str
    reason: str
    note: str | None
    sites: list[SiteCorrection]


class TemplateChoice(StateModel):
    id: int
    name: str
    description: str | None
    sites: int = Field(ge=0)
    product: str | None
    # Only a template written in today's product brings its doses.
    doses_carried: bool


class MuscleChoice(StateModel):
    code: str
    name: str
    abbreviation: str
    sides: list[Side]
    guidance: str
    caution: str


class TreatedMuscleInfo(StateModel):
    """A muscle-side a procedure excised or denervated (issue 22)."""

    muscle: str
    side: Side
    wording: str


class ChartState(StateModel):
    """The chart's whole state: sites, volumes, totals, warnings, last cycle, map."""

    session: SessionInfo
    patient: PatientInfo
    sites: list[ChartSite]
    totals: Totals
    warnings: list[ChartWarning]
    # Clinical flags changed since the patient's last signed chart (drafts only).
    flag_changes: list[str]
    last_cycle: list[LastCycleSite]
    changes: list[DoseChange]
    # The face map drawn by facemap.render, which escapes all text.
    svg: str
    treated_muscles: list[TreatedMuscleInfo]
    map: MapInfo
    amendments: list[AmendmentInfo]
    templates: list[TemplateChoice]
    # None for a product with no dose reference (a signed record, never edited).
    step_units: Annotated[float, Field(gt=0)] | None
    min_units: float = Field(gt=0)
    max_units: int = Field(gt=0)
    muscles: list[MuscleChoice]

    def as_json(self) -> dict[str, object]:
        """Return the state as chart.js reads it (JSON-ready values only)."""
        return self.model_dump(mode="json")
