"""Comparing cycles on hand-built data: matrices, diffs, trends, durations, dose."""

import math
from datetime import date

import numpy as np
import pytest

from planner.comparison import CycleResponse
from planner.comparison import CycleSites
from planner.comparison import ScorePoint
from planner.comparison import SitePoint
from planner.comparison import cycle_diff
from planner.comparison import cycle_totals
from planner.comparison import dose_matrix
from planner.comparison import dose_response
from planner.comparison import effect_duration
from planner.comparison import muscle_dose_changes
from planner.comparison import muscles_treated
from planner.comparison import pair_nearest
from planner.comparison import score_trend

NAN = math.nan
OOC = "orbicularis_oculi_orbital"
DAO = "depressor_anguli_oris"


def site(number, muscle, side, x, y, units):
    return SitePoint(number, muscle, side, float(x), float(y), float(units))


# Cycle 1: two eye points and the platysma on the right, mentalis in the midline.
CYCLE_1 = CycleSites(
    cycle=1,
    treated_on=date(2024, 1, 10),
    product_code="botox",
    sites=(
        site(1, OOC, "right", 100, 200, 2.5),
        site(2, OOC, "right", 120, 210, 2.5),
        site(3, "mentalis", "midline", 200, 450, 5),
        site(4, "platysma", "right", 130, 480, 5),
    ),
)
# Cycle 2: eye point 1 charted 3 units away (same place), eye point 2 moved 20
# units, mentalis up to 7.5, platysma dropped, DAO and a left eye point added.
CYCLE_2 = CycleSites(
    cycle=2,
    treated_on=date(2024, 4, 10),
    product_code="botox",
    sites=(
        site(1, OOC, "right", 100, 203, 2.5),
        site(2, OOC, "right", 140, 210, 2.5),
        site(3, "mentalis", "midline", 200, 450, 7.5),
        site(4, DAO, "right", 150, 400, 2),
        site(5, OOC, "left", 300, 200, 1),
    ),
)
# Cycle 3: switched to Dysport; the eye points stay, mentalis changes number.
CYCLE_3 = CycleSites(
    cycle=3,
    treated_on=date(2024, 7, 10),
    product_code="dysport",
    sites=(
        site(1, OOC, "right", 100, 203, 7.5),
        site(2, OOC, "right", 140, 210, 7.5),
        site(3, "mentalis", "midline", 200, 450, 20),
    ),
)
CYCLES = (CYCLE_1, CYCLE_2, CYCLE_3)


# Records


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: site(1, OOC, "both", 0, 0, 1), "side must be"),
        (lambda: site(1, OOC, "right", NAN, 0, 1), "x must be a finite"),
        (lambda: site(1, OOC, "right", 0, 0, -1), "units must not be negative"),
        (lambda: CycleSites(0, date(2024, 1, 1), "botox", ()), "cycle must be"),
        (lambda: CycleSites(1, date(2024, 1, 1), "", ()), "product_code"),
        (lambda: CycleResponse(0), "cycle must be"),
    ],
)
def test_records_reject_bad_values(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# Matrix


def test_dose_matrix_right_side_by_hand():
    matrix = dose_matrix(CYCLES, [OOC, DAO, "platysma"], "right")

    assert matrix.muscles == (OOC, DAO, "platysma")
    assert matrix.cycles == (1, 2, 3)
    assert matrix.side == "right"
    np.testing.assert_allclose(
        matrix.units,
        [
            [5.0, 5.0, 15.0],  # two eye points each cycle
            [0.0, 2.0, 0.0],  # DAO only in cycle 2
            [5.0, 0.0, 0.0],  # platysma only in cycle 1
        ],
    )
    np.testing.assert_allclose(matrix.other_units, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(matrix.totals, [10.0, 7.0, 15.0])


def test_dose_matrix_midline_and_left_by_hand():
    midline = dose_matrix(CYCLES, ["mentalis", "procerus"], "midline")
    left = dose_matrix(CYCLES, [OOC], "left")

    np.testing.assert_allclose(midline.units, [[5.0, 7.5, 20.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(left.units, [[0.0, 1.0, 0.0]])


def test_dose_matrix_keeps_products_and_marks_the_change():
    matrix = dose_matrix(CYCLES, [OOC], "right")

    assert matrix.product_codes == ("botox", "botox", "dysport")
    assert matrix.product_changes == (False, False, True)
    assert matrix.mixed_products
    # Units stay as recorded: Dysport's 15 is not converted.
    assert matrix.units[0, 2] == 15.0
    assert not dose_matrix(CYCLES[:2], [OOC], "right").mixed_products


def test_dose_matrix_orders_columns_by_cycle_and_counts_unlisted_muscles():
    matrix = dose_matrix([CYCLE_3, CYCLE_1], ["platysma"], "right")

    assert matrix.cycles == (1, 3)
    assert matrix.treated_on == (date(2024, 1, 10), date(2024, 7, 10))
    np.testing.assert_allclose(matrix.units, [[5.0, 0.0]])
    # The eye points are not rows, but their units are not lost.
    np.testing.assert_allclose(matrix.other_units, [5.0, 15.0])
    np.testing.assert_allclose(matrix.totals, [10.0, 15.0])


def test_dose_matrix_is_read_only():
    matrix = dose_matrix(CYCLES, [OOC], "right")

    with pytest.raises(ValueError, match="read-only"):
        matrix.units[0, 0] = 99.0


@pytest.mark.parametrize(
    ("cycles", "muscles", "side", "message"),
    [
        (CYCLES, [OOC, OOC], "right", "listed once"),
        ((CYCLE_1, CYCLE_1), [OOC], "right", "appear once"),
        (CYCLES, [OOC], "both", "side must be"),
    ],
)
def test_dose_matrix_rejects_bad_input(cycles, muscles, side, message):
    with pytest.raises(ValueError, match=message):
        dose_matrix(cycles, muscles, side)


def test_dose_matrix_empty():
    matrix = dose_matrix([], [OOC], "right")

    assert matrix.units.shape == (1, 0)
    assert matrix.totals.shape == (0,)
    assert matrix.product_changes == ()


def test_cycle_totals_and_muscles_treated():
    np.testing.assert_allclose(cycle_totals(CYCLES), [15.0, 15.5, 35.0])
    assert muscles_treated(CYCLES, "right") == (OOC, "platysma", DAO)
    assert muscles_treated(CYCLES, "left") == (OOC,)


# Diff


def test_cycle_diff_kinds_by_hand():
    changes = cycle_diff(CYCLE_1, CYCLE_2)

    summary = [
        (
            change.kind,
            change.muscle,
            change.side,
            change.before.number if change.before else None,
            change.after.number if change.after else None,
        )
        for change in changes
    ]
    assert summary == [
        ("unchanged", OOC, "right", 1, 1),  # 3 units away: within tolerance
        ("moved", OOC, "right", 2, 2),  # 20 units away
        ("changed", "mentalis", "midline", 3, 3),  # 5 -> 7.5
        ("added", DAO, "right", None, 4),
        ("added", OOC, "left", None, 5),  # another side is another site
        ("removed", "platysma", "right", 4, None),
    ]
    distances = [change.distance for change in changes]
    assert distances[:3] == pytest.approx([3.0, 20.0, 0.0])
    assert distances[3:] == [None, None, None]


def test_cycle_diff_dose_deltas():
    changes = {(c.kind, c.muscle): c for c in cycle_diff(CYCLE_1, CYCLE_2)}

    mentalis = changes["changed", "mentalis"]
    assert (mentalis.units_before, mentalis.units_after) == (5.0, 7.5)
    assert mentalis.units_delta == 2.5
    assert mentalis.dose_changed
    assert changes["added", DAO].units_delta == 2.0
    assert changes["removed", "platysma"].units_delta == -5.0
    assert not changes["moved", OOC].dose_changed


def test_cycle_diff_moved_and_re_dosed_is_moved_with_a_dose_change():
    before = CycleSites(1, date(2024, 1, 1), "botox", (site(1, OOC, "right", 0, 0, 2),))
    after = CycleSites(
        2, date(2024, 4, 1), "botox", (site(1, OOC, "right", 30, 40, 4),)
    )

    (change,) = cycle_diff(before, after)

    assert change.kind == "moved"
    assert change.distance == pytest.approx(50.0)
    assert change.dose_changed
    assert change.units_delta == 2.0


@pytest.mark.parametrize(
    ("tolerance", "kind"), [(8.0, "unchanged"), (4.99, "moved"), (5.0, "unchanged")]
)
def test_cycle_diff_tolerance_is_strict(tolerance, kind):
    before = CycleSites(1, date(2024, 1, 1), "botox", (site(1, OOC, "right", 0, 0, 2),))
    after = CycleSites(2, date(2024, 4, 1), "botox", (site(1, OOC, "right", 3, 4, 2),))

    (change,) = cycle_diff(before, after, moved_tolerance=tolerance)

    assert change.kind == kind


def test_cycle_diff_across_products_gives_no_deltas():
    changes = cycle_diff(CYCLE_2, CYCLE_3)

    kinds = [
        (change.kind, change.muscle, change.side, change.same_product)
        for change in changes
    ]
    assert kinds == [
        ("changed", OOC, "right", False),
        ("changed", OOC, "right", False),
        ("changed", "mentalis", "midline", False),
        ("removed", DAO, "right", False),
        ("removed", OOC, "left", False),
    ]
    assert all(change.units_delta is None for change in changes)


def test_pair_nearest_is_greedy_and_stable():
    previous = [site(1, OOC, "right", 0, 0, 1), site(2, OOC, "right", 10, 0, 1)]
    current = [site(1, OOC, "right", 9, 0, 1), site(2, OOC, "right", 1, 0, 1)]

    pairs = pair_nearest(previous, current)

    # Previous 1 (x=0) goes with current 2 (x=1), previous 2 with current 1.
    assert sorted(pairs) == [(0, 1, 1.0), (1, 0, 1.0)]
    assert pair_nearest(previous, []) == []


def test_cycle_diff_pairs_by_distance_not_by_number():
    before = CycleSites(
        1,
        date(2024, 1, 1),
        "botox",
        (site(1, OOC, "right", 0, 0, 2), site(2, OOC, "right", 50, 0, 2)),
    )
    after = CycleSites(
        2,
        date(2024, 4, 1),
        "botox",
        (site(1, OOC, "right", 50, 2, 2), site(2, OOC, "right", 1, 0, 2)),
    )

    changes = cycle_diff(before, after)

    assert [change.kind for change in changes] == ["unchanged", "unchanged"]
    assert [(c.before.number, c.after.number) for c in changes] == [(2, 1), (1, 2)]


def test_cycle_diff_rejects_a_negative_tolerance():
    with pytest.raises(ValueError, match="moved_tolerance"):
        cycle_diff(CYCLE_1, CYCLE_2, moved_tolerance=-1)


def test_muscle_dose_changes_by_hand():
    changes = muscle_dose_changes(CYCLE_1, CYCLE_2)

    got = [(c.muscle, c.side, c.before, c.after, c.delta, c.relative) for c in changes]
    assert got == [
        (OOC, "right", 5.0, 5.0, 0.0, 0.0),
        ("mentalis", "midline", 5.0, 7.5, 2.5, 0.5),
        ("platysma", "right", 5.0, 0.0, -5.0, -1.0),
        (DAO, "right", 0.0, 2.0, 2.0, None),
        (OOC, "left", 0.0, 1.0, 1.0, None),
    ]


def test_muscle_dose_changes_across_products_are_not_numeric():
    changes = muscle_dose_changes(CYCLE_2, CYCLE_3)

    mentalis = next(c for c in changes if c.muscle == "mentalis")
    assert (mentalis.before, mentalis.after) == (7.5, 20.0)
    assert mentalis.delta is None
    assert mentalis.relative is None


# Trends


def score(cycle, day, total, instrument="saq", timepoint="review"):
    return ScorePoint(cycle, date(2024, 1, day), instrument, total, timepoint)


def test_score_trend_by_hand():
    points = [
        score(1, 1, 63.5),
        score(2, 2, 58.0),
        score(3, 3, 55.6),
        score(4, 4, 50.3),
        score(2, 2, 40.0, instrument="sunnybrook"),
    ]

    trend = score_trend(points, "saq")

    assert trend.cycles == (1, 2, 3, 4)
    np.testing.assert_allclose(trend.values, [63.5, 58.0, 55.6, 50.3])
    np.testing.assert_allclose(trend.change_from_baseline, [0.0, -5.5, -7.9, -13.2])
    np.testing.assert_allclose(trend.change_from_previous, [NAN, -5.5, -2.4, -5.3])
    assert trend.baseline == 63.5
    assert trend.by_cycle() == {1: 63.5, 2: 58.0, 3: 55.6, 4: 50.3}


def test_score_trend_takes_the_latest_in_a_cycle_or_the_timepoint():
    points = [
        score(1, 5, 60.0, timepoint="review"),
        score(1, 1, 70.0, timepoint="baseline"),
        score(1, 5, 62.0, timepoint="review"),  # same day, later in the list
        score(2, 9, 50.0, timepoint="pre_treatment"),
    ]

    np.testing.assert_allclose(score_trend(points, "saq").values, [62.0, 50.0])
    baseline = score_trend(points, "saq", timepoint="baseline")
    assert baseline.cycles == (1,)
    np.testing.assert_allclose(baseline.values, [70.0])


def test_score_trend_missing_cycles_and_nan():
    points = [
        score(2, 1, NAN),  # could not be scored: ignored
        score(2, 2, 70.0),
        score(4, 3, 60.0),
        score(5, 4, NAN),
        score(6, 5, 64.0),
    ]

    trend = score_trend(points, "saq", cycles=[1, 2, 3, 4, 5, 6])

    assert trend.cycles == (1, 2, 3, 4, 5, 6)
    np.testing.assert_allclose(trend.values, [NAN, 70.0, NAN, 60.0, NAN, 64.0])
    np.testing.assert_allclose(
        trend.change_from_baseline, [NAN, 0.0, NAN, -10.0, NAN, -6.0]
    )
    # Against the last earlier value, across the gaps.
    np.testing.assert_allclose(
        trend.change_from_previous, [NAN, NAN, NAN, -10.0, NAN, 4.0]
    )
    assert trend.baseline == 70.0
    # Without fixed columns only scored cycles appear.
    assert score_trend(points, "saq").cycles == (2, 4, 6)


@pytest.mark.parametrize("points", [[], [score(1, 1, NAN)]])
def test_score_trend_with_nothing_scored(points):
    trend = score_trend(points, "saq", cycles=[1])

    np.testing.assert_allclose(trend.values, [NAN])
    np.testing.assert_allclose(trend.change_from_baseline, [NAN])
    assert math.isnan(trend.baseline)
    assert trend.by_cycle() == {}


# Duration


def test_effect_duration_by_hand():
    responses = [
        CycleResponse(1, onset_days=3, peak_days=14, wear_off_weeks=10, rating=6),
        CycleResponse(2, onset_days=2, wear_off_weeks=14),
        CycleResponse(4, wear_off_weeks=13),
        CycleResponse(3, rating=8),
    ]

    duration = effect_duration(responses, cycles=[1, 2, 3, 4, 5])

    assert duration.cycles == (1, 2, 3, 4, 5)
    np.testing.assert_allclose(duration.wear_off_weeks, [10, 14, NAN, 13, NAN])
    np.testing.assert_allclose(duration.onset_days, [3, 2, NAN, NAN, NAN])
    np.testing.assert_allclose(duration.peak_days, [14, NAN, NAN, NAN, NAN])
    np.testing.assert_allclose(duration.ratings, [6, NAN, 8, NAN, NAN])
    assert duration.mean_weeks == pytest.approx(37 / 3)
    assert duration.median_weeks == 13.0
    assert duration.recorded == 3


@pytest.mark.parametrize(
    "responses", [[], [CycleResponse(1, rating=5), CycleResponse(2)]]
)
def test_effect_duration_without_wear_off(responses):
    duration = effect_duration(responses)

    assert duration.mean_weeks is None
    assert duration.median_weeks is None
    assert duration.recorded == 0


def test_effect_duration_rejects_two_responses_for_a_cycle():
    with pytest.raises(ValueError, match="two responses"):
        effect_duration([CycleResponse(1), CycleResponse(1)])


def test_cycle_response_rejects_negative_values():
    with pytest.raises(ValueError, match="wear_off_weeks"):
        CycleResponse(1, wear_off_weeks=-2)


# Dose against response


def eye_cycle(number, units, product="botox"):
    return CycleSites(
        number,
        date(2024, number, 1),
        product,
        (
            site(1, OOC, "right", 100, 200, units),
            site(2, "mentalis", "midline", 0, 0, 4),
        ),
    )


def test_dose_response_slope_on_an_exact_line():
    cycles = [eye_cycle(1, 2), eye_cycle(2, 4), eye_cycle(3, 6), eye_cycle(4, 8)]
    # SAQ = 70 - 2.5 x units: each unit goes with 2.5 points less.
    scores = {1: 65.0, 2: 60.0, 3: 55.0, 4: 50.0}

    result = dose_response(cycles, scores, OOC, "right")

    np.testing.assert_allclose(result.units, [2, 4, 6, 8])
    np.testing.assert_allclose(result.response, [65, 60, 55, 50])
    assert result.pairs == 4
    assert result.slope == pytest.approx(-2.5)
    assert result.intercept == pytest.approx(70.0)
    assert result.r == pytest.approx(-1.0)


def test_dose_response_skips_missing_responses_and_counts_zero_doses():
    cycles = [eye_cycle(1, 2), eye_cycle(2, 4), eye_cycle(3, 6), eye_cycle(4, 0)]
    # Response = 6 + 2 x units, over the doses 2, 6 and 0.
    scores = {1: 10.0, 3: 18.0, 4: 6.0}

    result = dose_response(cycles, scores, OOC, "right")

    np.testing.assert_allclose(result.units, [2, 4, 6, 0])
    np.testing.assert_allclose(result.response, [10, NAN, 18, 6])
    assert result.pairs == 3
    assert result.slope == pytest.approx(2.0)
    assert result.intercept == pytest.approx(6.0)
    assert result.r == pytest.approx(1.0)


@pytest.mark.parametrize(
    "scores", [{}, {1: 60.0}, {1: 60.0, 2: 55.0}, {1: 60.0, 2: NAN, 3: 50.0}]
)
def test_dose_response_needs_three_pairs(scores):
    cycles = [eye_cycle(1, 2), eye_cycle(2, 4), eye_cycle(3, 6)]

    result = dose_response(cycles, scores, OOC, "right")

    assert result.slope is None
    assert result.intercept is None
    assert result.r is None


def test_dose_response_same_dose_every_cycle_has_no_slope():
    cycles = [eye_cycle(1, 4), eye_cycle(2, 4), eye_cycle(3, 4)]

    result = dose_response(cycles, {1: 60.0, 2: 55.0, 3: 50.0}, OOC, "right")

    assert result.pairs == 3
    assert result.slope is None
    assert result.r is None


def test_dose_response_flat_response_has_a_slope_but_no_r():
    cycles = [eye_cycle(1, 2), eye_cycle(2, 4), eye_cycle(3, 6)]

    result = dose_response(cycles, {1: 50.0, 2: 50.0, 3: 50.0}, OOC, "right")

    assert result.slope == pytest.approx(0.0)
    assert result.r is None


def test_dose_response_does_not_fit_across_products():
    cycles = [eye_cycle(1, 2), eye_cycle(2, 4), eye_cycle(3, 15, product="dysport")]

    result = dose_response(cycles, {1: 60.0, 2: 55.0, 3: 50.0}, OOC, "right")

    assert result.mixed_products
    assert result.product_codes == ("botox", "botox", "dysport")
    assert result.slope is None
    assert result.r is None
