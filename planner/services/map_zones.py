"""Which caution zones of its face map each charted site lies in, as warnings.

The map is the version the session records, loaded from the maps that ship with
the code (``planner.facemap.editions``): a versioned map file never changes, so a
signed session's zones are the ones it was signed with.
"""

from collections.abc import Sequence

from planner import dosing
from planner.dosing.zone_checks import ZoneFinding
from planner.dosing.zone_checks import check_zones
from planner.facemap import load_edition
from planner.facemap import site_cautions
from planner.models import InjectionSite
from planner.models import TreatmentSession


def zone_warnings(
    record: TreatmentSession,
    sites: Sequence[InjectionSite],
    planned: Sequence[dosing.PlannedSite],
) -> list[dosing.SafetyWarning]:
    """Warn about each site in a caution zone for its muscle and role.

    ``planned`` are the same sites as the checks see them (roles as of now on a
    draft, as signed on a record), in the same order as ``sites``.
    """
    face_map = load_edition(record.map_version)
    return check_zones(
        (
            plan,
            tuple(
                ZoneFinding(zone.title, zone.message, zone.source, zone.severity)
                for zone in site_cautions(
                    face_map, site.x, site.y, muscle=plan.muscle, role=plan.role
                )
            ),
        )
        for site, plan in zip(sites, planned, strict=True)
    )
