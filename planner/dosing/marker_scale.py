"""The dose that draws a chart's biggest marker, per product, in its own units.

Pure: no flask, no database. Markers on the chair's map and the printed record
grow with the dose (``marker_size``); units of two products never compare
(clinical reference §2.1), so each product is sized on its own scale, worked out
from its own label's dose per glabellar site (``product_doses``). That dose then
draws the same marker in every product, and so does each multiple of it: a
tenfold slip in Dysport stands out as it does in Botox. This is how the map is
drawn, not a dose rule: the limits and ceilings are ``product_doses``'.
"""

from planner.dosing.product_doses import SITE_CEILING_TIMES_LABEL_SITE
from planner.dosing.product_doses import label_dose_per_site

# The biggest marker is drawn at four times the shipped site ceiling (2.5 × the
# label's dose per site): the ceiling and twice it still draw smaller, and
# only a dose well past the ceiling reaches the biggest.
MARKER_LARGEST_TIMES_SITE_CEILING = 4.0


def marker_largest_units(product_code: str) -> float:
    """Return the dose of the product that draws a chart's biggest marker.

    :raises KeyError: for a product the catalogue does not hold.
    """
    return (
        label_dose_per_site(product_code)
        * SITE_CEILING_TIMES_LABEL_SITE
        * MARKER_LARGEST_TIMES_SITE_CEILING
    )
