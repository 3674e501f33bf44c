"""The chair's dose steppers: how far one press of + or − moves a dose, per product.

Pure: no flask, no database. No label or paper gives a step, so every step is a
clinic setting, shipped as a default and labelled so, never shown as a fact. It
is worked out within the product from its own label's dose per glabellar site
(``product_doses``), never from another product's units: a sixteenth of it,
rounded up to a figure doses are written in. Botox's 4 U per site gives 0.25 U,
Daxxify's 8 U gives 0.5 U and Dysport's 10 U (Speywood) gives 1 U (Speywood).

A press of + on a dose still to enter starts at one step; − never goes below
one step. Typed doses are not bound to the step: any dose a site may record
(``services.chart``: 0.01 to 400 units of the product) is accepted.
"""

from dataclasses import dataclass

from planner.dosing.product_doses import CLINIC_SETTING
from planner.dosing.product_doses import label_dose_per_site

# One press of + or −, as a share of the label's dose per glabellar site.
STEP_SHARE_OF_LABEL_SITE = 1 / 16
# The figures a step is rounded up to, in the product's own units.
STEP_FIGURES: tuple[float, ...] = (0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass(frozen=True)
class DoseStep:
    """One product's stepper step, in its own units, and where it comes from."""

    units: float
    source: str

    @property
    def label(self) -> str:
        """Say that the step is the clinic's own figure."""
        return f"{CLINIC_SETTING}: {self.source}"


def dose_step(product_code: str, unit_name: str) -> DoseStep:
    """Return the shipped stepper step of a product of the catalogue.

    :raises KeyError: for a product the catalogue does not hold.
    """
    per_site = label_dose_per_site(product_code)
    share = per_site * STEP_SHARE_OF_LABEL_SITE
    units = next((f for f in STEP_FIGURES if f >= share), STEP_FIGURES[-1])
    return DoseStep(
        units,
        f"shipped default, a sixteenth of the label's {per_site:g} {unit_name} per "
        f"glabellar site, rounded up to {units:g} {unit_name} (UNSOURCED)",
    )
