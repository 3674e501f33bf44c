/* The site list's rows, kept current from the state: the server draws them with
 * the page and the template row; this fills and orders them, names them for
 * screen readers ("Site 4: Mentalis, left, 4 U"), and keeps focus on the page
 * when a focused row goes. Also the undo button's label. ``c`` is the chart.
 */

import { fmtUnits, siteById } from "./state.js";

/** The row's flag for a site's caution zones (its ``site_in_zone`` warnings, each
 * with the face map's ``zones``): the worst severity, and each zone by name, "a
 * caution zone" or "2 caution zones" as there are. "" when there is none. */
export function zoneFlag(warnings) {
  if (!warnings.length) return "";
  const worst = warnings.some((w) => w.severity === "warning") ? "Warning" : "Caution";
  const titles = warnings.flatMap((w) => (w.zones || []).map((zone) => `\u201c${zone.title}\u201d`));
  const where = titles.length > 1
    ? `in ${titles.length} caution zones, ${titles.slice(0, -1).join(", ")} and ${titles.at(-1)}`
    : titles.length ? `in the caution zone ${titles[0]}` : "in a caution zone";
  return `${worst}: ${where}; see the safety checks.`;
}

export function createRows(c) {
  function renderPending() {
    c.decorateMap();
    renderUndo();
    for (const row of c.list.children) {
      const id = Number(row.dataset.siteId);
      row.classList.toggle("is-pending", c.queue.some((t) => t.siteId != null && c.resolveId(t.siteId) === id));
      row.classList.toggle("is-deleting", c.queue.some((t) => t.kind === "delete" && c.resolveId(t.siteId) === id));
    }
  }

  function setField(scope, name, text) {
    const node = scope.querySelector(`[data-field="${name}"]`);
    if (node && node.textContent !== text) node.textContent = text;
  }

  function fillRow(row, site) {
    const units = c.unitsOf(site);
    row.dataset.siteId = site.id;
    row.dataset.muscle = site.muscle;
    row.dataset.side = site.side;
    row.dataset.number = site.number;
    setField(row, "number", String(site.number));
    setField(row, "muscle_name", site.muscle_name);
    setField(row, "side", c.SIDE_NAMES[site.side] || site.side);
    setField(row, "role", c.ROLE_NAMES[site.role] ? ` · ${c.ROLE_NAMES[site.role]}` : "");
    setField(row, "units", units == null ? "–" : fmtUnits(units));
    // The server's draw text, for the dose it was written for; a dose not yet
    // saved waits for it rather than showing a figure of the page's own.
    const saved = units === site.units;
    const draw = units == null ? site.unset_reason || "Dose not entered"
      : !saved ? "Saving…"
      : site.draw_text || (c.state.session.lot ? "Saving…" : "No vial chosen");
    setField(row, "draw", draw);
    row.querySelector('[data-field="draw"]')?.classList.toggle("is-unset", units == null);
    const entry = row.querySelector(".dose-entry");
    if (entry) {
      entry.hidden = units != null;
      entry.setAttribute("aria-label", `Dose of site ${site.number}, ${c.unitName()}`);
    }
    const role = c.ROLE_NAMES[site.role];
    const side = (c.SIDE_NAMES[site.side] || site.side).toLowerCase();
    const dose = units == null ? "dose not entered" : `${fmtUnits(units)} ${c.unitName()}`;
    row.setAttribute("aria-label", `Site ${site.number}: ${site.muscle_name}, ${side}${role ? `, ${role}` : ""}, ${dose}`);
    const label = (action, text) => row.querySelector(`[data-action="${action}"]`)?.setAttribute("aria-label", `${text} site ${site.number}`);
    label("decrease", "Decrease dose of");
    label("increase", "Increase dose of");
    label("move", "Move");
    label("delete", "Delete");
    row.querySelector('[data-action="keypad"]')?.setAttribute("aria-label", `Dose of site ${site.number}: ${dose}. Open the keypad`);
    row.querySelector('[data-action="decrease"]')?.setAttribute("aria-disabled", String(units == null || units <= c.state.step_units));
    row.querySelector('[data-action="increase"]')?.setAttribute("aria-disabled", String(units != null && units >= c.state.max_units));
    // A toggle: its name stays "Move site n", its pressed state says it is on.
    row.querySelector('[data-action="move"]')?.setAttribute("aria-pressed", String(c.movingId === site.id));
    row.classList.toggle("is-selected", site.id === c.selectedId);
    fillGuidance(row, site);
  }

  /** The caution zones a site lies in (from the server's warnings), and its muscle's
   * guidance and caution while it is the site just placed or the one selected. */
  function fillGuidance(row, site) {
    const zones = (c.state.warnings || []).filter((w) => w.code === "site_in_zone" && w.site_number === site.number);
    const zoneNode = row.querySelector('[data-field="zones"]');
    if (zoneNode) {
      // The panel below words each zone with its source; the row flags them by name.
      setField(row, "zones", zoneFlag(zones));
      zoneNode.hidden = zones.length === 0;
    }
    const guidanceNode = row.querySelector('[data-field="guidance"]');
    if (guidanceNode) {
      const text = [site.guidance, site.caution ? `Caution: ${site.caution}` : ""].filter(Boolean).join(" ");
      setField(row, "guidance", text);
      guidanceNode.hidden = !text || (site.id !== c.guidedId && site.id !== c.placedId);
    }
  }

  function renderRows() {
    const rows = new Map([...c.list.children].map((row) => [Number(row.dataset.siteId), row]));
    let previous = null;
    for (const site of c.state.sites) {
      let row = rows.get(site.id);
      if (row) rows.delete(site.id);
      else row = c.rowTemplate.content.firstElementChild.cloneNode(true);
      fillRow(row, site);
      const slot = previous ? previous.nextElementSibling : c.list.firstElementChild;
      if (row !== slot) c.list.insertBefore(row, slot);
      previous = row;
    }
    for (const row of rows.values()) {
      if (row.contains(document.activeElement)) {
        const next = row.nextElementSibling && !rows.has(Number(row.nextElementSibling.dataset.siteId)) ? row.nextElementSibling : null;
        const prev = row.previousElementSibling && !rows.has(Number(row.previousElementSibling.dataset.siteId)) ? row.previousElementSibling : null;
        row.remove();
        // The last site gone: focus the list's heading (it says "Sites (0)"), never the page.
        (next || prev || document.getElementById("sites-title")).focus();
      } else {
        row.remove();
      }
    }
    if (c.movingId != null && !siteById(c.state, c.movingId)) c.stopMoving();
    if (c.selectedId != null && !siteById(c.state, c.selectedId)) c.selectedId = null;
    document.getElementById("site-count").textContent = `(${c.state.sites.length})`;
    document.getElementById("sites-empty").hidden = c.state.sites.length > 0;
    const unset = c.state.sites.filter((s) => c.unitsOf(s) == null).length;
    const unsetNote = document.getElementById("unset-note");
    if (unsetNote) {
      unsetNote.hidden = unset === 0;
      setField(unsetNote, "unset-note", `${unset} dose${unset === 1 ? "" : "s"} to enter in ${c.state.session.product.brand} units before signing`);
    }
    renderPending();
  }

  function renderUndo() {
    if (!c.undoButton) return;
    const credit = c.undoCredit();
    c.undoButton.setAttribute("aria-disabled", String(credit <= 0 || !c.editable));
    const top = c.undoHistory.top();
    const waiting = c.queue.some((t) => t.undoable);
    c.undoWhat.textContent = credit > 0 ? (waiting ? "" : top ? ` ${top.label}` : "") : "";
  }

  return { renderPending, setField, fillRow, fillGuidance, renderRows, renderUndo };
}
