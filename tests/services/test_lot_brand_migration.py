"""Migration 0022: each lot records the brand on its box (review rX, X3).

Lots kept before it name their product's own brand: Dysport's are Dysport's,
Botox's Botox's, Xeomin's Xeomin's. Stepping back down would drop the brand, so it
is refused while a lot names another brand (Azzalure, Bocouture): a recall by
that brand would miss it (clinical reference §5).
"""

from datetime import UTC
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy import text
from sqlmodel import Session

from planner.db import build_engine
from planner.migrate import alembic_config
from planner.migrate import current_revision
from planner.services.catalogue import load_catalogue
from tests.conftest import PG_URL
from tests.conftest import reset_postgres
from tests.services.test_site_vial_migration import insert

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ROWS = pytest.mark.audit_exempt(
    "lots written as the 0021 schema holds them; migration 0022 gives each its "
    "product's brand, which changes no record and is not audited",
    tables=["viallot", "stock_lot"],
)


@pytest.fixture
def at_0021(db_url, tmp_path):
    """A database at revision 0021 with its products, a vial and a stock lot each
    of Botox, Dysport and Xeomin."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}" if db_url == "sqlite://" else db_url
    engine = build_engine(url)
    if url == PG_URL:
        reset_postgres(engine)
    command.upgrade(alembic_config(engine), "0021")
    with Session(engine) as session:
        load_catalogue(session)
        session.commit()
    with engine.begin() as connection:
        products = dict(connection.execute(text("SELECT code, id FROM product")).all())
        for code, units in (("botox", 100), ("dysport", 300), ("xeomin", 100)):
            values = {
                "product_id": products[code],
                "lot_number": f"{code.upper()}1",
                "expiry_date": "2027-06-30",
                "vial_units": units,
                "created_at": WHEN,
            }
            insert(connection, "stock_lot", **values)
            insert(connection, "viallot", diluent_ml=2.5, **values)
    yield engine
    engine.dispose()


def brands(engine, table):
    with engine.connect() as connection:
        return connection.execute(
            text(f"SELECT lot_number, brand FROM {table} ORDER BY lot_number")
        ).all()


def lot_search_index(engine):
    """The vials' lot-number index of migration 0013, by name, if it is there."""
    names = {index["name"] for index in inspect(engine).get_indexes("viallot")}
    return "ix_viallot_lot_search" in names


@ROWS
def test_0022_gives_each_old_lot_its_products_brand_and_steps_back_down(at_0021):
    engine = at_0021
    command.upgrade(alembic_config(engine), "0022")

    expected = [("BOTOX1", "Botox"), ("DYSPORT1", "Dysport"), ("XEOMIN1", "Xeomin")]
    assert brands(engine, "viallot") == expected
    assert brands(engine, "stock_lot") == expected
    assert lot_search_index(engine)
    columns = {c["name"]: c for c in inspect(engine).get_columns("viallot")}
    assert columns["brand"]["nullable"] is False

    command.downgrade(alembic_config(engine), "0021")
    assert current_revision(engine) == "0021"
    for table in ("viallot", "stock_lot"):
        names = {column["name"] for column in inspect(engine).get_columns(table)}
        assert "brand" not in names
    assert lot_search_index(engine)

    command.upgrade(alembic_config(engine), "0022")
    assert brands(engine, "viallot") == expected


@ROWS
@pytest.mark.parametrize(
    ("table", "code", "brand"),
    [("viallot", "dysport", "Azzalure"), ("stock_lot", "xeomin", "Bocouture")],
)
def test_downgrading_0022_is_refused_while_a_lot_names_another_brand(
    at_0021, table, code, brand
):
    engine = at_0021
    command.upgrade(alembic_config(engine), "0022")
    with engine.begin() as connection:
        connection.execute(
            text(f"UPDATE {table} SET brand = :brand WHERE lot_number = :lot"),
            {"brand": brand, "lot": f"{code.upper()}1"},
        )

    with pytest.raises(RuntimeError) as refused:
        command.downgrade(alembic_config(engine), "0021")

    assert f"lot {code.upper()}1 is recorded under another brand" in str(refused.value)
    assert "BOTOX1" not in str(refused.value)
    assert current_revision(engine) == "0022"
    assert (f"{code.upper()}1", brand) in brands(engine, table)
