"""The face map's A3 sign-off sheet, printed by the CLI and read back."""

import re
import subprocess

import pytest
from pypdf import PdfReader

from planner.facemap import load_edition
from tests.e2e.conftest import ARTIFACTS

A3_POINTS = (841.89, 1190.55)


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_sheet_names_every_muscle_point_and_zone_with_sources(runner, tmp_path):
    target = tmp_path / "front-v2-sheet.pdf"

    result = runner.invoke(args=["facemap-sheet", "--to", str(target)])

    assert result.exit_code == 0, result.output
    assert "front-v2, 22 muscles, 36 reference points, 8 zones" in result.output
    reader = PdfReader(target)
    page = reader.pages[0].mediabox
    assert (float(page.width), float(page.height)) == pytest.approx(A3_POINTS, abs=0.01)
    text = words(" ".join(p.extract_text() for p in reader.pages))
    face_map = load_edition(2)
    for muscle in face_map.muscles:
        assert f"{muscle.abbreviation}: {muscle.name}" in text, muscle.name
        for number, source in enumerate(muscle.point_sources, start=1):
            assert f"{muscle.abbreviation}{number}" in text
            assert words(source)[:40] in text, source
    assert "MENc1" in text  # the central mentalis point
    for number, zone in enumerate(face_map.zones, start=1):
        assert f"Z{number} {words(zone.title)}" in text, zone.title
    assert "Scale: 20 map units per cm." in text
    assert "Reviewed by" in text
    # A picture of the first page, to look at.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(target),
            str(ARTIFACTS / "facemap-sheet"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "facemap-sheet.png").stat().st_size > 20_000


def test_an_older_version_prints_too_and_a_bad_name_is_refused(runner, tmp_path):
    target = tmp_path / "v1.pdf"
    result = runner.invoke(
        args=["facemap-sheet", "--to", str(target), "--map", "front-v1"]
    )
    assert result.exit_code == 0, result.output
    text = words(" ".join(p.extract_text() for p in PdfReader(target).pages))
    assert "This version declares no scale." in text
    assert "This version has no zones." in text

    refused = runner.invoke(
        args=["facemap-sheet", "--to", str(target), "--map", "../x"]
    )
    assert refused.exit_code != 0
    assert "there is no face map '../x'" in refused.output
