"""FHIR Appointments: booked visits and the proposed windows for them.

Pure: no flask, no database. Proposed windows have ``requestedPeriod`` and no
start; R4 lets only proposed and cancelled appointments lack a start and end
(invariant app-3).
"""

from planner.interop.fhir_assessments import RefMaker
from planner.interop.fhir_codes import APPOINTMENT_DUE
from planner.interop.fhir_codes import APPOINTMENT_KIND_SYSTEM
from planner.interop.fhir_codes import APPOINTMENT_KINDS
from planner.interop.fhir_codes import APPOINTMENT_STATUS
from planner.interop.fhir_codes import Resource
from planner.interop.fhir_codes import coding
from planner.interop.fhir_codes import concept
from planner.interop.fhir_codes import instant
from planner.interop.fhir_codes import trimmed
from planner.interop.fhir_records import AppointmentRecord


def appointment_resource(
    appointment: AppointmentRecord, ref: RefMaker, patient_ref: Resource
) -> Resource:
    """Return an appointment, or a proposed window, as an Appointment."""
    status = APPOINTMENT_STATUS[appointment.status]
    attending = "needs-action" if appointment.status == "proposed" else "accepted"
    participants = [{"actor": patient_ref, "required": "required", "status": attending}]
    if appointment.clinician_id is not None:
        participants.append(
            {
                "actor": ref("user", appointment.clinician_id),
                "required": "required",
                "status": attending,
            }
        )
    kind = APPOINTMENT_KINDS[appointment.kind]
    start, end = sorted(
        (
            appointment.window_start or appointment.due_date,
            appointment.window_end or appointment.due_date,
        )
    )
    return {
        "resourceType": "Appointment",
        "extension": [
            {"url": APPOINTMENT_DUE, "valueDate": appointment.due_date.isoformat()}
        ],
        "status": status,
        "appointmentType": concept(
            coding(APPOINTMENT_KIND_SYSTEM, appointment.kind, kind), text=kind
        ),
        "description": kind,
        "start": None
        if appointment.starts_at is None
        else instant(appointment.starts_at),
        "end": None if appointment.ends_at is None else instant(appointment.ends_at),
        "requestedPeriod": [{"start": start.isoformat(), "end": end.isoformat()}],
        "comment": trimmed(appointment.notes),
        "supportingInformation": []
        if appointment.source_session_id is None
        else [ref("treatment_session", appointment.source_session_id)],
        "participant": participants,
    }
