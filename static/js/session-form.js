// The new-session and stock receipt forms: show only the chosen product's vials
// (issue 15, item 7) and brands (review rX, X3).
// Progressive enhancement: without this script every vial is listed with its
// product's name, and the server refuses a vial of another product either way.

/** Show the vials of `product` (all when blank); uncheck a hidden choice. */
export function filterVials(root, product) {
  let shown = 0;
  for (const label of root.querySelectorAll("label[data-product]")) {
    const own = label.dataset.product;
    const visible = !product || own === "" || own === product;
    label.hidden = !visible;
    const input = label.querySelector("input");
    if (!visible && input && input.checked) input.checked = false;
    if (visible && own !== "") shown += 1;
  }
  return shown;
}

function describe(note, select, shown) {
  const option = select.selectedOptions[0];
  if (!select.value || !option) {
    note.hidden = true;
    return;
  }
  const brand = option.textContent.split(" (")[0];
  note.textContent = shown
    ? `Showing ${brand} vials only.`
    : `No open ${brand} vial: choose a new vial and enter its details.`;
  note.hidden = false;
}

/**
 * Offer only the brands `product` is sold under (all when blank); hide the
 * choice for a product with one brand, whose blank is its own. A brand left
 * chosen from another product goes back to blank. Return the groups offered.
 */
export function filterBrands(field, product) {
  const choice = field.querySelector("select");
  let offered = 0;
  for (const group of choice.querySelectorAll("optgroup[data-product]")) {
    const mine = !product || group.dataset.product === product;
    group.hidden = !mine;
    group.disabled = !mine;
    if (mine) offered += 1;
  }
  const chosen = choice.selectedOptions[0];
  if (chosen && chosen.parentElement.disabled) choice.value = "";
  field.hidden = offered === 0;
  return offered;
}

export function enhance(doc) {
  const select = doc.getElementById("product");
  if (!select) return;
  const root = doc.getElementById("vial-choices");
  const note = doc.getElementById("vial-filter-note");
  const brands = doc.getElementById("brand-field");
  const update = () => {
    if (root && note) describe(note, select, filterVials(root, select.value));
    if (brands) filterBrands(brands, select.value);
  };
  select.addEventListener("change", update);
  update();
}

enhance(document);
