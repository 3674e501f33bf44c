/* Selecting a site and moving one: by a tap on its row or marker, by its Move
 * button (then a tap, or the keyboard's crosshair, says where), or by a drag,
 * which asks first when it would change the site's muscle. ``c`` is the chart.
 *
 * In one column (portrait) the map can be a screen above the row's Move: Move
 * brings the map and the instruction under it into view, and once the site is
 * moved, or the move cancelled, the row comes back with the focus (review rW2, V2-5).
 */

import { siteById } from "./state.js";

export function createSelection(c) {

  function selectSite(siteId, { focusRow = false, guidance = true, hint: say = false } = {}) {
    c.selectedId = siteId;
    for (const row of c.list.children) row.classList.toggle("is-selected", Number(row.dataset.siteId) === siteId);
    // Focus alone (a finger landing on a row's button) must not grow the row
    // under the finger: the guidance opens on a chosen site, not a focused one.
    if (guidance && c.guidedId !== siteId) {
      c.guidedId = siteId;
      for (const row of c.list.children) {
        const site = siteById(c.state, Number(row.dataset.siteId));
        if (site) c.fillGuidance(row, site);
      }
    }
    c.decorateMap();
    const site = siteById(c.state, siteId);
    if (say && site) c.hint(`Selected site ${site.number}: ${c.describe(site)}`);
    if (focusRow) {
      const row = [...c.list.children].find((r) => Number(r.dataset.siteId) === siteId);
      if (row) {
        row.focus({ preventScroll: true });
        row.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    }
  }

  const cancelLine = document.getElementById("move-cancel-line");
  let backToRow = false; // the map was brought into view: the row comes back after

  /** Scroll the map, with the status line under it (where the instruction is),
   * into view; true if the page had to move. */
  function showMap() {
    const status = document.getElementById("chart-status") || c.mapBox;
    const map = c.mapBox.getBoundingClientRect();
    const below = status.getBoundingClientRect().bottom;
    if (map.top >= 0 && below <= window.innerHeight) return false;
    const card = (c.mapBox.closest(".map-card") || c.mapBox).getBoundingClientRect();
    // From the card's top, unless the instruction would then be off the bottom.
    const by = below - card.top + 8 > window.innerHeight ? below - window.innerHeight + 8 : card.top - 8;
    window.scrollBy({ top: by, behavior: "instant" });
    return true;
  }

  function startMoving(siteId, { keyboard = false } = {}) {
    const site = siteById(c.state, siteId);
    if (!site) return;
    c.movingId = siteId;
    c.movingByKey = keyboard;
    c.mapBox.classList.add("is-moving");
    selectSite(siteId);
    c.renderRows();
    if (cancelLine) cancelLine.hidden = false;
    backToRow = showMap();
    if (keyboard && c.keys) {
      // The crosshair starts on the site: arrow keys take it to the new place.
      c.keys.focus(c.shownPoint(site));
      c.announce(`Moving site ${site.number}: arrow keys move the crosshair, Enter puts the site there, Escape cancels.`);
      return;
    }
    c.announce(`Tap the new place for site ${site.number} on the map; press Move again, or "Cancel the move", to cancel.`);
  }

  /** After a move from the keyboard, focus goes back to the site's row. */
  function focusRowOf(siteId) {
    const row = [...c.list.children].find((r) => Number(r.dataset.siteId) === siteId);
    row?.focus();
  }

  function stopMoving() {
    if (c.movingId == null) return;
    const id = c.movingId;
    c.movingId = null;
    const inMap = c.mapBox === document.activeElement || document.activeElement?.id === "move-cancel";
    if (cancelLine) cancelLine.hidden = true;
    if (c.movingByKey && inMap) focusRowOf(id);
    else if (backToRow) {
      // The map was a screen away: back to the row, its new place read out there.
      const row = [...c.list.children].find((r) => Number(r.dataset.siteId) === id);
      row?.focus({ preventScroll: true });
      row?.scrollIntoView({ block: "center", behavior: "instant" });
    }
    backToRow = false;
    c.movingByKey = false;
    c.mapBox.classList.remove("is-moving");
    c.renderRows();
  }

  document.getElementById("move-cancel")?.addEventListener("click", () => {
    stopMoving();
    c.announce("Move cancelled.");
  });

  // ---- asking before a drag changes a site's muscle ---------------------------------

  const moveDialog = document.getElementById("move-confirm");
  let pendingDrop = null;

  function askToMove(site, to, region) {
    if (!moveDialog) return;
    pendingDrop = { site, to };
    document.getElementById("move-confirm-text").textContent =
      `Move site ${site.number} from ${site.muscle_name}, ${(c.SIDE_NAMES[site.side] || site.side).toLowerCase()} to ${region.name}?`;
    moveDialog.showModal();
    document.getElementById("move-confirm-yes").focus();
  }

  function closeMoveDialog(move) {
    const drop = pendingDrop;
    pendingDrop = null;
    if (moveDialog?.open) moveDialog.close();
    if (!drop) return;
    if (move) c.enqueue(c.moveTask(drop.site.id, drop.to.x, drop.to.y));
    else {
      c.announce(`Site ${drop.site.number} stays in ${drop.site.muscle_name}.`);
      c.decorateMap();
    }
  }

  document.getElementById("move-confirm-yes")?.addEventListener("click", () => closeMoveDialog(true));
  document.getElementById("move-confirm-no")?.addEventListener("click", () => closeMoveDialog(false));
  moveDialog?.addEventListener("cancel", (event) => {
    event.preventDefault();
    closeMoveDialog(false);
  });

  return { selectSite, startMoving, focusRowOf, stopMoving, moveDialog, pendingDrop, askToMove, closeMoveDialog };
}
