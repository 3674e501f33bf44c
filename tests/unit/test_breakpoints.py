"""Nothing the pages show changes between a 1024 and a 1440 CSS px window.

tests/e2e/test_every_page_a11y.py runs every axe rule at 1024×768 and, at
1440×900, only the rules whose verdict a wider window can change on the same
elements (``LAYOUT_RULES``). That holds while no stylesheet switches on a width
between the two and no script reads the window's width or asks a media query:
this test keeps it so, and names what would make the sweep check too little.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLET, DESK = 1024, 1440
# A width in a media query: (min|max)-width: 56rem, 900px, 48em.
WIDTH = re.compile(r"(min|max)-width\s*:\s*([\d.]+)\s*(px|em|rem)")
# Media features on the window's height or shape. Orientation is not among them:
# both windows are landscape, so a portrait-only rule applies to neither.
SHAPE = re.compile(r"@media[^{]*\b(aspect-ratio|height)\b")
MEDIA = re.compile(r"@media([^{]*)\{")
# A script reading the width, or asking a media query on the width or shape.
SCRIPT_ASKS = re.compile(
    r"\b(innerWidth|outerWidth|screen\.width)\b"
    r"|matchMedia\(\s*[\"'`][^\"'`]*\b(width|aspect-ratio|height)\b"
)


def styles() -> list[Path]:
    return sorted((ROOT / "static").rglob("*.css")) + sorted(
        (ROOT / "templates").rglob("*.html")
    )


def css_px(value: str, unit: str) -> float:
    return float(value) * (1 if unit == "px" else 16)


def media_queries(path: Path) -> list[str]:
    return MEDIA.findall(path.read_text(encoding="utf-8"))


def test_the_media_queries_are_found() -> None:
    """The scan sees the stylesheets' real breakpoints (chart.css has 56em)."""
    found = {query.strip() for path in styles() for query in media_queries(path)}
    assert "(min-width: 56em)" in found


def test_css_px() -> None:
    assert css_px("56", "em") == 896
    assert css_px("900", "px") == 900


def test_no_breakpoint_between_the_tablet_and_the_desk() -> None:
    between = [
        f"{path.relative_to(ROOT)}: @media{query.rstrip()}"
        for path in styles()
        for query in media_queries(path)
        for _, value, unit in WIDTH.findall(query)
        if TABLET <= css_px(value, unit) <= DESK
    ]
    assert between == [], (
        "a breakpoint between 1024 and 1440 px: run every axe rule at 1440 in "
        "tests/e2e/test_every_page_a11y.py (CHECKED_AT)"
    )
    shaped = [
        f"{path.relative_to(ROOT)}: {feature}"
        for path in styles()
        for feature in SHAPE.findall(path.read_text(encoding="utf-8"))
    ]
    assert shaped == [], "a media query on the window's height or shape"


def test_no_script_reads_the_window_width() -> None:
    scripts = sorted((ROOT / "static").rglob("*.js")) + sorted(
        (ROOT / "templates").rglob("*.html")
    )
    asking = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in scripts
        for match in SCRIPT_ASKS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert asking == []


def test_a_width_query_in_a_script_is_caught_and_orientation_is_not() -> None:
    assert SCRIPT_ASKS.search('win.matchMedia("(max-width: 70rem)")')
    assert SCRIPT_ASKS.search("const w = window.innerWidth;")
    assert not SCRIPT_ASKS.search('win.matchMedia("(orientation: portrait)")')
