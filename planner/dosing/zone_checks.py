"""A site placed in a caution zone of its face map: one warning per site.

The zones are data in the face map (``planner.facemap``); the caller finds which
apply to each site, and this module words the warning. A site in several zones
gets one warning saying how many ("lies in 2 caution zones") and naming each,
with each zone's source, as severe as the most severe zone: a reason typed for
it then covers the site, whatever the zones.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from planner.dosing.records import PlannedSite
from planner.dosing.records import SafetyWarning
from planner.dosing.records import Severity
from planner.dosing.records import ZoneNote


@dataclass(frozen=True)
class ZoneFinding:
    """A caution zone a site lies in, as the map words it."""

    title: str
    message: str
    source: str
    severity: Severity


def _zones_counted(zones: Sequence[ZoneFinding]) -> str:
    """Say how many zones: "a caution zone", or "2 caution zones"."""
    return "a caution zone" if len(zones) == 1 else f"{len(zones)} caution zones"


def _zone_told(zone: ZoneFinding) -> str:
    """Name one zone and say why it warns, as one sentence of its own."""
    message = zone.message.strip()
    end = "" if message.endswith((".", "!", "?")) else "."
    return f"{zone.title}: {message}{end}"


def check_zones(
    found: Iterable[tuple[PlannedSite, Sequence[ZoneFinding]]],
) -> list[SafetyWarning]:
    """Warn about each site that lies in one or more caution zones."""
    warnings = []
    for site, zones in found:
        if not zones:
            continue
        severity: Severity = (
            "warning" if any(z.severity == "warning" for z in zones) else "caution"
        )
        warnings.append(
            SafetyWarning(
                code="site_in_zone",
                severity=severity,
                message=(
                    f"Site {site.number}, {site.muscle.replace('_', ' ')} "
                    f"({site.side}), lies in {_zones_counted(zones)}. "
                    + " ".join(_zone_told(zone) for zone in zones)
                ),
                source="; ".join(f"{zone.title}: {zone.source}" for zone in zones),
                muscle=site.muscle,
                side=site.side,
                site_number=site.number,
                zones=tuple(ZoneNote(zone.title, zone.source) for zone in zones),
            )
        )
    return warnings
