"""The chart panel's reason boxes are named by their warning, in words.

Each box used to read "Reason for going ahead": away from the warning's
message (a screen reader's list of fields, a box in focus) nothing said which
warning it answered. It now reads as the review sheet's and the amendment
form's do: "Reason for site 1, Mentalis (left) (needed to sign)". Botox and
Dysport, each with a dose far above its limits.
"""

import re

import pytest

from planner.models import Role
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import Chair

TOO_MUCH = {"botox": 20, "dysport": 60}


def reason_labels(page):
    """Return the text of every reason box's label on the chart."""
    found = re.findall(r'<label for="reason-\d+">(.*?)</label>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", label).split()) for label in found]


@pytest.mark.parametrize("product", sorted(TOO_MUCH))
def test_each_reason_box_names_its_warning(
    session, injector, make_patient, login_as, product
):
    chair = Chair(session, injector)
    record, version = chair.open(
        make_patient(affected_side="left"), DAY0, product=product
    )
    chair.tap(record, version, "mentalis", "left", TOO_MUCH[product], DAY0)
    browser = login_as(Role.INJECTOR)
    for path in (f"/sessions/{record.id}", f"/sessions/{record.id}/panels"):
        labels = reason_labels(browser.get(path).get_data(as_text=True))
        assert labels, path
        assert "Reason for site 1, Mentalis (left) (needed to sign)" in labels
        assert not [label for label in labels if "going ahead" in label]
        assert all(label.endswith(" (needed to sign)") for label in labels)
