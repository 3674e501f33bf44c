"""The new-session page lists the products' dilution tables, each row's source named.

Not all of it is label text: Dysport's 500 U rows are a distributor's copy
[S23b], Xeomin's a secondary source [S25b], and Daxxify's volumes are in no
label (clinical reference §2.2: UNSOURCED). Units carry the product's unit name.
"""

from sqlmodel import select

from planner.models import Product
from planner.models import Role
from planner.reference import UNSOURCED_DILUTION

# Words that say where a row comes from, as the clinical reference grades it.
KINDS = ("label", "distributor copy", "secondary source", UNSOURCED_DILUTION)


def test_the_new_session_page_lists_dilution_tables_naming_each_rows_source(
    login_as, make_patient, session
):
    browser = login_as(Role.INJECTOR)
    page = browser.get(f"/patients/{make_patient().id}/sessions/new")
    html = page.get_data(as_text=True)
    assert "Vial sizes and dilution tables</summary>" in html
    assert "product labels" not in html
    assert "Clinic setting" not in html
    for product in session.exec(select(Product).where(Product.active)):
        for row in product.dilutions:
            assert any(kind in row["source"] for kind in KINDS), row
            assert f"— source: {row['source']}<" in html.replace("&#39;", "'")
    assert (
        "300 U (Speywood) in 2.5 mL: 12 U (Speywood) per 0.1 mL "
        '<span class="source">— source: [S23] Dysport label, glabellar</span>'
    ) in html
    # A source holding brackets of its own is not put in more.
    assert (
        "125 U (Speywood) in 0.63 mL: 19.84 U (Speywood) per 0.1 mL "
        '<span class="source">— source: [S24] Azzalure SmPC: 0.63 mL gives'
        " 10 U (Speywood) per 0.05 mL</span>"
    ) in html
    assert "(Speywood) per 0.05 mL)" not in html
