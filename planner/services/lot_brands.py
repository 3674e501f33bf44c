"""The brands a product is sold under: the box a vial or stock lot comes in.

A brand is not another product: Azzalure is Dysport (abobotulinumtoxinA, the same
Speywood units), Bocouture is Xeomin. Its units are the product's and its cycles
compare with the product's. Only its box differs: the vial sizes and dilution
rows the reference gives it (clinical reference §2.2), and the name a batch is
reported under (§5 [S58] [S59]).
"""

from dataclasses import dataclass

from planner import dosing
from planner.dosing.records import product_from
from planner.errors import InvalidInput
from planner.models import Product
from planner.reference import brand_names
from planner.reference import other_brand


@dataclass(frozen=True)
class Brand:
    """One brand of a product, with the vials and dilutions of its box."""

    name: str
    vial_sizes: tuple[int, ...]
    dilutions: tuple[dosing.LabelDilution, ...]


def product_brands(product: Product) -> tuple[Brand, ...]:
    """Return a product's brands, its main brand first.

    The main brand has the catalogue's vial sizes and dilution table; another
    brand the ones the shipped reference gives its box.
    """
    checked = product_from(product)
    brands = []
    for name in brand_names(product.code, product.brand):
        other = other_brand(product.code, name)
        sizes = tuple(product.vial_sizes) if other is None else other.vial_sizes
        brands.append(Brand(name, sizes, dosing.brand_dilutions(checked, name)))
    return tuple(brands)


def choose_brand(product: Product, name: str | None) -> Brand:
    """Return the brand a lot is recorded under: the named one, blank the main.

    :raises InvalidInput: naming ``brand`` when the product is not sold under it.
    """
    brands = product_brands(product)
    if not name or not name.strip():
        return brands[0]
    for brand in brands:
        if brand.name.casefold() == name.strip().casefold():
            return brand
    names = ", ".join(brand.name for brand in brands)
    raise InvalidInput(
        "Choose the brand on the box.",
        fields={"brand": f"must be one of {names} for {product.brand}"},
    )


def vial_sizes_text(product: Product) -> str:
    """Name every vial size a product comes in, its other brands' boxes after its own.

    For example "vials of 300, 500 U (Speywood); Azzalure: 125 U (Speywood)".
    """
    own, *others = product_brands(product)
    parts = [f"vials of {_sizes(own)} {product.unit_name}"]
    parts += [f"{other.name}: {_sizes(other)} {product.unit_name}" for other in others]
    return "; ".join(parts)


def _sizes(brand: Brand) -> str:
    return ", ".join(str(size) for size in brand.vial_sizes)


def vial_size_problem(product: Product, brand: Brand, vial_units: int) -> str | None:
    """Say why a vial size does not exist for the brand, or None when it does.

    A size another brand of the product comes in is named with that brand: a
    125 U (Speywood) Dysport vial is Azzalure's box.
    """
    if vial_units in brand.vial_sizes:
        return None
    sizes = ", ".join(f"{size} {product.unit_name}" for size in brand.vial_sizes)
    problem = f"must be one of {sizes} for {brand.name}"
    boxed = [
        other.name
        for other in product_brands(product)
        if other.name != brand.name and vial_units in other.vial_sizes
    ]
    if boxed:
        problem += (
            f"; a {vial_units} {product.unit_name} vial is {' or '.join(boxed)}: "
            f"choose {'that brand' if len(boxed) == 1 else 'its brand'}"
        )
    return problem
