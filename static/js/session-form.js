// The new-session form: show only the chosen product's vials (issue 15, item 7).
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

export function enhance(doc) {
  const select = doc.getElementById("product");
  const root = doc.getElementById("vial-choices");
  const note = doc.getElementById("vial-filter-note");
  if (!select || !root || !note) return;
  const update = () => describe(note, select, filterVials(root, select.value));
  select.addEventListener("change", update);
  update();
}

enhance(document);
