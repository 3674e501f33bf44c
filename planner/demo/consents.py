"""Demo consents: treatment before every full treatment, research for most.

Demo data is synthetic, so its consents are recorded with a reason (a paper
form) rather than as drawn signatures, witnessed by the treating injector ten
minutes before the treatment. A patient whose last treatment is older than the
clinic's re-consent age is then asked to sign again, as a real one would be.
Research use is opt-in: most demo patients agreed at their latest treatment,
the rest were not asked, so the research export shows both.
"""

from dataclasses import dataclass

import numpy as np

from planner.demo.clock import MINUTE
from planner.demo.clock import IntArray
from planner.demo.clock import to_datetimes
from planner.demo.people import Cohort
from planner.demo.tables import Rows
from planner.demo.tables import column
from planner.demo.tables import table_of
from planner.demo.timeline import Sessions
from planner.models import ConsentRecord

REASON = "Demo data: paper consent form signed at the visit."
RESEARCH_REASON = "Demo data: paper research consent form signed at the visit."
# The share of demo patients who agreed to research use.
RESEARCH_SHARE = 0.8


@dataclass(frozen=True)
class DemoForm:
    """The treatment form version the demo consents point at."""

    id: int
    version: int


def build_consent_rows(
    sessions: Sessions, performed: IntArray, cohort: Cohort, form: DemoForm
) -> Rows:
    """Return a treatment consent row before each full session."""
    full = np.sort(sessions.of_full)
    patient = sessions.patient[full]
    given = cohort.rows.values["given_name"]
    family = cohort.rows.values["family_name"]
    names = [f"{given[p]} {family[p]}" for p in patient.tolist()]
    return Rows(
        table_of(ConsentRecord),
        patient=patient,
        values={
            "printed_name": names,
            "signed_at": to_datetimes(performed[full] - 10 * MINUTE),
            "witness_id": column(cohort.injector[patient]),
        },
        refs={"patient_id": ("patient", patient)},
        constants={
            "form_id": form.id,
            "kind": "treatment",
            "form_version": form.version,
            "method": "recorded",
            "reason": REASON,
        },
    )


def build_research_consent_rows(
    rng: np.random.Generator,
    sessions: Sessions,
    performed: IntArray,
    cohort: Cohort,
    form: DemoForm,
) -> Rows:
    """Return a research consent, five minutes before their latest full
    treatment, for about ``RESEARCH_SHARE`` of the treated patients."""
    full = np.sort(sessions.of_full)
    patient = sessions.patient[full]
    # Sessions are ordered by patient then time: a patient's last full one.
    latest = full[np.r_[patient[1:] != patient[:-1], True]] if len(full) else full
    latest = latest[rng.random(len(latest)) < RESEARCH_SHARE]
    agreed = sessions.patient[latest]
    given = cohort.rows.values["given_name"]
    family = cohort.rows.values["family_name"]
    return Rows(
        table_of(ConsentRecord),
        patient=agreed,
        values={
            "printed_name": [f"{given[p]} {family[p]}" for p in agreed.tolist()],
            "signed_at": to_datetimes(performed[latest] - 5 * MINUTE),
            "witness_id": column(cohort.injector[agreed]),
        },
        refs={"patient_id": ("patient", agreed)},
        constants={
            "form_id": form.id,
            "kind": "research",
            "form_version": form.version,
            "method": "recorded",
            "reason": RESEARCH_REASON,
        },
    )
