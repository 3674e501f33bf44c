"""What a consent form's own words name: the toxin products, if any.

The shipped treatment form speaks of "botulinum toxin" and names no product, so
a record signed under it must not read as consent to one product. A clinic may
edit its form to name products; then the record says which.
"""

import re
from collections.abc import Iterable


def products_named(text: str, products: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """Return the brands of the products the text names, by brand or INN.

    Whole words, any case: "Botox" or "onabotulinumtoxinA" names Botox;
    "botulinum toxin" names no product.

    :param products: (brand, INN) pairs, in the order to report them.
    """
    named = []
    for brand, inn in products:
        words = "|".join(re.escape(name) for name in (brand, inn) if name)
        if words and re.search(rf"(?<!\w)(?:{words})(?!\w)", text, re.IGNORECASE):
            named.append(brand)
    return tuple(named)
