"""Review rP, P8: "do not make big faces" prints as the clinic's advice.

Clinical reference 6.1: "coordination, not strengthening" is [S18]; avoiding
exaggerated expressions is UNSOURCED for synkinesis ([S-ft] is a photo-capture
protocol). The handout keeps the first as fact and prints the second after its
"Your clinic's advice" label, with or without therapy, for every product.
"""

import re
from datetime import timedelta

import pytest

from planner.models import TreatmentSession
from planner.reports.moving import moving_your_face
from tests.services.test_handout_print import CLINIC_LABEL
from tests.services.test_handout_print import handout_for
from tests.services.test_handout_print import injector  # noqa: F401
from tests.services.test_handout_print import plan  # noqa: F401
from tests.services.test_handout_therapy import start_therapy
from tests.services.test_reports import NOW
from tests.services.test_reports import page_texts

PRODUCTS = {
    "botox": {},
    "dysport": {"product": "dysport", "vial_units": 300},
}
SOURCE = re.compile(r"\[S[-\w]+\]")


@pytest.mark.parametrize("in_therapy", [True, False])
def test_only_the_big_faces_half_is_the_clinics_own(in_therapy):
    lines = moving_your_face(in_therapy=in_therapy).lines
    own = [line.text for line in lines if line.clinics_own]
    assert own == ["Do not make big faces."]
    for line in lines:
        if not line.clinics_own:
            assert SOURCE.search(line.source), line.text
            assert "big faces" not in line.text
    assert any("[S18]" in line.source for line in lines)


@pytest.mark.parametrize("in_therapy", [True, False])
@pytest.mark.parametrize("product", list(PRODUCTS))
def test_the_handout_prints_big_faces_under_the_clinics_label(
    app,
    session,
    plan,  # noqa: F811
    injector,  # noqa: F811
    product,
    in_therapy,
):
    session_id = plan([("mentalis", "left", 2)], **PRODUCTS[product])
    if in_therapy:
        patient_id = session.get(TreatmentSession, session_id).patient_id
        start_therapy(session, injector, patient_id, NOW.date() - timedelta(days=30))
    handout, html, pdf = handout_for(app, session, session_id)
    assert handout.product.lower() == product
    assert handout.moving.in_therapy is in_therapy
    flat = " ".join(page_texts(pdf))
    first = "Keep doing your therapist's home plan." if in_therapy else "Ask us"
    line = flat[flat.index("Moving your face.") : flat.index("Tell any other")]
    assert first in line
    assert "Use small, slow, gentle moves, and do not overdo it." in line
    assert line.rstrip().endswith(CLINIC_LABEL + "Do not make big faces.")
    assert flat.count("big faces") == 1
    assert CLINIC_LABEL + "Use small" not in flat
    # The handout's own list of what it prints carries both halves.
    printed = {line.text: line.clinics_own for line in handout.advice_lines()}
    assert printed["Do not make big faces."] is True
    assert printed["Use small, slow, gentle moves, and do not overdo it."] is False
    assert '<strong class="clinic-advice">' in html
