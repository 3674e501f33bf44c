"""The printed per-muscle table says better or worse beside each response (rO7).

SAQ lower is better, Sunnybrook higher (clinical reference §4.1, §4.3): the
printed muscles section words each response as the screen does, "−13.3 better",
never the bare signed number. Botox and Dysport.
"""

from datetime import timedelta

import pytest

from planner.reports.comparison import comparison_report
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_comparison_report import document_for
from tests.services.test_other_product_top_up import treat
from tests.services.test_review_after_top_up import D
from tests.services.test_review_after_top_up import score


@pytest.mark.parametrize(
    ("product", "doses"), [("botox", (4, 5)), ("dysport", (15, 20))]
)
def test_the_printed_muscle_table_gives_the_verdict(
    app, session, injector, make_patient, product, doses
):
    patient = make_patient()
    for i, (dose, review) in enumerate(zip(doses, (30, 38), strict=True)):
        score(session, injector, patient, 36, D[i].replace(hour=9), "pre_treatment")
        treat(
            session,
            injector,
            patient,
            [("mentalis", "left", dose)],
            D[i],
            product,
            sign=True,
        )
        score(session, injector, patient, review, D[i] + timedelta(days=14), "review")
    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    html, _ = document_for(app, report)
    table = html.split('class="muscle"')[1].split("</table>")[0]
    assert '−13.3 <span class="verdict">better</span>' in table
    assert '+4.4 <span class="verdict">worse</span>' in table
