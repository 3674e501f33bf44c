"""The diary's refusals in the patient's own words, each naming its question.

Patients read these on their phones: "Your answer: is required" told them
neither which question nor what to do. Each answer left out or not understood
is asked for again by its question, in the error box and beside the question,
and no message says "is required", "invalid" or pydantic's words.
"""

import re
from datetime import timedelta
from html import unescape

import pytest

from planner.services.diary_errors import in_patient_words
from tests.views.test_diary_pages import now
from tests.views.test_diary_pages import post

# The signed treatment and diary link fixture, which the tests ask for by name.
from tests.views.test_diary_pages import treat  # noqa: F401

# Pydantic's and the clinic forms' words, which a patient never reads.
TECHNICAL = re.compile(
    r"is required|invalid|Your answer|should be|should have|Input |valid date",
    re.IGNORECASE,
)
BOX = re.compile(r'<div class="diary-errors".*?</div>', re.S)
BESIDE = re.compile(r'<p class="diary-error" id="([^"]+)-error">([^<]*)</p>')


def today():
    return now().date().isoformat()


@pytest.mark.parametrize(
    ("step", "data", "expected"),
    [
        ("weekly", {"face": ""}, {"face": "Please choose how your face is this week."}),
        (
            "weekly",
            {"face": "fine"},
            {"face": "Please choose how your face is this week."},
        ),
        (
            "side-effect",
            {"effects": "", "other": "", "day": "not a date"},
            {
                "effects": "Please choose what you have noticed.",
                "day": "Please choose the day it started.",
            },
        ),
        (
            "side-effect",
            {"effects": "other", "other": "y" * 501, "day": "today"},
            {
                "other": (
                    "Please say what else you noticed, in 500 characters or fewer."
                ),
                "day": "Please choose the day it started.",
            },
        ),
        (
            "onset",
            {"day": ""},
            {"day": "Please choose the day you first noticed the injections working."},
        ),
        ("wear-off", {"day": "31/02"}, {"day": "Please choose the day it wore off."}),
    ],
    ids=["weekly-blank", "weekly-unknown", "effects", "other", "onset", "wear-off"],
)
def test_each_error_asks_for_its_question_in_plain_words(
    client,
    treat,  # noqa: F811
    step,
    data,
    expected,
):
    _, _, token = treat()
    response = post(client, token, step, data)
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    box = BOX.search(page)
    assert box is not None
    links = dict(re.findall(r'href="#field-([^"]+)">([^<]*)</a>', box.group(0)))
    assert links == expected
    assert dict(BESIDE.findall(page)) == expected
    assert not TECHNICAL.search(box.group(0))


def test_a_day_outside_the_cycle_says_which_day_and_why(client, treat):  # noqa: F811
    _, _, token = treat()
    future = (now() + timedelta(days=2)).date().isoformat()
    page = unescape(post(client, token, "wear-off", {"day": future}).get_data(True))
    assert "The day it wore off cannot be in the future." in page
    long_ago = (now() - timedelta(days=60)).date().isoformat()
    page = unescape(post(client, token, "onset", {"day": long_ago}).get_data(True))
    assert (
        "The day you first noticed it working cannot be before your injections." in page
    )


def test_the_questionnaire_names_each_question_left_out(client, treat):  # noqa: F811
    _, _, token = treat(days=100)
    response = post(client, token, "questionnaire", {"q1": "2"})
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    box = BOX.search(page)
    assert box is not None
    assert not TECHNICAL.search(box.group(0))
    links = dict(re.findall(r'href="#field-([^"]+)">([^<]*)</a>', box.group(0)))
    assert sorted(links) == [f"q{n}" for n in range(2, 10)] + ["when"]
    assert links["when"] == "Please choose when you are filling this in."
    assert links["q2"].startswith("Please answer question 2: ")


def test_messages_already_in_the_patients_words_are_kept():
    kept = "It is too early for these questions."
    assert in_patient_words("questionnaire", {"when": kept}) == {"when": kept}
    assert in_patient_words("weekly", {"form": "you have sent 20 entries"}) == {
        "form": "you have sent 20 entries"
    }
