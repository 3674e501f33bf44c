"""FHIR Observations of outcome assessments: the headline score and subscores.

Pure: no flask, no database. No LOINC codes exist for Sunnybrook, eFACE, SAQ or
FDI, so each instrument and subscore is coded in planner's own systems.
"""

from collections.abc import Callable
from collections.abc import Iterable

from planner.interop.fhir_codes import ASSESSMENT_CONTEXT
from planner.interop.fhir_codes import HOUSE_BRACKMANN_SYSTEM
from planner.interop.fhir_codes import INSTRUMENT_SYSTEM
from planner.interop.fhir_codes import OBSERVATION_CATEGORY
from planner.interop.fhir_codes import SCORE_SYSTEM
from planner.interop.fhir_codes import TIMEPOINTS
from planner.interop.fhir_codes import Resource
from planner.interop.fhir_codes import absent
from planner.interop.fhir_codes import coding
from planner.interop.fhir_codes import concept
from planner.interop.fhir_codes import instant
from planner.interop.fhir_codes import key_label
from planner.interop.fhir_codes import score_quantity
from planner.interop.fhir_codes import trimmed
from planner.interop.fhir_records import AssessmentRecord
from planner.scoring import INSTRUMENTS
from planner.vocabulary import PATIENT_ANSWERED

# Makes a reference to a table row's resource: ref("user", 3).
RefMaker = Callable[[str, int], Resource]


def observation(
    assessment: AssessmentRecord, ref: RefMaker, patient_ref: Resource
) -> Resource:
    """Return an outcome assessment as an Observation."""
    instrument = INSTRUMENTS[assessment.instrument]
    category = "survey" if assessment.instrument in PATIENT_ANSWERED else "exam"
    context: list[Resource] = [
        {"url": "timepoint", "valueCode": assessment.timepoint},
        {"url": "formulaVersion", "valueString": assessment.formula_version},
    ]
    if assessment.session_id is not None:
        context.append(
            {
                "url": "cycle",
                "valueReference": ref("treatment_session", assessment.session_id),
            }
        )
    performer = (
        patient_ref
        if assessment.self_entered
        else ref("user", assessment.entered_by_id)
    )
    resource: Resource = {
        "resourceType": "Observation",
        "extension": [{"url": ASSESSMENT_CONTEXT, "extension": context}],
        "status": "final",
        "category": [
            concept(coding(OBSERVATION_CATEGORY, category, category.capitalize()))
        ],
        "code": concept(
            coding(INSTRUMENT_SYSTEM, assessment.instrument, instrument.title),
            text=f"{instrument.title} ({TIMEPOINTS[assessment.timepoint].lower()})",
        ),
        "subject": patient_ref,
        "effectiveDateTime": instant(assessment.assessed_at),
        "performer": [performer],
        "component": list(components(assessment)),
    }
    resource.update(headline(assessment))
    return resource


def headline(assessment: AssessmentRecord) -> Resource:
    """Return the headline score as the Observation's value, or why it is absent."""
    scores = assessment.scores
    if assessment.instrument == "house_brackmann":
        grade = scores.get("grade")
        if not isinstance(grade, int) or isinstance(grade, bool):
            raise ValueError(
                f"assessment {assessment.id}: a House-Brackmann grade must be "
                f"a whole number, got {grade!r}"
            )
        numeral = str(scores.get("numeral") or grade)
        label = trimmed(str(scores.get("label") or ""))
        return {
            "valueCodeableConcept": concept(
                coding(HOUSE_BRACKMANN_SYSTEM, str(grade), f"Grade {numeral}"),
                text=f"Grade {numeral}" + (f": {label}" if label else ""),
            )
        }
    if assessment.total is None:
        return {"dataAbsentReason": absent()}
    return {"valueQuantity": score_quantity(assessment.total)}


def components(assessment: AssessmentRecord) -> Iterable[Resource]:
    """Yield each numeric subscore; text (a grade's numeral, label) is skipped."""
    for key, value in assessment.scores.items():
        if isinstance(value, str | bool):
            continue
        component: Resource = {
            "code": concept(
                coding(SCORE_SYSTEM, f"{assessment.instrument}.{key}", key_label(key))
            )
        }
        if value is None:
            component["dataAbsentReason"] = absent()
        elif isinstance(value, int):
            component["valueInteger"] = value
        else:
            component["valueQuantity"] = score_quantity(value)
        yield component
