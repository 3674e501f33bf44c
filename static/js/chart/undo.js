/* Undo history: what can be undone, kept across a reload of the same chart.
 *
 * It is saved in sessionStorage under the session id, with the chart version it
 * belongs to: after a reload it comes back only if nothing else changed the chart
 * since, or if the server says the one change since was the treatment time (which
 * moves the version but changes no site). It holds site ids, numbers, points, doses (or why a dose is to enter)
 * and vial ids only, never a name.
 */

export const UNDO_MERGE_MS = 4000; // stepper presses closer than this undo together
export const UNDO_LIMIT = 100;

const storageKey = (sessionId) => `planner.chart.undo.${sessionId}`;

/** Keep only ids, numbers, points and doses of an entry: what storage may hold. */
function bare(entry) {
  const out = { kind: entry.kind, label: String(entry.label || ""), at: Number(entry.at) || 0 };
  if (entry.siteId != null) out.siteId = Number(entry.siteId);
  if (Array.isArray(entry.siteIds)) out.siteIds = entry.siteIds.map(Number);
  if (entry.before) {
    out.before = "units" in entry.before ? { units: entry.before.units } : { x: entry.before.x, y: entry.before.y };
  }
  if (Array.isArray(entry.removed)) out.removed = entry.removed.map(bareSite);
  if (entry.site) out.site = bareSite(entry.site);
  return out;
}

/** A site to put back: its id, number, point, dose (or why it has none) and the
 * id of the vial it was drawn from, which it keeps after a switch. */
function bareSite({ id, number, x, y, units, unset_reason: reason, vial_lot_id: vial }) {
  const site = { id, number, x, y, units };
  if (vial != null) site.vial_lot_id = Number(vial);
  // "Dose not carried over: …" names products, never a person.
  if (units == null && reason) site.unset_reason = String(reason);
  return site;
}

export function createUndo({ storage = null, sessionId = null, clock = Date.now, onChange = () => {} } = {}) {
  let stack = [];
  const ids = new Map(); // site id -> id of the site an undo recreated for it

  const history = {
    get length() {
      return stack.length;
    },
    top: () => stack[stack.length - 1],
    entries: () => stack.slice(),
    push(entry) {
      const top = stack[stack.length - 1];
      const now = clock();
      if (
        entry.kind === "update" && top && top.kind === "update" && top.siteId === entry.siteId &&
        "units" in top.before && "units" in entry.before && now - top.at < UNDO_MERGE_MS
      ) {
        top.at = now; // keep the dose from before the first press
        top.label = entry.label;
      } else {
        stack.push(bare({ ...entry, at: now }));
        if (stack.length > UNDO_LIMIT) stack.shift();
      }
      onChange();
    },
    pop() {
      const entry = stack.pop();
      onChange();
      return entry;
    },
    clear() {
      stack = [];
      ids.clear();
      onChange();
    },
    /** The id a site has now, after undos recreated it. */
    resolve(id) {
      const seen = new Set();
      while (ids.has(id) && !seen.has(id)) {
        seen.add(id);
        id = ids.get(id);
      }
      return id;
    },
    remap(oldId, newId) {
      // The database may give a site put back its old id (SQLite reuses the
      // highest): there is nothing to follow then.
      if (oldId !== newId) ids.set(oldId, newId);
    },
    /** A new site took this id: from now on it means that site, not one put back. */
    taken(id) {
      ids.delete(id);
    },
    /** Keep the history for this chart version, so a reload finds it. */
    save(version) {
      if (!storage || sessionId == null) return;
      try {
        if (!stack.length) storage.removeItem(storageKey(sessionId));
        else storage.setItem(storageKey(sessionId), JSON.stringify({ version, stack, ids: [...ids] }));
      } catch {
        // Storage full or refused (private mode): undo still works until a reload.
      }
    },
    /** Take back the history saved for this chart version; false when there is none.
     *
     * ``timeFrom``: the version the server says this one came from by a change of the
     * treatment time alone (``data-undo-time-from``); history saved at it is still
     * safe, as that change moved no site. Any other version is refused. */
    restore(version, { timeFrom = null } = {}) {
      if (!storage || sessionId == null) return false;
      let saved = null;
      try {
        saved = JSON.parse(storage.getItem(storageKey(sessionId)) || "null");
      } catch {
        saved = null;
      }
      const current = saved && (saved.version === version || (timeFrom != null && saved.version === timeFrom));
      if (!current || !Array.isArray(saved.stack)) {
        // Another device or tab changed the chart since: its undo would be unsafe.
        storage.removeItem(storageKey(sessionId));
        return false;
      }
      stack = saved.stack.map(bare);
      ids.clear();
      for (const [from, to] of saved.ids || []) ids.set(Number(from), Number(to));
      if (saved.version !== version) history.save(version); // a further reload finds it too
      onChange();
      return stack.length > 0;
    },
    forget() {
      stack = [];
      ids.clear();
      if (storage && sessionId != null) storage.removeItem(storageKey(sessionId));
      onChange();
    },
  };
  return history;
}
