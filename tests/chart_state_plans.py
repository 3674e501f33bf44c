"""Charts for the chart-state tests: a signed last cycle, today's chart with
sites, warnings and an unset dose, signed and amended when asked.

The same plan runs in Botox and in Dysport, each product's doses its own.
"""

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from planner.errors import InvalidInput
from planner.services import amendments as amendment_service
from planner.services import protocols
from planner.services import sessions as session_service
from planner.services.audit import Actor
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import sign_treatment

LAST_CYCLE = datetime(2026, 8, 20, 10, 0, tzinfo=UTC)
TODAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
# (product, vial units, last cycle's plan, today's plan): today's last site has
# no dose entered and the second dose is large enough to need a reason.
PLANS: dict[str, tuple[int, list[Any], list[Any]]] = {
    "botox": (
        100,
        [("mentalis", "left", 2.0), ("platysma", "left", 3.0)],
        [
            ("mentalis", "left", 2.5),
            ("platysma", "left", 40.0),
            ("buccinator", "left", 2.0),
        ],
    ),
    "dysport": (
        300,
        [("mentalis", "left", 5.0), ("platysma", "left", 7.5)],
        [
            ("mentalis", "left", 6.0),
            ("platysma", "left", 120.0),
            ("buccinator", "left", 5.0),
        ],
    ),
}
PRODUCTS = tuple(PLANS)


def every_key(value: Any, path: str = "") -> Iterator[str]:
    """Yield every key path of a JSON value; a list's items share ``[]``."""
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            yield inner
            yield from every_key(item, inner)
    elif isinstance(value, list):
        for item in value:
            yield from every_key(item, f"{path}[]")


def chart_today(
    session: Session,
    actor: Actor,
    patient_id: int,
    product: str,
    *,
    sign: bool = False,
    amend: bool = False,
) -> int:
    """Chart the plan's two cycles for ``product``; return today's session id."""
    vial_units, before, today = PLANS[product]
    form = {"product": product, "vial_units": vial_units}
    last = make_treatment(
        session, actor, patient_id, before, when=LAST_CYCLE, sign=True, **form
    )
    protocols.save_session_as_template(
        session,
        actor,
        face_map=FACE_MAP,
        treatment_session_id=last.id,
        name=f"Lower face, {product}, patient {patient_id}",
    )
    treatment = make_treatment(session, actor, patient_id, today, when=TODAY, **form)
    if sign or amend:
        sign_treatment(session, actor, treatment, when=TODAY)
    if amend:
        first = treatment.sites[0]
        data = {
            "version": session_service.get_session_record(
                session, treatment.id
            ).version,
            "reason": "Dose misread at the chair.",
            "note": "Mentalis corrected.",
            "corrections": [{"site_id": first.id, "units": first.units + 1}],
        }
        try:
            _amend(session, actor, treatment.id, data)
        except InvalidInput as exc:
            # The corrected dose raises new warnings: give each its reason.
            reasons = {
                name.removeprefix("reasons."): "Corrected dose agreed."
                for name in exc.fields
            }
            _amend(session, actor, treatment.id, {**data, "reasons": reasons})
    return treatment.id


def _amend(session: Session, actor: Actor, session_id: int, data: Any) -> None:
    amendment_service.amend_session(
        session, actor, session_id, data, zone=ZONE, now=TODAY + timedelta(hours=2)
    )
