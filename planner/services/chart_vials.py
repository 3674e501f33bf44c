"""The vials a chart drew from, as its state shows them: each site at its own
vial's dilution, and volumes and vials counted per vial."""

from zoneinfo import ZoneInfo

from sqlmodel import Session

from planner import dosing
from planner.models import InjectionSite
from planner.models import TreatmentSession
from planner.models import VialLot
from planner.services.chart_state_models import ChartSite
from planner.services.chart_state_models import LotInfo
from planner.services.chart_state_models import VialUseInfo


def lot_info(lot: VialLot | None, zone: ZoneInfo) -> LotInfo | None:
    """Return a vial as the chart state shows it; None for no vial."""
    if lot is None:
        return None
    assert lot.id is not None
    return LotInfo(
        id=lot.id,
        brand=lot.brand,
        lot_number=lot.lot_number,
        expiry_date=lot.expiry_date,
        vial_units=lot.vial_units,
        diluent_ml=lot.diluent_ml,
        units_per_tenth_ml=dosing.units_per_tenth_ml(lot.vial_units, lot.diluent_ml),
        reconstituted_at=None
        if lot.reconstituted_at is None
        else lot.reconstituted_at.astimezone(zone),
    )


def chart_lots(
    session: Session, record: TreatmentSession, rows: list[InjectionSite]
) -> dict[int, VialLot]:
    """Return the chart's vials by id, in the order first drawn from: the sites'
    vials, then the vial in use if no site came from it yet."""
    ids = [site.vial_lot_id for site in rows] + [record.vial_lot_id]
    lots: dict[int, VialLot] = {}
    for vial in ids:
        if vial is not None and vial not in lots:
            lot = session.get(VialLot, vial)
            if lot is not None:
                lots[vial] = lot
    return lots


def vial_uses(
    lots: dict[int, VialLot],
    record: TreatmentSession,
    sites: list[ChartSite],
    zone: ZoneInfo,
) -> list[VialUseInfo]:
    """Return each vial the chart used, with the sites it gave and their units."""
    used = []
    for vial, lot in lots.items():
        info = lot_info(lot, zone)
        assert info is not None
        mine = [site for site in sites if site.vial_lot_id == vial]
        used.append(
            VialUseInfo(
                **info.model_dump(),
                in_use=vial == record.vial_lot_id,
                site_numbers=[site.number for site in mine],
                units=sum(site.units or 0.0 for site in mine),
            )
        )
    return used


def volume_ml(
    by_vial: dict[int | None, float], lots: dict[int, VialLot]
) -> float | None:
    """Return the volume drawn, each vial's units at its dilution; None with no vial."""
    if not lots:
        return None
    drawn = (
        dosing.volume_ml(units, lots[vial].vial_units, lots[vial].diluent_ml)
        for vial, units in by_vial.items()
        if vial in lots and units
    )
    return round(sum(drawn, 0.0), 4)


def vials_used(
    by_vial: dict[int | None, float], lots: dict[int, VialLot]
) -> int | None:
    """Return the vials opened for the chart's doses, each vial by its own size."""
    if not lots:
        return None
    return sum(
        dosing.vials_used(units, lots[vial].vial_units)
        for vial, units in by_vial.items()
        if vial in lots
    )
