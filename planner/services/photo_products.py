"""The product and dose each cycle's photos follow, in that product's own units.

A photo at the review shows its own cycle's effect; one before the injections
shows the face as the cycle before it left it (its wear-off). The compare page
names that product and its total in its own unit name ("Dysport 60 U
(Speywood)"), so that a change of product between two photos is seen: units of
different products do not compare (reference §2.1). Signed cycles are read as
the cycles page reads them (``cycle_records.read_cycles``); a cycle not signed
yet names its product alone.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import Product
from planner.models import Timepoint
from planner.models import TreatmentSession
from planner.services.cycle_records import read_cycles
from planner.services.cycle_responses import other_top_up_texts
from planner.services.score_words import units_text


@dataclass(frozen=True)
class CycleDose:
    """What one cycle gave: its product and, once signed, its total in words.

    ``text`` is for example "Botox 22.5 U (2.5 U top-up included)" or
    "Dysport, not signed yet"; a top-up in another product is worded apart,
    in its own units, never added.
    """

    number: int
    brand: str
    product_code: str
    text: str


@dataclass(frozen=True)
class Follows:
    """The cycle whose product a photo follows (None: no earlier cycle), in words."""

    dose: CycleDose | None
    text: str

    @property
    def product_code(self) -> str | None:
        return None if self.dose is None else self.dose.product_code


def cycle_doses(
    session: Session, patient_id: int, cycles: list[TreatmentSession], zone: ZoneInfo
) -> dict[int, CycleDose]:
    """Return each cycle's product and total, by cycle number."""
    records = read_cycles(session, patient_id, zone)
    signed = {cycle.cycle: cycle for cycle in records.cycles}
    products = {
        product.id: product
        for product in session.exec(
            select(Product).where(col(Product.id).in_({c.product_id for c in cycles}))
        )
    }
    doses = {}
    for cycle in cycles:
        product = products[cycle.product_id]
        found = signed.get(cycle.cycle_number)
        if found is None or found.product_code != product.code:
            text = f"{product.brand}, not signed yet"
        else:
            total = found.full_units + found.top_up_units
            text = f"{product.brand} {units_text(total, product.unit_name)}"
            if found.top_up_units:
                top_up = units_text(found.top_up_units, product.unit_name)
                text += f" ({top_up} top-up included)"
            for other in other_top_up_texts(records, cycle.cycle_number):
                text += f"; {other}"
        doses[cycle.cycle_number] = CycleDose(
            cycle.cycle_number, product.brand, product.code, text
        )
    return doses


def photo_follows(doses: dict[int, CycleDose], number: int, timepoint: str) -> Follows:
    """Return the dose a photo of cycle ``number`` at ``timepoint`` follows.

    Before the injections that is the latest earlier cycle's; otherwise the
    cycle's own.
    """
    if timepoint != Timepoint.PRE_TREATMENT.value:
        dose = doses[number]
        return Follows(dose, dose.text)
    earlier = [n for n in doses if n < number]
    if not earlier:
        return Follows(None, "no earlier cycle on record")
    dose = doses[max(earlier)]
    return Follows(dose, f"after cycle {dose.number}'s {dose.text}")
