"""The face map: its data, hit testing, mirroring, anatomy and SVG rendering."""

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from planner.demo.people import Cohort
from planner.demo.sites import MUSCLES
from planner.demo.sites import anchor_table
from planner.demo.sites import draw_plans
from planner.facemap import FaceMapError
from planner.facemap import MarkerScale
from planner.facemap import Site
from planner.facemap import clearance
from planner.facemap import hit_test
from planner.facemap import load_face_map
from planner.facemap import locate
from planner.facemap import mirror
from planner.facemap import mirror_points
from planner.facemap import muscle_regions
from planner.facemap import no_go_at
from planner.facemap import reference_points
from planner.facemap import region_index
from planner.facemap import region_table
from planner.facemap import render_face_map
from planner.facemap import side_of
from planner.facemap.polygon import contains
from planner.facemap.polygon import distance_to_boundary
from planner.facemap.polygon import ring_array
from planner.facemap.polygon import shape_area
from planner.facemap.polygon import shape_centroid
from planner.reference import MUSCLE_DOSES

FACE_MAPS = Path(__file__).resolve().parents[2] / "face_maps"
SVG = "{http://www.w3.org/2000/svg}"
FACE_MAP = load_face_map(FACE_MAPS)
V1 = load_face_map(FACE_MAPS, "front-v1")
REGIONS = [
    (muscle.code, region.side)
    for muscle in FACE_MAP.muscles
    for region in muscle_regions(FACE_MAP, muscle)
]
OTHER_SIDE = {"right": "left", "left": "right", "midline": "midline"}


@pytest.fixture(name="raw")
def raw_fixture():
    """Return the front map's JSON as plain data, for tests that break it."""
    return json.loads((FACE_MAPS / "front-v2.json").read_text(encoding="utf-8"))


@pytest.fixture(name="load_raw")
def load_raw_fixture(tmp_path):
    """Write map data to a fresh folder and load it from there."""

    def load(data):
        (tmp_path / "front-v2.json").write_text(json.dumps(data), encoding="utf-8")
        return load_face_map(tmp_path)

    return load


def raw_muscle(raw, code):
    return next(m for m in raw["muscles"] if m["code"] == code)


def region_of(code, side):
    return region_table(FACE_MAP).regions[region_index(FACE_MAP, code, side)]


def test_front_map_has_every_reference_muscle_once():
    codes = [muscle.code for muscle in FACE_MAP.muscles]
    assert sorted(codes) == sorted(dose.muscle for dose in MUSCLE_DOSES)
    abbreviations = [muscle.abbreviation for muscle in FACE_MAP.muscles]
    assert len(set(abbreviations)) == len(abbreviations)
    assert FACE_MAP.view_box == (0, 0, 400, 520)
    assert FACE_MAP.midline_x == 200
    assert FACE_MAP.scale_px_per_cm == 20
    assert [m.code for m in FACE_MAP.muscles if m.midline] == ["procerus"]
    assert [m.code for m in FACE_MAP.muscles if m.central] == ["mentalis"]
    assert "not to scale" in FACE_MAP.source
    # Each muscle twice, the procerus once, and the central mentalis.
    assert len(REGIONS) == 2 * len(codes) - 1 + 1


def test_v2_keeps_the_v1_drawing_so_coordinates_mean_the_same_spot():
    assert (FACE_MAP.view_box, FACE_MAP.midline_x) == (V1.view_box, V1.midline_x)
    assert FACE_MAP.outline == V1.outline
    assert FACE_MAP.landmarks == V1.landmarks
    assert {m.code for m in V1.muscles} < {m.code for m in FACE_MAP.muscles}


def test_only_checked_snomed_codes_are_filled_in():
    filled = {m.code: m.snomed for m in FACE_MAP.muscles if m.snomed}
    assert filled == {"platysma": "18252004"}


def test_landmarks_and_outline_cover_face_and_neck():
    styles = {landmark.name: landmark.style for landmark in FACE_MAP.landmarks}
    assert set(styles) >= {
        "eye_right",
        "eye_left",
        "brow_right",
        "brow_left",
        "nose",
        "lip_upper",
        "lip_lower",
        "chin",
        "jaw_line",
        "midline",
        "neck",
    }
    assert styles["midline"] == "dashed"
    assert FACE_MAP.outline.startswith("M 200 40 ")
    assert "420" in FACE_MAP.outline
    assert "520" in FACE_MAP.outline


def test_region_arrays_are_built_once_per_map():
    assert region_table(FACE_MAP) is region_table(FACE_MAP)


def test_loading_is_cached_per_resolved_path():
    again = load_face_map(FACE_MAPS / "." / ".." / FACE_MAPS.name)
    assert again is FACE_MAP


@pytest.mark.parametrize(("code", "side"), REGIONS)
def test_reference_points_hit_their_muscle_and_side(code, side):
    muscle = FACE_MAP.muscle(code)
    for x, y in reference_points(FACE_MAP, muscle, side).tolist():
        hit = hit_test(FACE_MAP, x, y)
        assert hit is not None
        assert (hit.muscle, hit.side, hit.inside) == (code, side, True)
        mirrored = hit_test(FACE_MAP, *mirror(x, y))
        assert mirrored is not None
        assert (mirrored.muscle, mirrored.side) == (code, OTHER_SIDE[side])


def centroid_inside(code, side):
    region = region_of(code, side)
    return contains(region.shape, np.array([shape_centroid(region.shape)]))[0]


# A ring's centroid is in its hole; every other region contains its own.
CENTROID_REGIONS = [region for region in REGIONS if centroid_inside(*region)]


def test_every_region_contains_its_centroid():
    # On front-v1 the orbital part was a ring around the eye; front-v2 draws the
    # lids as their own regions and keeps only the lateral crow's-feet part.
    assert sorted(set(REGIONS) - set(CENTROID_REGIONS)) == []


@pytest.mark.parametrize(("code", "side"), CENTROID_REGIONS)
def test_centroid_hits_its_muscle_or_a_smaller_one_on_top(code, side):
    region = region_of(code, side)
    x, y = shape_centroid(region.shape)
    hit = hit_test(FACE_MAP, x, y)
    assert hit is not None
    assert hit.side == side
    assert hit.muscle == code or region_of(hit.muscle, hit.side).area < region.area


@pytest.mark.parametrize(("code", "side"), REGIONS)
def test_every_region_keeps_a_tappable_area(code, side):
    """Smaller regions on top must not bury a muscle: some of it stays tappable."""
    region = region_of(code, side)
    outer = region.shape[0]
    xs = np.arange(outer[:, 0].min(), outer[:, 0].max(), 1.0)
    ys = np.arange(outer[:, 1].min(), outer[:, 1].max(), 1.0)
    grid = np.array([(x, y) for x in xs for y in ys])
    winners = locate(FACE_MAP, grid)
    index = region_index(FACE_MAP, code, side)
    # At least 10 square units: about a fingertip at the usual zoom.
    assert (winners == index).sum() >= 10


def snap_candidates():
    """Points 6 units outside each region's edges that no region or no-go zone
    contains, off the midline."""
    points = []
    for region in region_table(FACE_MAP).regions:
        ring = region.shape[0]
        for start, end in zip(ring, np.roll(ring, -1, axis=0), strict=True):
            middle = (start + end) / 2
            normal = np.array([end[1] - start[1], start[0] - end[0]])
            normal /= np.hypot(*normal)
            for sign in (1, -1):
                candidate = middle + sign * 6 * normal
                if (
                    locate(FACE_MAP, candidate[None, :])[0] == -1
                    and no_go_at(FACE_MAP, *candidate) is None
                    and candidate[0] != 200
                ):
                    points.append(candidate)
    return np.array(points)


def test_a_point_just_outside_snaps_to_the_nearest_muscle_on_its_side():
    candidates = snap_candidates()
    assert len(candidates) > 50
    table = region_table(FACE_MAP)
    for x, y in candidates.tolist():
        # A point snaps to a region on its own side of the midline, or a midline one.
        own_side = [
            region for region in table.regions if region.side in {side_of(x), "midline"}
        ]
        distances = [
            distance_to_boundary(region.shape, np.array([[x, y]]))[0]
            for region in own_side
        ]
        nearest = own_side[int(np.argmin(distances))]
        hit = hit_test(FACE_MAP, x, y)
        assert hit is not None
        assert not hit.inside
        assert (hit.muscle, hit.side) == (nearest.muscle, nearest.side)
        assert hit.distance == pytest.approx(min(distances))
        assert hit.distance <= 12


def test_snapping_respects_the_tolerance():
    x, y = snap_candidates()[0]
    assert hit_test(FACE_MAP, x, y, tolerance=0.0) is None
    assert hit_test(FACE_MAP, x, y, tolerance=12.0) is not None


@pytest.mark.parametrize(("x", "y"), [(5, 515), (-40, -40), (395, 5), (200, 8)])
def test_a_far_away_point_hits_nothing(x, y):
    assert hit_test(FACE_MAP, x, y) is None


def test_mirror_and_sides():
    assert mirror(120, 300) == (280, 300)
    assert mirror(200, 10) == (200, 10)
    np.testing.assert_allclose(
        mirror_points(np.array([[0.0, 1.0], [150.5, 2.0]])),
        [[400.0, 1.0], [249.5, 2.0]],
    )
    assert [side_of(x) for x in (10, 200, 390)] == ["right", "midline", "left"]


def test_left_regions_mirror_the_right_ones():
    for muscle in FACE_MAP.muscles:
        if muscle.midline:
            continue
        right, left = muscle_regions(FACE_MAP, muscle)[:2]
        np.testing.assert_allclose(left.shape[0], mirror_points(right.shape[0]))
        assert left.area == pytest.approx(right.area)
        assert right.shape[0][:, 0].max() <= 200 <= left.shape[0][:, 0].min()


def test_polygon_with_a_hole():
    square = ring_array([[0, 0], [10, 0], [10, 10], [0, 10]])
    hole = ring_array([[4, 4], [6, 4], [6, 6], [4, 6]])
    points = np.array([[1.0, 1.0], [5.0, 5.0], [11.0, 5.0], [3.0, 5.0]])
    np.testing.assert_array_equal(
        contains((square, hole), points), [True, False, False, True]
    )
    assert shape_area((square, hole)) == pytest.approx(96)
    np.testing.assert_allclose(shape_centroid((square,)), (5, 5))
    np.testing.assert_allclose(
        distance_to_boundary((square, hole), points), [1, 1, 1, 1]
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["muscles"][1].update(code="frontalis"), "muscles[1].code"),
        (lambda raw: raw["muscles"][0].update(code="masseter"), "muscles[0].code"),
        (
            lambda raw: raw["muscles"][1].update(points=[[10, 10]], point_sources=[]),
            "muscles[1] (corrugator).points[0]",
        ),
        (
            lambda raw: raw["muscles"][3].update(region=[[190, 150], [210, 150]]),
            "muscles[3] (procerus).region",
        ),
        (
            lambda raw: raw["muscles"][3].update(
                region=[[191, 146], [209, 146], [212, 197], [190, 197]]
            ),
            "muscles[3] (procerus).region: a midline part must be its own mirror",
        ),
        (
            lambda raw: raw_muscle(raw, "mentalis")["central"].update(
                points=[[150, 396]]
            ),
            "(mentalis).central.points[0]",
        ),
        (
            lambda raw: raw_muscle(raw, "frontalis").update(point_sources=["x"]),
            "point_sources: give one per point (3), not 1",
        ),
        (
            lambda raw: raw["zones"].append(dict(raw["zones"][1])),
            "zones[8] (levator_central_upper_lid).code: duplicate",
        ),
        (
            lambda raw: raw["zones"][0].update(muscles=["frontalis"]),
            "a no-go zone refuses every tap",
        ),
        (
            lambda raw: raw["zones"][4].update(muscles=["masseter"]),
            "zones[4] (frontalis_near_brow).muscles: 'masseter' is not on the map",
        ),
        (
            lambda raw: raw["zones"][1]["region"].append([260, 160]),
            "zones[1] (levator_central_upper_lid).region[",
        ),
        (
            lambda raw: raw["muscles"][0]["region"].append([260, 100]),
            "muscles[0] (frontalis).region[14]",
        ),
        (
            lambda raw: raw["muscles"][0]["region"].append([-5, 100]),
            "muscles[0] (frontalis).region[14]",
        ),
        (lambda raw: raw_muscle(raw, "platysma").update(snomed="18252005"), "snomed"),
        (lambda raw: raw["muscles"][3].update(colour="red"), "colour"),
        (lambda raw: raw.update(midline_x=150), "midline_x"),
        (lambda raw: raw.update(outline='M 0 0"/><script/>'), "outline"),
        (lambda raw: raw["landmarks"][0].update(d=""), "landmarks[0].d"),
        (lambda raw: raw["muscles"].append(raw["muscles"][0]), "duplicate"),
    ],
)
def test_bad_map_data_is_rejected_naming_the_field(raw, load_raw, change, message):
    change(raw)
    with pytest.raises(FaceMapError, match="front-v2.json") as error:
        load_raw(raw)
    assert message in str(error.value)


def test_a_point_that_would_chart_a_smaller_muscle_is_rejected(raw, load_raw):
    buccinator = raw_muscle(raw, "buccinator")
    buccinator["points"].append([120, 330])  # the risorius reference point
    buccinator["point_sources"].append("the risorius reference point")
    with pytest.raises(FaceMapError, match="inside the smaller region of risorius"):
        load_raw(raw)


def test_a_reference_point_in_a_zone_is_rejected(raw, load_raw):
    # The lateral corrugator point 0.85 cm above the brow line.
    raw_muscle(raw, "corrugator")["points"][1] = [150, 127]
    with pytest.raises(FaceMapError, match="lies in the caution zone central_brow"):
        load_raw(raw)


def test_duplicate_codes_are_rejected(raw, load_raw):
    raw["muscles"][4]["code"] = raw["muscles"][3]["code"]
    with pytest.raises(FaceMapError, match=r"muscles\[4\]\.code: duplicate"):
        load_raw(raw)


@pytest.mark.parametrize("text", ["", "{", "[]"])
def test_unreadable_files_are_rejected(tmp_path, text):
    (tmp_path / "front-v2.json").write_text(text, encoding="utf-8")
    with pytest.raises(FaceMapError, match="front-v2.json"):
        load_face_map(tmp_path)


def test_missing_files_and_odd_names_are_rejected(tmp_path):
    with pytest.raises(FaceMapError, match="cannot read"):
        load_face_map(tmp_path)
    with pytest.raises(FaceMapError, match="plain file name"):
        load_face_map(FACE_MAPS, "../face_maps/front-v1")


def centroid(code, side="right"):
    return shape_centroid(region_of(code, side).shape)


def column_thickness(shape):
    """Return the largest vertical extent of the shape over 1-unit columns."""
    outer = shape[0]
    thickest = 0.0
    for x in np.arange(outer[:, 0].min() + 0.5, outer[:, 0].max(), 1.0):
        ys = np.arange(outer[:, 1].min(), outer[:, 1].max() + 0.25, 0.25)
        inside = ys[contains(shape, np.column_stack([np.full_like(ys, x), ys]))]
        if len(inside):
            thickest = max(thickest, float(inside.max() - inside.min()))
    return thickest


def test_dao_lies_lateral_to_dli():
    dao_x, _ = centroid("depressor_anguli_oris")
    dli_x, _ = centroid("depressor_labii_inferioris")
    assert abs(dao_x - 200) > abs(dli_x - 200)


def test_mentalis_reaches_the_midline_of_the_chin():
    region = region_of("mentalis", "right").shape[0]
    assert region[:, 0].max() >= 200 - 12
    _, y = centroid("mentalis")
    assert 360 < y < 420


def test_platysma_lies_on_the_neck_and_over_the_jaw_border():
    region = region_of("platysma", "right").shape[0]
    _, y = centroid("platysma")
    assert y > 420
    # The jaw border is at y 394-420 here; the sheet reaches above it.
    assert region[:, 1].min() < 395
    assert region[:, 1].max() == 520


@pytest.mark.parametrize(
    "code", ["orbicularis_oculi_pretarsal_upper", "orbicularis_oculi_pretarsal_lower"]
)
def test_pretarsal_bands_are_thin_and_on_the_lids(code):
    shape = region_of(code, "right").shape
    assert column_thickness(shape) < 12
    x, y = centroid(code)
    assert 114 < x < 172
    assert 160 < y < 210


def test_front_v1_orbital_part_rings_the_eye():
    table = region_table(V1)
    orbital = table.regions[
        region_index(V1, "orbicularis_oculi_orbital", "right")
    ].shape
    eye_centre = np.array([[143.0, 185.0]])
    assert not contains(orbital, eye_centre)[0]
    around = eye_centre + 40 * np.array(
        [[math.cos(a), math.sin(a)] for a in np.linspace(0, 2 * math.pi, 12)]
    )
    assert contains(orbital, around).all()


def test_upper_face_muscles_sit_in_order():
    frontalis_points = np.array(FACE_MAP.muscle("frontalis").points)
    _, corrugator_y = centroid("corrugator")
    _, eye_y = centroid("orbicularis_oculi_orbital")
    # The corrugator lies under the lowest frontalis, below its points.
    assert frontalis_points[:, 1].max() < corrugator_y < eye_y
    corrugator_x, _ = centroid("corrugator")
    assert corrugator_x > 143  # medial to the mid-pupillary line
    assert region_of("procerus", "midline").shape[0][:, 0].mean() == 200


def test_midface_muscles_sit_in_order():
    commissure_x = 150
    assert centroid("buccinator")[0] < commissure_x
    assert centroid("risorius")[0] < commissure_x
    zma = region_of("zygomaticus_major", "right").shape[0]
    top, bottom = zma[zma[:, 1].argmin()], zma[zma[:, 1].argmax()]
    assert top[0] < 100  # from the cheekbone
    assert top[1] < 240
    assert math.dist(bottom, (commissure_x, 331)) < 15  # to the mouth corner
    xs = [
        centroid(code)[0]
        for code in (
            "zygomaticus_major",
            "zygomaticus_minor",
            "levator_labii_superioris",
            "levator_labii_superioris_alaeque_nasi",
        )
    ]
    assert xs == sorted(xs)  # lateral to medial, ending beside the nose


def render(**options):
    svg = render_face_map(FACE_MAP, **options)
    return svg, ET.fromstring(svg)


def sites(units, colour="#0072B2", label="Corrugator supercilii, right"):
    return [
        Site(number=n, x=100 + 20 * n, y=300, units=u, colour=colour, label=label)
        for n, u in enumerate(units, start=1)
    ]


def test_svg_has_the_view_box_regions_and_labels():
    svg, root = render(title="Ann's chart")
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 400 520"
    assert root.get("width") is None
    regions = root.findall(f".//{SVG}path[@data-muscle]")
    assert {element.get("id") for element in regions} == {
        f"region-{code}-{side}" for code, side in REGIONS
    }
    for element in regions:
        title = element.find(f"{SVG}title")
        name = FACE_MAP.muscle(element.get("data-muscle")).name
        assert title is not None
        assert title.text.startswith(name)
        assert element.get("data-side") in title.text
    landmarks = root.findall(f".//{SVG}g[@class='landmarks']/{SVG}path")
    assert len(landmarks) == len(FACE_MAP.landmarks)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "R" in texts
    assert "L" in texts
    assert texts.index("R") < texts.index("L")


def test_svg_is_labelled_for_screen_readers():
    _, root = render(title="Injection sites, 3 June")
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    labelled = {element.get("id"): element for element in root}
    assert [labelled[name].tag for name in ids] == [f"{SVG}title", f"{SVG}desc"]
    assert labelled[ids[0]].text == "Injection sites, 3 June"
    assert "patient's right side is on the left" in labelled[ids[1]].text


def test_sites_are_numbered_and_grow_with_the_dose():
    _, root = render(sites=sites([0.5, 1, 2.5, 4, 10]), scale=MarkerScale(100))
    markers = root.findall(f".//{SVG}g[@class='site']")
    assert [marker.find(f"{SVG}text").text for marker in markers] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    radii = [float(marker.find(f"{SVG}circle").get("r")) for marker in markers]
    assert radii == sorted(radii)
    assert len(set(radii)) == len(radii)
    assert all(
        marker.find(f"{SVG}circle").get("fill") == "#0072B2" for marker in markers
    )
    titles = [marker.find(f"{SVG}title").text for marker in markers]
    assert titles[0] == "Site 1, 0.5 units: Corrugator supercilii, right"


def test_site_radius_is_clamped():
    scale = MarkerScale(100)
    assert scale.radius(0) == 5
    assert scale.radius(1000) == 13
    assert scale.radius(1) < scale.radius(2) < scale.radius(4)


def test_numbers_contrast_with_the_product_colour():
    _, root = render(sites=sites([1], colour="#E69F00") + sites([1], colour="#0072B2"))
    fills = [text.get("fill") for text in root.iter(f"{SVG}text")][-2:]
    assert fills == ["#000000", "#ffffff"]


def test_ghosts_are_faint_dashed_and_unnumbered():
    _, root = render(sites=sites([1]), ghosts=sites([1, 2, 3]))
    ghosts = root.findall(f".//{SVG}circle[@class='ghost']")
    assert len(ghosts) == 3
    assert all(ghost.get("stroke-dasharray") for ghost in ghosts)
    assert all(ghost.get("fill") == "none" for ghost in ghosts)
    group = root.find(f".//{SVG}g[@class='ghosts']")
    assert group.find(f".//{SVG}text") is None
    assert len(root.findall(f".//{SVG}g[@class='site']")) == 1


def test_text_is_escaped():
    evil = '<script>alert(1)</script> & "quotes"'
    svg, root = render(
        sites=sites([1], label=evil), ghosts=sites([1], label=evil), title=evil
    )
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    titles = [element.text for element in root.iter(f"{SVG}title")]
    assert titles.count(evil) == 1
    assert sum(evil in text for text in titles) == 3


def test_highlighted_regions_are_marked():
    _, root = render(highlight={"platysma", ("depressor_anguli_oris", "left")})
    lit = {
        element.get("id")
        for element in root.findall(f".//{SVG}path[@data-muscle]")
        if "highlight" in element.get("class").split()
    }
    assert lit == {
        "region-platysma-right",
        "region-platysma-left",
        "region-depressor_anguli_oris-left",
    }


def test_size_and_id_prefix_options():
    _, root = render(width=400, height=520, id_prefix="last-")
    assert (root.get("width"), root.get("height")) == ("400", "520")
    assert root.get("aria-labelledby") == "last-facemap-title last-facemap-desc"
    assert root.find(f".//{SVG}path[@id='last-region-mentalis-left']") is not None


def test_anchor_room_keeps_demo_sites_on_their_muscle():
    anchors = anchor_table()
    for index, dose in enumerate(MUSCLES):
        muscle = FACE_MAP.muscle(dose.muscle)
        side = "midline" if muscle.midline else "right"
        for slot in range(int(anchors.count[index])):
            x, y = anchors.x[index, slot], anchors.y[index, slot]
            room = anchors.room[index, slot]
            assert room == pytest.approx(
                clearance(FACE_MAP, muscle.code, side, np.array([[x, y]]))[0]
            )
            assert room > 1
            for angle in np.linspace(0, 2 * math.pi, 16, endpoint=False):
                probe = (
                    x + 0.9 * room * math.cos(angle),
                    y + 0.9 * room * math.sin(angle),
                )
                hit = hit_test(FACE_MAP, *probe, tolerance=0)
                assert (hit.muscle, hit.side) == (muscle.code, side)


def test_demo_plan_points_hit_their_muscle_and_side():
    rng = np.random.default_rng(3)
    count = 300
    cohort = Cohort(
        sex=rng.choice(["female", "male"], count),
        affected_side=rng.choice(["left", "right", "bilateral"], count),
        cause=np.full(count, "bells"),
        severity=rng.random(count),
        injector=np.zeros(count, dtype=np.int64),
        rows=None,
    )
    plan = draw_plans(rng, cohort)
    entry = np.repeat(np.arange(len(plan.point_count)), plan.point_count)
    muscles = np.array([dose.muscle for dose in MUSCLES])[plan.muscle[entry]]
    for x, y, muscle, side in zip(
        plan.x, plan.y, muscles, plan.side[entry], strict=True
    ):
        hit = hit_test(FACE_MAP, float(x), float(y), tolerance=0)
        assert (hit.muscle, hit.side) == (muscle, side)
