"""Say, in FHIR, that a patient's record was left out of an export, and why.

Pure: no flask, no database. A stored row can break what the export relies on
(a dose of zero written past the forms, a photo without its image): rather than
fail the whole download, the patient's record is refused, naming the row and
the reason. One patient's download answers 422; the whole-clinic NDJSON, which
has begun streaming by then, carries an ``OperationOutcome`` line in place of
that patient's Bundle and goes on with the others.
"""

from dataclasses import dataclass

from planner.interop.fhir_codes import Resource


@dataclass(frozen=True)
class Refusal:
    """A patient whose stored record cannot be exported, and why."""

    patient_id: int
    reason: str


def refusal_outcome(refusal: Refusal) -> Resource:
    """Return an OperationOutcome saying that the patient was not exported."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                # FHIR's issue code for content that breaks a rule.
                "code": "invariant",
                "diagnostics": f"Patient {refusal.patient_id} was not exported: "
                f"{refusal.reason}. Correct the record, then export again.",
            }
        ],
    }
