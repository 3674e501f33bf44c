"""How long the effect lasts, as the handout says it for each product.

Pure: no flask, no database. Clinical reference §3 sources "about 3 months
(label); 3–4 months" to the onabotulinumtoxinA label [S20] and [S36], and "wears
off after about four months" to an NHS leaflet on Botox [S16]: a fact for Botox
only. No retrieved source gives Dysport, Xeomin, Jeuveau or Letybo a duration,
so for them the same span is the clinic's estimate, printed under its label.
For Daxxify the only figure ("about 6 months, up to 9") is marketing copy on a
clinic blog (low quality) [S27c]: the clinic's advice says it may last longer,
with no number, and that the clinic will check. A product the reference does
not list gets the same cautious wording, without a number.
"""

from planner.reports.sourced import AdviceLine
from planner.reports.sourced import clinics_own
from planner.reports.sourced import sourced

# Written for a reading age of about 11, like the rest of the handout.
BOTOX = sourced(
    "It slowly wears off over 3 to 4 months.",
    "[S20] [S36] onabotulinumtoxinA label: about 3 months, 3–4 months; "
    "[S16] NHS leaflet on Botox: about four months",
)
CLINIC_ESTIMATE = clinics_own(
    "We expect it to wear off slowly over 3 to 4 months.",
    "no source gives this product a duration; 3–4 months is sourced for "
    "onabotulinumtoxinA only (reference 3)",
)
MAY_LAST_LONGER = clinics_own(
    "It may last longer than other types. We will check with you how long it lasts.",
    "reference 3 gives only marketing copy, 'about 6 months, up to 9' (clinic "
    "blog, low quality) [S27c]",
)
UNKNOWN = clinics_own(
    "It wears off slowly. We will check with you how long it lasts.",
    "a product the clinical reference does not list: no duration is known",
)

WEARS_OFF: dict[str, AdviceLine] = {
    "botox": BOTOX,
    "dysport": CLINIC_ESTIMATE,
    "xeomin": CLINIC_ESTIMATE,
    "jeuveau": CLINIC_ESTIMATE,
    "letybo": CLINIC_ESTIMATE,
    "daxxify": MAY_LAST_LONGER,
}


def wears_off(product_code: str) -> AdviceLine:
    """Return what the handout says about how long the product's effect lasts."""
    return WEARS_OFF.get(product_code, UNKNOWN)
