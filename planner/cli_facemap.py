"""The face map's sign-off sheet: ``flask --app planner facemap-sheet``."""

import os
import secrets
from pathlib import Path

import click
from flask import current_app
from flask import render_template
from flask.cli import with_appcontext
from markupsafe import Markup

from planner.db_types import utc_now
from planner.facemap import CURRENT_MAP
from planner.facemap import FaceMapError
from planner.facemap import load_face_map
from planner.facemap.sheet import sign_off_sheet
from planner.reports.render import render_pdf


def _write_whole(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all: beside it, then renamed.

    A full disk or a killed process leaves no half PDF under the real name,
    and an earlier sheet there stays as it was.
    """
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        with partial.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@click.command("facemap-sheet")
@with_appcontext
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The PDF file to write.",
)
@click.option(
    "--map",
    "name",
    default=CURRENT_MAP,
    show_default=True,
    help="The map's name, with or without .json.",
)
def facemap_sheet_command(target: Path, name: str) -> None:
    """Print a face map at A3 for clinical sign-off, every part with its source."""
    # Checked first: the render takes a while, and its work must not be lost.
    if not target.parent.is_dir():
        raise click.ClickException(f"--to: the folder {target.parent} does not exist.")
    folder = Path(current_app.config["FACE_MAPS_DIR"])
    name = name.removesuffix(".json")
    maps = sorted(path.stem for path in folder.glob("*.json"))
    if name not in maps:
        raise click.ClickException(
            f"--map: there is no face map {name!r}; maps here: {', '.join(maps)}."
        )
    try:
        face_map = load_face_map(folder, name)
    except FaceMapError as exc:
        raise click.ClickException(str(exc)) from None
    sheet = sign_off_sheet(face_map)
    html = render_template(
        "reports/facemap_sheet.html",
        sheet=sheet,
        # facemap escapes every text it writes into the drawing.
        svg=Markup(sheet.svg),  # noqa: S704
        clinic_name=current_app.config["CLINIC_NAME"],
        paper_size="A3",
        printed_at=utc_now(),
    )
    assert current_app.static_folder is not None
    pdf = render_pdf(html, base_url=current_app.static_folder)
    try:
        _write_whole(target, pdf)
    except OSError as exc:
        raise click.ClickException(
            f"--to: cannot write {target}: {exc.strerror}."
        ) from None
    click.echo(
        f"Wrote {target}: {face_map.name}, {len(sheet.muscles)} muscles, "
        f"{sum(len(m.points) for m in sheet.muscles)} reference points, "
        f"{len(sheet.zones)} zones."
    )
