"""The diary link on the handout: its address and a QR code drawn as SVG (segno)."""

import io
from dataclasses import dataclass
from datetime import date

import segno
from markupsafe import Markup

# Printed about 35 mm wide: phone cameras read it easily at arm's length.
MODULE_MM = 0.75


@dataclass(frozen=True)
class DiaryQr:
    """What the handout prints about the patient's diary link."""

    url: str
    svg: Markup
    expires_on: date


def diary_qr(url: str, *, expires_on: date) -> DiaryQr:
    """Draw ``url`` as an inline SVG QR code (error correction M) for print."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=MODULE_MM,
        unit="mm",
        border=4,
        xmldecl=False,
        svgns=True,
        title="QR code for your diary link",
        desc="Scan it with your phone camera to open your diary.",
        nl=False,
    )
    # The one place this SVG becomes markup: segno wrote it, escaping the URL.
    return DiaryQr(url, Markup(out.getvalue().decode("utf-8")), expires_on)
