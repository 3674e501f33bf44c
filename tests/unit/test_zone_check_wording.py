"""A site in caution zones is worded by how many: "a caution zone", or "2 caution
zones" naming each zone, each zone's reason its own sentence."""

from planner.dosing.records import PlannedSite
from planner.dosing.zone_checks import ZoneFinding
from planner.dosing.zone_checks import check_zones

SITE = PlannedSite(3, "frontalis", "left", "affected", 2.0)
NEAR_BROW = ZoneFinding(
    "Frontalis within 1.5 cm of the brow",
    "Low frontalis points drop the brow: stay at least 1.5-2 cm above it.",
    "Brow ptosis [S37b]; the 1.5-2 cm distance UNSOURCED",
    "caution",
)
AFFECTED = ZoneFinding(
    "Frontalis on the affected side",
    "A flaccid brow on the palsied side drops further when the frontalis is "
    "weakened; frontalis is usually treated on the contralateral side",
    "Brow ptosis [S37b]; usual side [S2] [S13] [S15] [S19] (PARTIAL)",
    "caution",
)


def test_a_site_in_one_zone_lies_in_a_caution_zone():
    (warning,) = check_zones([(SITE, (AFFECTED,))])
    assert warning.message == (
        "Site 3, frontalis (left), lies in a caution zone. Frontalis on the "
        "affected side: A flaccid brow on the palsied side drops further when the "
        "frontalis is weakened; frontalis is usually treated on the contralateral "
        "side."
    )
    assert [zone.title for zone in warning.zones] == [AFFECTED.title]


def test_a_site_in_two_zones_lies_in_2_caution_zones_each_named():
    (warning,) = check_zones([(SITE, (NEAR_BROW, AFFECTED))])
    assert warning.message.startswith(
        "Site 3, frontalis (left), lies in 2 caution zones. "
        "Frontalis within 1.5 cm of the brow: Low frontalis points drop the brow: "
        "stay at least 1.5-2 cm above it. Frontalis on the affected side: A flaccid"
    )
    assert "a caution zone" not in warning.message
    assert [zone.title for zone in warning.zones] == [NEAR_BROW.title, AFFECTED.title]
    assert warning.source == (
        f"{NEAR_BROW.title}: {NEAR_BROW.source}; {AFFECTED.title}: {AFFECTED.source}"
    )


def test_a_site_in_no_zone_is_not_warned():
    assert check_zones([(SITE, ())]) == []
