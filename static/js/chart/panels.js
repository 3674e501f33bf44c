/* The vials, totals, changes and safety-check panels: drawn by the server only.
 *
 * The page carries them as rendered; after each change the server has taken, the
 * same fragment (GET /sessions/<id>/panels) is fetched and swapped in. What the
 * injector typed into the reason boxes and the override ticks survives the swap.
 */

const SWAPPED = ["warning-count", "chart-vials", "chart-panels"];

function typedValues(doc) {
  const reasons = new Map();
  const overrides = new Set();
  let focused = null;
  for (const input of doc.querySelectorAll("[data-reason-for]")) {
    reasons.set(input.dataset.reasonFor, input.value);
    if (input === doc.activeElement) focused = `[data-reason-for="${CSS.escape(input.dataset.reasonFor)}"]`;
  }
  for (const box of doc.querySelectorAll("[data-override-for]")) {
    if (box.checked) overrides.add(box.dataset.overrideFor);
    if (box === doc.activeElement) focused = `[data-override-for="${CSS.escape(box.dataset.overrideFor)}"]`;
  }
  return { reasons, overrides, focused };
}

/** Keep the panels current: ``refresh(version)`` fetches and swaps once per version. */
export function createPanels({ fetch, url, doc = document, onSwap = () => {} }) {
  let shown = Number(doc.getElementById("chart-panels")?.dataset.version ?? -1);
  let wanted = shown;
  let loading = null;

  async function load() {
    while (wanted !== shown) {
      const version = wanted;
      let html = null;
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
        html = response.ok ? await response.text() : null;
      } catch {
        html = null;
      }
      if (html === null) return; // the next change or refresh asks again
      swap(html);
      shown = version;
    }
  }

  function swap(html) {
    const fresh = doc.createElement("template");
    // The server's own fragment, escaped by Jinja; no script runs from it.
    fresh.innerHTML = html;
    const keep = typedValues(doc);
    for (const id of SWAPPED) {
      const now = doc.getElementById(id);
      const next = fresh.content.getElementById(id);
      if (now && next) now.replaceWith(next);
    }
    for (const input of doc.querySelectorAll("[data-reason-for]")) {
      if (keep.reasons.has(input.dataset.reasonFor)) input.value = keep.reasons.get(input.dataset.reasonFor);
    }
    for (const box of doc.querySelectorAll("[data-override-for]")) box.checked = keep.overrides.has(box.dataset.overrideFor);
    if (keep.focused) doc.querySelector(keep.focused)?.focus();
    onSwap();
  }

  return {
    refresh(version) {
      if (version === shown && !loading) return Promise.resolve();
      wanted = version;
      if (!loading) loading = load().finally(() => (loading = null));
      return loading;
    },
  };
}
