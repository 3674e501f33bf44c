"""The chart's face map: today's sites, last cycle's ghosts, treated muscles hatched.

Each ghost names its dose with the product it was given in: the last cycle may
have been another product's (or had a top-up in one), whose units are never
shown as today's product's: such a ghost keeps one size, whatever its dose.
"""

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.dosing.treated_muscles import TreatedMuscle
from planner.facemap import FaceMap
from planner.facemap import MarkerScale
from planner.facemap import Site
from planner.facemap import render_face_map
from planner.facemap.hatching import Hatch
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.services.chart_prefill import session_products

GHOST_COLOUR = "#767676"


def products_of(session: Session, sites: list[InjectionSite]) -> dict[int, Product]:
    """Return the product each of the sites' sessions was given in, by session id."""
    if not sites:
        return {}
    ids = session_products(session, {site.session_id for site in sites})
    products = {
        row.id: row
        for row in session.exec(
            select(Product).where(col(Product.id).in_({pid for pid, _ in ids.values()}))
        )
    }
    return {sid: products[pid] for sid, (pid, _) in ids.items()}


def _same_product(
    site: InjectionSite, given: dict[int, Product], today: Product
) -> bool:
    """Say whether a last-cycle site was given in today's product (its ring may
    then show its dose by its size, on today's scale)."""
    product = given.get(site.session_id)
    return product is not None and product.id == today.id


def _ghost_label(site: InjectionSite, given: dict[int, Product]) -> str:
    """Name a last-cycle site's dose with its own product: "10 U (Speywood) Dysport".

    The last cycle may have been given in another product (or have a top-up in
    one): its units are never shown as if they were today's product's.
    """
    product = given.get(site.session_id)
    if site.units is None or product is None:
        return "dose not recorded"
    return f"{dosing.format_dose(site.units, product.unit_name)} {product.brand}"


def marker_largest(product: Product) -> float:
    """Return the dose drawing the product's biggest marker: 0 (every marker
    the one size) for a product with no dose reference, which has no scale."""
    if not dosing.has_dose_reference(product.code):
        return 0.0
    return dosing.marker_largest_units(product.code)


def chart_svg(
    session: Session,
    face_map: FaceMap,
    rows: list[InjectionSite],
    previous: list[InjectionSite],
    product: Product,
    patient: Patient,
    treated: tuple[TreatedMuscle, ...],
) -> str:
    """Draw today's sites, last cycle's faintly, and the muscles a procedure treated.

    Markers are sized on today's product's own scale (``dosing.marker_largest_units``);
    a product with no dose reference has none, so its markers are one size.
    """
    given = products_of(session, previous)
    return render_face_map(
        face_map,
        sites=[
            Site(
                s.number,
                s.x,
                s.y,
                s.units or 0.0,
                product.colour,
                "dose not entered"
                if s.units is None
                else dosing.format_dose(s.units, product.unit_name),
            )
            for s in rows
        ],
        ghosts=[
            Site(
                0,
                s.x,
                s.y,
                s.units or 0.0,
                GHOST_COLOUR,
                _ghost_label(s, given),
                sized=_same_product(s, given, product),
            )
            for s in previous
        ],
        highlight={(s.muscle, s.side.value) for s in rows},
        title=f"Injection sites, {patient.full_name}",
        hatched=[Hatch(t.muscle, t.side, t.short_label) for t in treated],
        scale=MarkerScale(marker_largest(product)),
    )
