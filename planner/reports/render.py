"""HTML to PDF with WeasyPrint; nothing else in planner imports it.

WeasyPrint is pinned exactly (STYLE.md B.8): each release may change rendering.
"""

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from typing import Literal
from urllib.parse import unquote
from urllib.parse import urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration

# Setting up fonts costs about a fifth of a short report, so each thread keeps
# one configuration (Pango's font map is not shared between threads). Reports
# use system fonts only, no @font-face, so nothing accumulates in it.
_fonts = threading.local()

# The standard a report claims, as WeasyPrint 66 names it: "pdf/ua-1" (tagged for
# screen readers: the handout) or "pdf/a-2u" (archival, text extractable: the
# record). PDF/A-2, not 1, because the draft watermark and the map's shading use
# transparency, which PDF/A-1 forbids.
PdfVariant = Literal["pdf/ua-1", "pdf/a-2u"]


class ReportResourceError(ValueError):
    """A report asked for a file outside the folder it may read from."""


def _fetcher_within(root: Path) -> Any:
    """Return a URL fetcher that reads files under ``root`` and nothing else.

    Reports embed their pictures inline and only need their stylesheet, so
    refusing every other URL keeps a stray link in printed text from reading
    the server's files or reaching the network.
    """

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        path = Path(unquote(parts.path)).resolve()
        if parts.scheme != "file" or not path.is_relative_to(root):
            raise ReportResourceError(f"reports may not load {url!r}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


def render_pdf(html: str, *, base_url: str, variant: PdfVariant | None = None) -> bytes:
    """Render an HTML report to PDF bytes; relative URLs resolve under ``base_url``.

    ``base_url`` is the static folder, so the stylesheet and fonts load from disk.
    A ``variant`` also tags the PDF (headings, lists, tables and figures with
    their alternative text) and records its title and language for readers.
    """
    root = Path(base_url).resolve()
    document = weasyprint.HTML(
        string=html,
        base_url=str(root) + "/",
        url_fetcher=_fetcher_within(root),
    )
    pdf: bytes = document.write_pdf(
        font_config=_font_config(),
        pdf_variant=variant,
        pdf_tags=variant is not None,
    )
    return pdf


def render_pdf_first_fitting(
    htmls: Iterable[str],
    *,
    anchor: str,
    base_url: str,
    variant: PdfVariant | None = None,
) -> bytes:
    """Render the first of ``htmls`` whose element ``id=anchor`` starts on page 1.

    Each HTML is a layout of the same report in order of preference; the next
    one is laid out only when the one before leaves ``anchor`` off page 1, and
    the last is printed whatever it does. The chosen layout is the one written,
    so a report that fits costs no more than ``render_pdf``.
    """
    root = Path(base_url).resolve()
    options: dict[str, Any] = {"pdf_variant": variant, "pdf_tags": variant is not None}
    document: Any = None
    for html in htmls:
        document = weasyprint.HTML(
            string=html,
            base_url=str(root) + "/",
            url_fetcher=_fetcher_within(root),
        ).render(font_config=_font_config(), **options)
        if anchor in document.pages[0].anchors:
            break
    if document is None:
        raise ValueError("no HTML to render")
    pdf: bytes = document.write_pdf(**options)
    return pdf


def _font_config() -> FontConfiguration:
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config
