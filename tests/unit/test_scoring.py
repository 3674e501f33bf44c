import json
import math

import pytest

from planner.demo import outcomes as demo
from planner.models.enums import Instrument
from planner.scoring import INSTRUMENTS
from planner.scoring import Choice
from planner.scoring import Item
from planner.scoring import ScoreResult
from planner.scoring import ScoringError
from planner.scoring import Slider
from planner.scoring import get_instrument
from planner.scoring import score_eface
from planner.scoring import score_fdi
from planner.scoring import score_house_brackmann
from planner.scoring import score_items
from planner.scoring import score_saq
from planner.scoring import score_sunnybrook
from planner.scoring import static_item_score
from planner.scoring import validate_items
from planner.scoring.fdi import social_points
from planner.scoring.items import flatten
from planner.scoring.items import nest

EXPRESSIONS = (
    "brow_lift",
    "gentle_eye_closure",
    "open_mouth_smile",
    "snarl",
    "lip_pucker",
)
EFACE_STATIC = (
    "brow_rest",
    "palpebral_fissure_rest",
    "nasolabial_fold_rest",
    "oral_commissure_rest",
)
EFACE_DYNAMIC = (
    "brow_elevation",
    "gentle_eye_closure",
    "full_eye_closure",
    "oral_commissure_smile",
    "nasolabial_fold_depth_smile",
    "nasolabial_fold_orientation_smile",
    "lower_lip_eeee",
)
EFACE_SYNKINESIS = (
    "ocular_synkinesis",
    "midfacial_synkinesis",
    "mentalis_synkinesis",
    "platysmal_synkinesis",
)


def sunnybrook(eye, cheek, mouth, voluntary, synkinesis):
    """Build Sunnybrook answers in the demo seeder's nested shape."""
    return {
        "resting": {"eye": eye, "cheek": cheek, "mouth": mouth},
        "voluntary": dict(zip(EXPRESSIONS, voluntary, strict=True)),
        "synkinesis": dict(zip(EXPRESSIONS, synkinesis, strict=True)),
    }


def eface(static, dynamic, synkinesis):
    return {
        **dict(zip(EFACE_STATIC, static, strict=True)),
        **dict(zip(EFACE_DYNAMIC, dynamic, strict=True)),
        **dict(zip(EFACE_SYNKINESIS, synkinesis, strict=True)),
    }


def numbered(answers, start=1):
    return {f"q{n}": answer for n, answer in enumerate(answers, start=start)}


def fdi(physical, social):
    return {**numbered(physical), **numbered(social, start=6)}


def bad_fields(instrument, raw):
    with pytest.raises(ScoringError) as caught:
        validate_items(instrument, raw)
    return caught.value.fields


# Package shape


def test_registry_covers_every_stored_instrument():
    assert set(INSTRUMENTS) == {member.value for member in Instrument}
    for code, definition in INSTRUMENTS.items():
        assert definition.code == code
        assert get_instrument(Instrument(code)) is definition
        # Assessment.formula_version is a VARCHAR(40).
        assert 0 < len(definition.formula_version) <= 40
        assert definition.provenance
        assert "§4." in definition.reference
        keys = [item.key for item in definition.items]
        assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("code", "sections"),
    [
        (
            "sunnybrook",
            ("Resting symmetry", "Symmetry of voluntary movement", "Synkinesis"),
        ),
        ("eface", ("Static (at rest)", "Dynamic", "Synkinesis")),
        ("house_brackmann", ("Grade",)),
        ("saq", ("Questions",)),
    ],
)
def test_sections_in_form_order(code, sections):
    assert INSTRUMENTS[code].sections == sections


@pytest.mark.parametrize(
    ("code", "phrases"),
    [
        ("sunnybrook", ["PARTIAL", "[S51b]", "clamped at 0 is an UNSOURCED"]),
        ("eface", ["PARTIAL", "[S51]", "[S46]", "UNSOURCED"]),
        ("saq", ["Item wording", "20-100 formula", "UNSOURCED", "recomputed"]),
        ("fdi", ["UNSOURCED", "(sum - N) / N x 25", "Physical function subscale"]),
        ("house_brackmann", ["[S53]", "[S53b]"]),
    ],
)
def test_provenance_names_what_is_unsourced(code, phrases):
    for phrase in phrases:
        assert phrase in INSTRUMENTS[code].provenance


def test_item_needs_exactly_one_of_choices_or_slider():
    with pytest.raises(ValueError, match="either choices or a slider"):
        Item("x", "X", "S")
    with pytest.raises(ValueError, match="either choices or a slider"):
        Item("x", "X", "S", choices=(Choice(1, "one"),), slider=Slider(0, 1, ""))


def test_flatten_and_nest_are_inverse_for_one_level():
    nested = {"resting": {"eye": "wide"}, "q1": 3}
    assert flatten(nested) == {"resting.eye": "wide", "q1": 3}
    assert nest(flatten(nested)) == nested


# Sunnybrook


def test_sunnybrook_best_grading_scores_100():
    items = sunnybrook("normal", "normal", "normal", [5] * 5, [0] * 5)

    score = score_sunnybrook(items)

    # resting (0+0+0)x5 = 0; voluntary (5x5)x4 = 100; synkinesis 0; 100-0-0 = 100
    assert (score.resting, score.voluntary, score.synkinesis) == (0, 100, 0)
    assert (score.composite, score.composite_display) == (100, 100)


def test_sunnybrook_worst_grading_is_minus_15_shown_as_0():
    items = sunnybrook("narrow", "absent", "corner_drooped", [1] * 5, [3] * 5)

    score = score_sunnybrook(items)

    # resting (1+2+1)x5 = 20; voluntary (5x1)x4 = 20; synkinesis 5x3 = 15
    # composite 20-20-15 = -15, displayed clamped at 0
    assert (score.resting, score.voluntary, score.synkinesis) == (20, 20, 15)
    assert (score.composite, score.composite_display) == (-15, 0)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # resting (1+1+0)x5 = 10; voluntary (4+5+3+3+2)=17, x4 = 68;
        # synkinesis 0+2+3+1+1 = 7; composite 68-10-7 = 51
        (
            sunnybrook(
                "narrow", "more_pronounced", "normal", [4, 5, 3, 3, 2], [0, 2, 3, 1, 1]
            ),
            (10, 68, 7, 51, 51),
        ),
        # resting (1+1+1)x5 = 15; voluntary (2+3+1+2+2)=10, x4 = 40;
        # synkinesis 3+3+3+2+3 = 14; composite 40-15-14 = 11
        (
            sunnybrook(
                "wide",
                "less_pronounced",
                "corner_pulled_up",
                [2, 3, 1, 2, 2],
                [3, 3, 3, 2, 3],
            ),
            (15, 40, 14, 11, 11),
        ),
        # resting (1+2+1)x5 = 20; voluntary (1+2+1+1+1)=6, x4 = 24;
        # synkinesis 3+2+3+3+3 = 14; composite 24-20-14 = -10, shown as 0
        (
            sunnybrook(
                "eyelid_surgery",
                "absent",
                "corner_drooped",
                [1, 2, 1, 1, 1],
                [3, 2, 3, 3, 3],
            ),
            (20, 24, 14, -10, 0),
        ),
        # resting 0; voluntary (3x5)=15, x4 = 60; synkinesis 1x5 = 5;
        # composite 60-0-5 = 55
        (
            sunnybrook("normal", "normal", "normal", [3] * 5, [1] * 5),
            (0, 60, 5, 55, 55),
        ),
    ],
)
def test_sunnybrook_mixed_gradings(items, expected):
    score = score_sunnybrook(items)

    assert (
        score.resting,
        score.voluntary,
        score.synkinesis,
        score.composite,
        score.composite_display,
    ) == expected


@pytest.mark.parametrize(
    ("feature", "answer", "points"),
    [
        ("eye", "normal", 0),
        ("eye", "narrow", 1),
        ("eye", "wide", 1),
        ("eye", "eyelid_surgery", 1),
        ("cheek", "normal", 0),
        ("cheek", "absent", 2),
        ("cheek", "less_pronounced", 1),
        ("cheek", "more_pronounced", 1),
        ("mouth", "normal", 0),
        ("mouth", "corner_drooped", 1),
        ("mouth", "corner_pulled_up", 1),
    ],
)
def test_sunnybrook_resting_points(feature, answer, points):
    items = sunnybrook("normal", "normal", "normal", [5] * 5, [0] * 5)
    items["resting"][feature] = answer

    score = score_sunnybrook(items)

    # only this feature scores: points x5, taken off a perfect 100
    assert score.resting == points * 5
    assert score.composite == 100 - points * 5


def test_sunnybrook_composite_stays_within_minus_15_and_100():
    resting = [
        (eye, cheek, mouth)
        for eye in ("normal", "narrow")
        for cheek in ("normal", "less_pronounced", "absent")
        for mouth in ("normal", "corner_pulled_up")
    ]
    composites = [
        score_sunnybrook(sunnybrook(*rest, [v] * 5, [s] * 5)).composite
        for rest in resting
        for v in range(1, 6)
        for s in range(4)
    ]
    assert (min(composites), max(composites)) == (-15, 100)


def test_sunnybrook_accepts_form_fields_with_dotted_names():
    form = {
        "resting.eye": "narrow",
        "resting.cheek": "absent",
        "resting.mouth": "normal",
    }
    form |= {f"voluntary.{e}": "4" for e in EXPRESSIONS}
    form |= {f"synkinesis.{e}": "1" for e in EXPRESSIONS}

    items = validate_items("sunnybrook", form)

    assert items == sunnybrook("narrow", "absent", "normal", [4] * 5, [1] * 5)
    # resting (1+2+0)x5 = 15; voluntary 20x4 = 80; synkinesis 5; 80-15-5 = 60
    assert score_sunnybrook(form).composite == 60


def test_sunnybrook_result_headlines_the_raw_composite():
    items = sunnybrook("narrow", "absent", "corner_drooped", [1] * 5, [3] * 5)

    result = score_items("sunnybrook", items)

    assert result == ScoreResult(
        scores={
            "resting": 20,
            "voluntary": 20,
            "synkinesis": 15,
            "composite": -15,
            "composite_display": 0,
        },
        total=-15.0,
        formula_version="sunnybrook-1996",
        provenance=INSTRUMENTS["sunnybrook"].provenance,
        higher_is_better=True,
    )


# The demo seeder's stored shape


def test_demo_sunnybrook_items_score_like_the_seeder():
    # Shaped as planner/demo/outcomes.py writes Assessment.items for Sunnybrook.
    items = {
        "resting": {
            "eye": "narrow",
            "cheek": "more_pronounced",
            "mouth": "corner_pulled_up",
        },
        "voluntary": {
            "brow_lift": 4,
            "gentle_eye_closure": 4,
            "open_mouth_smile": 3,
            "snarl": 4,
            "lip_pucker": 5,
        },
        "synkinesis": {
            "brow_lift": 0,
            "gentle_eye_closure": 2,
            "open_mouth_smile": 2,
            "snarl": 1,
            "lip_pucker": 1,
        },
    }

    result = score_items("sunnybrook", items)

    # resting (1+1+1)x5 = 15; voluntary 20x4 = 80; synkinesis 6; 80-15-6 = 59
    seeded = demo.sunnybrook_scores(
        items["resting"],
        list(items["voluntary"].values()),
        list(items["synkinesis"].values()),
    )
    assert seeded == {"resting": 15, "voluntary": 80, "synkinesis": 6, "composite": 59}
    assert {k: result.scores[k] for k in seeded} == seeded
    assert result.total == 59
    assert result.formula_version == demo.SUNNYBROOK_FORMULA
    assert validate_items("sunnybrook", items) == items


def test_demo_vocabulary_matches_the_scoring_items():
    from planner.scoring import sunnybrook as module

    assert module.RESTING_POINTS == demo.RESTING_POINTS
    assert tuple(module.EXPRESSIONS) == demo.EXPRESSIONS == EXPRESSIONS


def test_demo_saq_items_score_like_the_seeder():
    # Shaped as planner/demo/outcomes.py writes Assessment.items for the SAQ.
    items = {
        "q1": 4,
        "q2": 3,
        "q3": 4,
        "q4": 2,
        "q5": 3,
        "q6": 3,
        "q7": 2,
        "q8": 2,
        "q9": 3,
    }

    result = score_items("saq", items)

    # sum 4+3+4+2+3+3+2+2+3 = 26; 26/45x100 = 57.777...; the seeder stores 57.8
    assert result.total == pytest.approx(2600 / 45)
    assert round(result.total, 1) == 57.8
    assert result.formula_version == demo.SAQ_FORMULA


# eFACE


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (200, 0), (100, 100), (150, 50), (50, 50), (199, 1), (40.5, 40.5)],
)
def test_eface_bidirectional_item_score(value, expected):
    # 100 - |100 - x|: 0 -> 100-100 = 0; 200 -> 100-100 = 0; 150 -> 100-50 = 50
    assert static_item_score(value) == expected


def test_eface_best_grading_scores_100():
    score = score_eface(eface([100] * 4, [100] * 7, [100] * 4))

    assert (score.static, score.dynamic, score.synkinesis) == (100, 100, 100)
    assert (score.total, score.total_dynamic_x2) == (100, 100)


@pytest.mark.parametrize("static", [0, 200])
def test_eface_worst_grading_scores_0(static):
    score = score_eface(eface([static] * 4, [0] * 7, [0] * 4))

    # 100-|100-0| = 0 and 100-|100-200| = 0: every item scores 0
    assert (score.static, score.dynamic, score.synkinesis) == (0, 0, 0)
    assert (score.total, score.total_dynamic_x2) == (0, 0)


def test_eface_fully_unbalanced_rest_with_perfect_movement():
    score = score_eface(eface([200] * 4, [100] * 7, [100] * 4))

    # static 0 each; total (4x0 + 7x100 + 4x100)/15 = 1100/15 = 73.33
    # weighted (0 + 2x700 + 400)/(4 + 2x7 + 4) = 1800/22 = 81.82
    assert (score.static, score.dynamic, score.synkinesis) == (0, 100, 100)
    assert score.total == pytest.approx(1100 / 15)
    assert score.total_dynamic_x2 == pytest.approx(1800 / 22)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # static [150, 60, 100, 130] -> [50, 60, 100, 70]: sum 280, mean 70
        # dynamic [80, 100, 90, 60, 50, 70, 40]: sum 490, mean 70
        # synkinesis [75, 50, 100, 25]: sum 250, mean 62.5
        # total (280+490+250)/15 = 1020/15 = 68
        # weighted (280 + 2x490 + 250)/22 = 1510/22 = 68.636...
        (
            eface(
                [150, 60, 100, 130], [80, 100, 90, 60, 50, 70, 40], [75, 50, 100, 25]
            ),
            (70, 70, 62.5, 68, 1510 / 22),
        ),
        # static [100, 100, 40.5, 200] -> [100, 100, 40.5, 0]: sum 240.5, mean 60.125
        # dynamic 7x50: sum 350, mean 50; synkinesis [0, 100, 100, 0]: sum 200, mean 50
        # total (240.5+350+200)/15 = 790.5/15 = 52.7
        # weighted (240.5 + 2x350 + 200)/22 = 1140.5/22 = 51.84...
        (
            eface([100, 100, 40.5, 200], [50] * 7, [0, 100, 100, 0]),
            (60.125, 50, 50, 52.7, 1140.5 / 22),
        ),
    ],
)
def test_eface_mixed_gradings(items, expected):
    score = score_eface(items)

    assert (
        score.static,
        score.dynamic,
        score.synkinesis,
        score.total,
        score.total_dynamic_x2,
    ) == pytest.approx(expected)


def test_eface_result_headlines_the_s51_mean_and_keeps_the_weighted_total():
    items = eface([150, 60, 100, 130], [80, 100, 90, 60, 50, 70, 40], [75, 50, 100, 25])

    result = score_items("eface", items)

    assert result.total == pytest.approx(68)
    assert result.scores["total_dynamic_x2"] == pytest.approx(1510 / 22)
    assert result.formula_version == "eface-s51-mean-v1"
    assert result.higher_is_better is True


def test_eface_sliders_from_a_form_keep_whole_numbers_as_ints():
    form = dict.fromkeys(EFACE_STATIC + EFACE_DYNAMIC + EFACE_SYNKINESIS, "100")
    form["brow_rest"] = "150.5"

    items = validate_items("eface", form)

    assert items["brow_rest"] == 150.5
    assert items["ocular_synkinesis"] == 100
    assert isinstance(items["ocular_synkinesis"], int)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("brow_rest", 201, "must be 0 to 200"),
        ("brow_rest", -1, "must be 0 to 200"),
        ("brow_elevation", 100.5, "must be 0 to 100"),
        ("ocular_synkinesis", "101", "must be 0 to 100"),
        ("brow_elevation", "abc", "must be a number"),
        ("brow_elevation", True, "must be a number"),
        ("brow_elevation", [50], "must be a number"),
        ("brow_elevation", math.nan, "must be a number"),
        ("brow_elevation", "inf", "must be a number"),
        ("brow_elevation", "1e400", "must be a number"),
        ("brow_elevation", 10**400, "must be a number"),
    ],
)
def test_eface_rejects_values_off_the_slider(key, value, message):
    items = eface([100] * 4, [100] * 7, [100] * 4)
    items[key] = value

    assert bad_fields("eface", items) == {key: message}


# House-Brackmann


@pytest.mark.parametrize(
    ("grade", "numeral", "label"),
    [
        (1, "I", "Normal"),
        (2, "II", "Mild dysfunction"),
        (3, "III", "Moderate dysfunction"),
        (4, "IV", "Moderately severe dysfunction"),
        (5, "V", "Severe dysfunction"),
        (6, "VI", "Total paralysis"),
    ],
)
def test_house_brackmann_grades(grade, numeral, label):
    score = score_house_brackmann(grade)
    result = score_items("house_brackmann", {"grade": str(grade)})

    assert (score.grade, score.numeral, score.label) == (grade, numeral, label)
    assert result.scores == {"grade": grade, "numeral": numeral, "label": label}
    assert result.total == float(grade)
    assert result.higher_is_better is False
    assert result.formula_version == "house-brackmann-1985"


def test_house_brackmann_form_choices_carry_the_table():
    (item,) = INSTRUMENTS["house_brackmann"].items
    choices = {choice.value: choice for choice in item.choices}

    assert list(choices) == [1, 2, 3, 4, 5, 6]
    assert choices[1].label == "I Normal"
    assert choices[1].description == "Normal facial function in all areas."
    assert choices[6].description == "No movement."
    assert choices[4].description == (
        "Obvious weakness and/or disfiguring asymmetry. At rest: Normal symmetry "
        "and tone. Forehead: None. Eye: Incomplete closure. Mouth: Asymmetric with "
        "maximum effort."
    )


@pytest.mark.parametrize(
    ("grade", "message"),
    [
        (0, "must be 1 to 6"),
        (7, "must be 1 to 6"),
        ("VII", "must be a whole number"),
        (2.5, "must be a whole number"),
    ],
)
def test_house_brackmann_rejects_other_grades(grade, message):
    with pytest.raises(ScoringError) as caught:
        score_house_brackmann(grade)

    assert caught.value.fields == {"grade": message}


# SAQ


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        # all 1: 9/45x100 = 20, the floor of the scale
        ([1] * 9, 20),
        # all 5: 45/45x100 = 100, the ceiling
        ([5] * 9, 100),
        # 1+2+3+4+5+1+2+3+4 = 25; 25/45x100 = 55.56
        ([1, 2, 3, 4, 5, 1, 2, 3, 4], 2500 / 45),
        # all 3: 27/45x100 = 60
        ([3] * 9, 60),
        # 2x8 + 3 = 19; 19/45x100 = 42.22
        ([2, 2, 2, 2, 2, 2, 2, 2, 3], 1900 / 45),
    ],
)
def test_saq_totals(answers, total):
    score = score_saq(numbered(answers))

    assert score.total == pytest.approx(total)


def test_saq_worked_mixed_example_to_two_decimals():
    assert round(score_saq(numbered([1, 2, 3, 4, 5, 1, 2, 3, 4])).total, 2) == 55.56


def test_saq_higher_is_worse_and_formula_is_labelled():
    result = score_items("saq", numbered(["5"] * 9))

    assert result.scores == {"total": 100}
    assert result.higher_is_better is False
    assert result.formula_version == "saq-unsourced-v1"
    assert "UNSOURCED" in result.provenance


def test_saq_needs_all_nine_answers():
    assert bad_fields("saq", numbered([3] * 8)) == {"q9": "is required"}


def test_saq_form_offers_nine_questions_on_a_1_to_5_scale():
    items = INSTRUMENTS["saq"].items

    assert [item.key for item in items] == [f"q{n}" for n in range(1, 10)]
    assert items[0].label == "When I smile, my eye closes."
    for item in items:
        assert [c.value for c in item.choices] == [1, 2, 3, 4, 5]
    assert items[0].choices[0].label == "Seldom or not at all"
    assert items[0].choices[-1].label == "All the time"


# FDI


def test_fdi_best_answers_score_100():
    # q6 is positive ("felt calm and peaceful"): "all" of the time scores 6;
    # q7-q10 are negative: "none" of the time scores 7-1 = 6
    items = fdi([5] * 5, ["all", "none", "none", "none", "none"])

    score = score_fdi(items)

    # physical (25-5)/5x25 = 100; social (30-5)/5x20 = 100
    assert (score.physical, score.social) == (100, 100)
    assert (score.physical_answered, score.social_answered) == (5, 5)


def test_fdi_worst_answers_score_0():
    # q6 "none" scores 1; q7-q10 "all" score 7-6 = 1
    items = fdi([1] * 5, ["none", "all", "all", "all", "all"])

    score = score_fdi(items)

    # physical (5-5)/5x25 = 0; social (5-5)/5x20 = 0
    assert (score.physical, score.social) == (0, 0)


def test_fdi_excludes_not_applicable_and_other_reasons():
    # physical [5, na, 3, 0, 2]: N/A and 0 ("other reasons") are left out,
    # so N = 3 and sum = 5+3+2 = 10: (10-3)/3x25 = 58.33
    # social q6 "most" 5; q7 "some" 7-3 = 4; q8 "little" 7-2 = 5;
    # q9 "good_bit" 7-4 = 3; q10 "none" 7-1 = 6: sum 23, (23-5)/5x20 = 72
    items = fdi([5, "na", 3, 0, 2], ["most", "some", "little", "good_bit", "none"])

    score = score_fdi(items)

    assert score.physical == pytest.approx(175 / 3)
    assert score.social == pytest.approx(72)
    assert (score.physical_answered, score.social_answered) == (3, 5)


def test_fdi_mixed_answers_from_a_form():
    # physical [4, 4, 3, 5, 2]: N = 5, sum 18: (18-5)/5x25 = 65
    # social q6 "some" 3; q7 "all" 1; q8 "most" 7-5 = 2; q9 "some" 4; q10 "none" 6:
    # sum 16, (16-5)/5x20 = 44
    form = fdi(["4", "4", "3", "5", "2"], ["some", "all", "most", "some", "none"])

    result = score_items("fdi", form)

    assert result.scores == {
        "physical": pytest.approx(65),
        "social": pytest.approx(44),
        "physical_answered": 5,
        "social_answered": 5,
    }
    assert result.total == pytest.approx(65)
    assert result.higher_is_better is True
    assert result.formula_version == "fdi-unsourced-v1"


def test_fdi_physical_is_none_when_no_item_applies():
    items = fdi(["na", "na", 0, "na", 0], ["all", "none", "none", "none", "none"])

    result = score_items("fdi", items)

    assert result.scores["physical"] is None
    assert result.scores["physical_answered"] == 0
    assert result.scores["social"] == 100
    assert result.total is None


@pytest.mark.parametrize(
    ("key", "frequency", "points"),
    [
        ("q6", "all", 6),
        ("q6", "none", 1),
        ("q7", "all", 1),
        ("q8", "most", 2),
        ("q9", "good_bit", 3),
        ("q10", "none", 6),
    ],
)
def test_fdi_reverses_negatively_worded_items(key, frequency, points):
    assert social_points(key, frequency) == points


def test_fdi_only_calm_and_peaceful_is_positively_worded():
    from planner.scoring import fdi as module

    labels = {item.key: item.label for item in module.SOCIAL_ITEMS}
    assert labels["q6"] == "Felt calm and peaceful"
    negative = module.NEGATIVE_ITEMS
    assert negative == {"q7", "q8", "q9", "q10"}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("q1", 6, "must be 0 to 5 or na"),
        ("q1", "N/A", "must be 0 to 5 or na"),
        ("q2", True, "must be 0 to 5 or na"),
        ("q6", 3, "must be one of: all, most, good_bit, some, little, none"),
        ("q7", "na", "must be one of: all, most, good_bit, some, little, none"),
    ],
)
def test_fdi_rejects_answers_off_the_scale(key, value, message):
    items = fdi([5] * 5, ["all"] * 5)
    items[key] = value

    assert bad_fields("fdi", items) == {key: message}


# Validation


def test_validation_names_every_bad_field():
    raw = numbered([1, "7", "x", 2.5, "", 3.0, [1], None])
    raw["q10"] = 1

    with pytest.raises(ScoringError) as caught:
        validate_items("saq", raw)

    assert isinstance(caught.value, ValueError)
    assert (
        str(caught.value)
        == "Synkinesis Assessment Questionnaire: 8 answers need attention"
    )
    assert caught.value.fields == {
        "q2": "must be 1 to 5",
        "q3": "must be a whole number",
        "q4": "must be a whole number",
        "q5": "is required",
        "q7": "must be a whole number",
        "q8": "is required",
        "q9": "is required",
        "q10": "is not an item of this instrument",
    }


def test_validation_message_counts_a_single_answer():
    with pytest.raises(ScoringError, match="1 answer needs attention"):
        validate_items("saq", numbered([3] * 8 + [0]))


def test_validation_accepts_numbers_and_form_strings_alike():
    assert validate_items("saq", numbered([" 2 ", 3.0, 4] + [1] * 6)) == numbered(
        [2, 3, 4] + [1] * 6
    )


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("resting", "eye"),
            "closed",
            "must be one of: normal, narrow, wide, eyelid_surgery",
        ),
        (("resting", "eye"), 1, "must be one of: normal, narrow, wide, eyelid_surgery"),
        (("voluntary", "snarl"), 0, "must be 1 to 5"),
        (("voluntary", "snarl"), "much", "must be a whole number"),
        (("synkinesis", "snarl"), 4, "must be 0 to 3"),
        (("synkinesis", "snarl"), False, "must be a whole number"),
    ],
)
def test_sunnybrook_validation_names_the_dotted_field(path, value, message):
    items = sunnybrook("normal", "normal", "normal", [5] * 5, [0] * 5)
    group, key = path
    items[group][key] = value

    assert bad_fields("sunnybrook", items) == {f"{group}.{key}": message}


def test_sunnybrook_validation_reports_missing_and_unknown_items():
    items = sunnybrook("normal", "normal", "normal", [5] * 5, [0] * 5)
    del items["resting"]["mouth"]
    items["voluntary"]["smirk"] = 3
    items["extra"] = "x"

    assert bad_fields("sunnybrook", items) == {
        "resting.mouth": "is required",
        "voluntary.smirk": "is not an item of this instrument",
        "extra": "is not an item of this instrument",
    }


def test_validated_items_validate_again_unchanged():
    cases = {
        "sunnybrook": sunnybrook("wide", "absent", "normal", [3] * 5, [1] * 5),
        "eface": eface([150, 60, 100, 130], [80] * 7, [75] * 4),
        "house_brackmann": {"grade": "3"},
        "saq": numbered(["2"] * 9),
        "fdi": fdi(["5", "na", "0", "3", "2"], ["some"] * 5),
    }
    for code, raw in cases.items():
        stored = validate_items(code, raw)
        assert validate_items(code, stored) == stored
        # What is stored goes into a JSON column, and so do the scores.
        assert json.loads(json.dumps(stored)) == stored
        json.dumps(score_items(code, stored).scores)


def test_unknown_instrument_is_a_scoring_error():
    with pytest.raises(ScoringError) as caught:
        validate_items("faces", {})
    assert caught.value.fields == {"instrument": "is not a known instrument"}
    with pytest.raises(ScoringError):
        score_items("faces", {})
