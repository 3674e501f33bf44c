"""An amended record says its dose warnings were judged as at signing.

The amendment form says so where it asks for a dose warning's reason
(``test_amend_limits_wording``). Once saved, the chart's safety checks list
the amended chart's warnings, and the printed record each amendment's: both
say the same of a dose limit warning, and name the day, so a reader comparing
with today's limits knows why they differ. Botox and Dysport.
"""

import html
import re

import pytest

from planner.models import Role
from planner.reports.record import treatment_record
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_amend_keeps_signed_limits import limit_setter
from tests.services.test_reports import NOW
from tests.services.test_reports import html_for
from tests.services.test_safety_paths import Chair
from tests.views.test_amend_reason_labels import CASES
from tests.views.test_amend_reason_labels import CORRECTED
from tests.views.test_amend_reason_labels import KEY
from tests.views.test_amend_reason_labels import amender

NOTE = "Judged by the limits as at signing, 2 Mar 2026."
WARNING = "dose_above_point_limit:mentalis:left:1"


@pytest.fixture
def amended(session, injector, make_user, make_patient):
    chair = Chair(session, injector)
    return amender(session, chair, limit_setter(session, make_user), make_patient)


def warning_item(page, key):
    """Return the chart's safety check item of one warning, as text."""
    found = re.search(
        rf'<li class="warning-item[^"]*" data-key="{re.escape(key)}"[^>]*>(.*?)</li>',
        page,
        re.S,
    )
    assert found is not None, key
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


@pytest.mark.parametrize(("product", "figure", "signed_with", "moved_to"), CASES)
def test_an_amended_records_dose_warning_says_which_limits_judged_it(
    app, session, amended, login_as, product, figure, signed_with, moved_to
):
    signed, site_1 = amended(product, figure, signed_with, moved_to)
    injector = login_as(Role.INJECTOR)
    chart = f"/sessions/{signed.id}"
    before = injector.get(chart).get_data(as_text=True)
    # Signed, not amended: nothing was judged by limits other than its own.
    assert "as at signing" not in warning_item(before, WARNING)

    saved = injector.post_form(
        f"{chart}/amendments",
        {
            "version": str(signed.version),
            "reason": "Site 1's dose transcribed wrongly",
            f"units_{site_1}": CORRECTED[product],
            KEY: "Checked with the patient's notes",
        },
    )

    assert saved.status_code == 302
    page = injector.get(chart).get_data(as_text=True)
    assert NOTE in warning_item(page, WARNING)
    panels = injector.get(f"{chart}/panels").get_data(as_text=True)
    assert NOTE in warning_item(panels, WARNING)
    record = treatment_record(session, signed.id, face_map=FACE_MAP, zone=ZONE, now=NOW)
    printed = html_for(app, "reports/record.html", record=record)
    amendments = printed[printed.index('id="amendments-title"') :]
    assert NOTE in amendments
    assert NOTE not in printed[: printed.index('id="amendments-title"')]
