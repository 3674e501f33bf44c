"""Benchmark row for logging in: one full login with production password hashing."""

from typing import Any


def register_auth_cases(register: Any, *, email: str, password: str) -> None:
    """Register a login by a fresh client, so each call starts without a cookie.

    ``register`` comes from run.py, which runs as __main__.
    """

    def log_in(bench: Any, _index: int) -> Any:
        client = bench.client.application.test_client()
        return client.post("/login", data={"email": email, "password": password})

    register("POST /login (strong argon2)", log_in, status=302)
