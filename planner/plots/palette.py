"""Colours for charts and the dose heat table, with WCAG contrast helpers.

Series use the Okabe-Ito palette, which stays distinguishable with the common
colour-vision deficiencies. The heat scale is ColorBrewer's YlGnBu: sequential,
colour-blind safe and monotonic in lightness, so it also reads in greyscale print.
"""

import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from numpy.typing import NDArray

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# Darkest first: thin lines need contrast against white paper (WCAG 1.4.11 asks
# 3:1 for graphics). Yellow (1.2:1 on white) is left out altogether.
SERIES_COLOURS: tuple[str, ...] = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "vermillion",
        "bluish_green",
        "black",
        "reddish_purple",
        "orange",
        "sky_blue",
    )
)
# ColorBrewer YlGnBu, 9 classes, lightest to darkest.
HEAT_PALETTE: tuple[str, ...] = (
    "#ffffd9",
    "#edf8b1",
    "#c7e9b4",
    "#7fcdbb",
    "#41b6c4",
    "#1d91c0",
    "#225ea8",
    "#253494",
    "#081d58",
)
# A cell with nothing given stays white, so treated muscles stand out.
HEAT_EMPTY = "#ffffff"
# Not recorded (NaN): a neutral grey distinct from "none given".
HEAT_MISSING = "#e6e6e6"
BLACK = "#000000"
_HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
WHITE = "#ffffff"


def _channels(colour: str) -> tuple[float, float, float]:
    if not _HEX_COLOUR.match(colour):
        raise ValueError(f"expected a #rrggbb colour, got {colour!r}")
    digits = colour.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def relative_luminance(colour: str) -> float:
    """Return the WCAG 2 relative luminance of a ``#rrggbb`` colour, 0 to 1."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in _channels(colour)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two colours, 1 to 21."""
    light, dark = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (light + 0.05) / (dark + 0.05)


def text_colour(background: str) -> str:
    """Pick black or white text, whichever contrasts more with the background.

    One of the two always reaches 4.5:1: the worst background, luminance about
    0.18, still gives 4.58:1 with both.
    """
    on_white = contrast_ratio(background, WHITE)
    on_black = contrast_ratio(background, BLACK)
    return WHITE if on_white > on_black else BLACK


def heat_level(value: float, top: float) -> int:
    """Return the palette index for ``value`` on a scale whose darkest is ``top``.

    Anything above 0 gets at least the second step, so a small dose is never
    mistaken for none.
    """
    if value <= 0 or top <= 0:
        return -1
    steps = len(HEAT_PALETTE) - 1
    return 1 + min(int(value / top * steps), steps - 1)


def heat_table_colours(
    units: ArrayLike, *, column_groups: Sequence[str] | None = None
) -> NDArray[np.str_]:
    """Return (background, text) CSS colours for each cell of a dose matrix.

    ``units`` has shape (m, c), for example ``DoseMatrix.units``; the result has
    shape (m, c, 2): ``[..., 0]`` the background, ``[..., 1]`` the text colour,
    chosen per cell for a contrast of at least 4.5:1. Zero cells are white and
    NaN cells grey.

    The scale is relative: the largest dose in each column group is darkest.
    Pass ``column_groups`` (``DoseMatrix.product_codes``) so that columns of
    different products are scaled separately, since their units do not compare;
    to scale several matrices together (left, right, midline), stack their rows
    into one call.

    :raises ValueError: a matrix that is not 2-D, a negative dose, or groups
        that do not match the columns.
    """
    values = np.asarray(units, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {values.shape}")
    if np.any(values < 0):
        raise ValueError("doses must not be negative")
    groups = (
        list(column_groups) if column_groups is not None else [""] * values.shape[1]
    )
    if len(groups) != values.shape[1]:
        raise ValueError(f"{len(groups)} column groups for {values.shape[1]} columns")
    # Backgrounds as indices into one list: the palette, then empty, then missing.
    choices = [*HEAT_PALETTE, HEAT_EMPTY, HEAT_MISSING]
    index = np.full(values.shape, len(HEAT_PALETTE), dtype=np.int64)
    names = np.array(groups, dtype=object)
    steps = len(HEAT_PALETTE) - 1
    for group in set(groups):
        columns = np.flatnonzero(names == group)
        block = values[:, columns]
        finite = block[np.isfinite(block)]
        top = float(finite.max()) if finite.size else 0.0
        levels = np.full(block.shape, len(HEAT_PALETTE), dtype=np.int64)
        if top > 0:
            given = np.isfinite(block) & (block > 0)
            # As heat_level: anything above 0 gets at least the second step.
            scaled = np.floor(np.where(given, block, 0.0) / top * steps)
            stepped = 1 + np.minimum(scaled.astype(np.int64), steps - 1)
            levels = np.where(given, stepped, levels)
        levels = np.where(np.isnan(block), len(HEAT_PALETTE) + 1, levels)
        index[:, columns] = levels
    inks = [text_colour(choice) for choice in choices]
    colours = np.empty((*values.shape, 2), dtype="<U7")
    colours[..., 0] = np.array(choices)[index]
    colours[..., 1] = np.array(inks)[index]
    return colours
