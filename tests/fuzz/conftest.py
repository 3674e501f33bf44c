"""One seeded clinic per fuzz module and database, shared by the module's tests.

Unlike the rest of the suite, state here builds up on purpose: thousands of
generated requests run against one database, which must be intact afterwards.
Each module gets its own clinic (``scope="module"``), so a module's final test
sees exactly the requests and the writes of that module.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine

from tests.conftest import BACKENDS
from tests.conftest import PG_URL
from tests.conftest import reset_postgres
from tests.fuzz.clinic import FuzzClinic
from tests.fuzz.clinic import open_clinic
from tests.fuzz.integrity import Baseline
from tests.fuzz.integrity import take_baseline

# One line per module and database, printed at the end of the run.
SENT: list[str] = []


@pytest.fixture(scope="module", params=BACKENDS)
def clinic(
    request: pytest.FixtureRequest,
    pg_engine: Engine | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FuzzClinic]:
    if request.param == "postgresql":
        assert pg_engine is not None
        reset_postgres(pg_engine)
        url = PG_URL
    else:
        url = "sqlite://"
    opened = open_clinic(url, tmp_path_factory.mktemp("fuzz-instance"))
    yield opened
    opened.engine.dispose()
    tally = opened.tally
    SENT.append(
        f"{request.module.__name__.rsplit('.', 1)[-1]} [{request.param}]: "
        f"{tally.sent} requests, {len(tally.server_errors)} answered 5xx; "
        f"by status {dict(sorted(tally.statuses.items()))}"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many requests each fuzz module sent, whatever the verbosity."""
    if SENT:
        terminalreporter.section("fuzz requests")
        for line in SENT:
            terminalreporter.write_line(line)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave what is alive now out of the collector's full passes, until the end.

    A module's set-up (the app, the seeded clinic, the API schema or the form
    strategies, and every module imported) is a heap of long-lived objects, and
    the thousands of requests that follow trigger full collections that walk
    all of it again (0.2 to 0.3 s each, here). Frozen, it is left out of them.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.fixture(scope="module")
def baseline(clinic: FuzzClinic) -> Baseline:
    """The audit trail and signed charts before the module's first request."""
    return take_baseline(clinic.engine)
