"""Benchmark rows for the chart at the chair: a tap, a dose change, the chart page."""

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import text

from planner.db import build_engine
from planner.facemap import load_face_map
from planner.facemap import reference_points

ROOT = Path(__file__).resolve().parents[2]
TAP_MUSCLES = (
    "mentalis",
    "platysma",
    "depressor_anguli_oris",
    "orbicularis_oculi_orbital",
    "frontalis",
    "buccinator",
)


def _tap_points() -> list[tuple[float, float]]:
    face_map = load_face_map(ROOT / "face_maps")
    points = []
    for code in TAP_MUSCLES:
        for side in ("left", "right"):
            x, y = reference_points(face_map, face_map.muscle(code), side)[0]
            points.append((float(x), float(y)))
    return points


def _busiest_signed_session(url: str) -> int:
    """Pick the demo session with the most sites and history: a heavy chart."""
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT s.id FROM treatment_session s "
                    "JOIN injection_site i ON i.session_id = s.id "
                    "WHERE s.status = 'signed' AND s.cycle_number >= 5 "
                    "GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 1"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(found)


def register_chart_cases(
    client: FlaskClient, url: str, register: Any, patient_id: Any
) -> None:
    """Open a draft session to tap on, and register the chart's rows.

    ``register`` and ``patient_id`` come from run.py, which runs as __main__.
    """
    state: dict[str, Any] = {}
    points = _tap_points()

    def open_draft(bench: Any) -> None:
        # A reused database keeps earlier runs' drafts, and a patient has one
        # draft a day: open it for the first sampled patient who has none.
        for index in range(len(bench.patient_ids)):
            response = _post_draft(bench, patient_id(bench, index))
            if response.status_code == 302:
                break
        if response.status_code != 302:
            raise SystemExit(f"opening a bench session failed: {response.status_code}")
        state["session"] = int(response.headers["Location"].rsplit("/", 1)[1])
        state["version"] = 1

    def _post_draft(bench: Any, patient: int) -> Any:
        return client.post(
            f"/patients/{patient}/sessions",
            data={
                "kind": "full",
                "product": "botox",
                "lot_choice": "new",
                "lot_number": f"BENCH{bench.run_token}",
                "expiry_date": "2099-01-01",
                "vial_units": "100",
                "diluent_ml": "2.5",
                "consent_obtained": "true",
            },
        )

    def tap(bench: Any, index: int) -> Any:
        if "session" not in state:
            open_draft(bench)
        x, y = points[index % len(points)]
        response = client.post(
            f"/api/v1/sessions/{state['session']}/sites",
            json={"x": x, "y": y, "version": state["version"]},
        )
        body = response.get_json()
        state["version"] = body["version"]
        state["site"] = body["site"]["id"]
        return response

    def change_dose(_bench: Any, index: int) -> Any:
        response = client.patch(
            f"/api/v1/sessions/{state['session']}/sites/{state['site']}",
            json={"units": 1 + (index % 8) * 0.25, "version": state["version"]},
        )
        state["version"] = response.get_json()["version"]
        return response

    heavy = _busiest_signed_session(url)
    register("POST /api/v1/sessions/<id>/sites (tap)", tap, status=201)
    register("PATCH /api/v1/sessions/<id>/sites/<id> (dose)", change_dose)
    register(
        "GET /api/v1/sessions/<id> (chart state)",
        lambda _b, _i: client.get(f"/api/v1/sessions/{heavy}"),
    )
    register(
        "GET /sessions/<id> (chart page)",
        lambda _b, _i: client.get(f"/sessions/{heavy}"),
    )
