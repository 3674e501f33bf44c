/* The chart's changes as save-queue tasks: place, dose, move, delete, copy a cycle
 * or a template, and undo.
 *
 * Each task says what it sends, how to tell it was applied after a conflict, and
 * what to say and remember for undo once saved. ``c`` is the chart (main.js): its
 * state, the queue, undo history and what shows what is not saved yet.
 */

import { startHint, stepDose } from "./keypad.js";
import { HIT_RADIUS_PX, pendingCreateNear } from "./map.js";
import { addedSites, fmtUnits, round2, siteById } from "./state.js";

export function createTasks(c) {
  // ---- a muscle a procedure excised or denervated ---------------------------------------

  const treatedConfirm = document.getElementById("treated-confirm");
  let treatedTask = null;

  /** Offer to send a refused tap or move again, confirmed; the site then carries a warning. */
  function offerTreatedConfirm(task) {
    if (!treatedConfirm) return;
    treatedTask = task;
    treatedConfirm.hidden = false;
    document.getElementById("treated-confirm-yes").focus();
  }

  function closeTreatedConfirm(confirmed) {
    if (!treatedConfirm) return;
    const task = treatedTask;
    treatedTask = null;
    treatedConfirm.hidden = true;
    if (!confirmed || !task) return;
    c.enqueue({
      ...task,
      request() {
        const sent = task.request();
        return sent && { ...sent, body: { ...sent.body, confirm_treated_muscle: true } };
      },
    });
  }

  document.getElementById("treated-confirm-yes")?.addEventListener("click", () => closeTreatedConfirm(true));
  document.getElementById("treated-confirm-no")?.addEventListener("click", () => closeTreatedConfirm(false));

  /** A tap on the map (``tapped``) or Enter on the keyboard's crosshair: add a site there. */
  function placeAt(point, { tapped = false } = {}) {
    // A new tap answers an open "place it anyway?" with no.
    closeTreatedConfirm(false);
    const at = { x: round2(point.x), y: round2(point.y) };
    // A second tap (or Enter) on a site still being saved, on slow Wi-Fi or
    // offline, means that site: it is selected once saved, never charted twice.
    const scale = c.mapBox.querySelector("svg")?.getScreenCTM()?.a || 1;
    const pending = pendingCreateNear(c.queue.tasks, at, HIT_RADIUS_PX / scale);
    if (pending) {
      pending.selectWhenSaved = true;
      c.hint("This site is still being saved: nothing added. It is selected once saved.");
      return;
    }
    if (tapped) c.hint("Adding a site here…", { announce: false });
    c.enqueue(createTask({ body: at, point: at }));
  }

  function createTask({ body, point, undo = true, onCreated }) {
    return {
      kind: "create",
      point,
      undoable: undo,
      request: () => ({ method: "POST", path: "/sites", body }),
      applied: (before, after) =>
        point != null &&
        addedSites(before, after).some((s) => Math.abs(s.x - point.x) < 0.05 && Math.abs(s.y - point.y) < 0.05),
      done(before, after) {
        const site = addedSites(before, after)[0];
        if (!site) return "Saved.";
        // Tapped again while it was being saved: that tap chose this site.
        if (this.selectWhenSaved && c.movingId == null) c.selectSite(site.id, { focusRow: true });
        if (onCreated) return onCreated(site);
        c.undoHistory.push({ kind: "create", siteId: site.id, label: `add site ${site.number}` });
        c.placedId = site.id;
        return `Site ${site.number} saved: ${c.describe(site)}`;
      },
    };
  }

  function stepUnits(siteId, direction) {
    const site = siteById(c.state, siteId);
    if (!site || !c.editable) return;
    const current = c.unitsOf(site);
    if (current == null && direction < 0) {
      c.announce(startHint(site.number, c.state.step_units, c.unitName()));
      return;
    }
    // An empty dose steps up from nothing, never from another product's figure.
    const next = stepDose(current, direction, { step: c.state.step_units, max: c.state.max_units });
    if (next == null) {
      c.announce(`Site ${site.number} is already at the ${direction > 0 ? "highest" : "lowest"} dose the steppers give, ${fmtUnits(current)} ${c.unitName()}.`);
      return;
    }
    setUnits(siteId, next, current);
  }

  /** Type a dose for a site: a number within the chart's range, or nothing is sent. */
  function enterUnits(siteId, input) {
    const site = siteById(c.state, siteId);
    if (!site || !c.editable) return;
    const typed = Number(input.value.trim().replace(",", "."));
    if (!input.value.trim() || !Number.isFinite(typed) || typed < c.state.min_units || typed > c.state.max_units) {
      input.setAttribute("aria-invalid", "true");
      c.announce(`Not saved: the dose of site ${site.number} must be a number from ${fmtUnits(c.state.min_units)} to ${fmtUnits(c.state.max_units)} ${c.unitName()}.`, "error");
      return;
    }
    input.removeAttribute("aria-invalid");
    input.value = "";
    setUnits(siteId, round2(typed), c.unitsOf(site));
  }

  function setUnits(siteId, next, current) {
    c.optimistic.set(siteId, next);
    c.renderRows();
    // Presses faster than the network fold into the waiting request.
    const waiting = c.queue.find((t) => t !== c.queue.inFlight && t.kind === "units" && t.siteId === siteId);
    if (waiting) {
      waiting.units = next;
      return;
    }
    c.enqueue({
      kind: "units",
      siteId,
      units: next,
      // Entering a dose that was empty cannot be undone to empty: delete the site.
      undoable: current != null,
      previous: current,
      request() {
        const id = c.resolveId(this.siteId);
        return siteById(c.state, id) ? { method: "PATCH", path: `/sites/${id}`, body: { units: this.units } } : null;
      },
      applied(before, after) {
        const now = after.sites.find((s) => s.id === c.resolveId(this.siteId));
        return Boolean(now) && Math.abs(now.units - this.units) < 1e-9;
      },
      done(before, after) {
        if (!c.queue.some((t) => t.kind === "units" && t.siteId === this.siteId)) c.optimistic.delete(this.siteId);
        const now = after.sites.find((s) => s.id === c.resolveId(this.siteId));
        if (!now) return null;
        if (this.previous != null) c.undoHistory.push({ kind: "update", siteId: now.id, before: { units: this.previous }, label: `dose of site ${now.number}` });
        c.renderRows();
        return `Site ${now.number} saved: ${c.describe(now)}`;
      },
      skipped() {
        c.optimistic.delete(this.siteId);
      },
    });
  }

  function moveTask(siteId, x, y, { undo = true, label = null } = {}) {
    const site = siteById(c.state, siteId);
    const previous = site ? { x: site.x, y: site.y } : null;
    const point = { x: round2(x), y: round2(y) };
    return {
      kind: "move",
      siteId,
      point,
      undoable: undo,
      request() {
        const id = c.resolveId(siteId);
        return siteById(c.state, id) ? { method: "PATCH", path: `/sites/${id}`, body: point } : null;
      },
      applied: (before, after) => {
        const now = after.sites.find((s) => s.id === c.resolveId(siteId));
        return Boolean(now) && Math.abs(now.x - point.x) < 0.05 && Math.abs(now.y - point.y) < 0.05;
      },
      done(before, after) {
        const now = after.sites.find((s) => s.id === c.resolveId(siteId));
        if (!now) return null;
        if (undo && previous) c.undoHistory.push({ kind: "update", siteId: now.id, before: previous, label: `move of site ${now.number}` });
        return `${label || `Site ${now.number} moved`}: ${c.describe(now)}`;
      },
    };
  }

  function deleteTask(siteId, { undo = true, prefix = "" } = {}) {
    const site = siteById(c.state, siteId);
    const snapshot = site ? { ...site, units: c.unitsOf(site) } : null;
    return {
      kind: "delete",
      siteId,
      undoable: undo,
      request() {
        const id = c.resolveId(siteId);
        return siteById(c.state, id) ? { method: "DELETE", path: `/sites/${id}`, body: {} } : null;
      },
      applied: (before, after) => !after.sites.some((s) => s.id === c.resolveId(siteId)),
      done() {
        c.optimistic.delete(siteId);
        if (!snapshot) return null;
        if (undo) c.undoHistory.push({ kind: "delete", site: snapshot, label: `delete site ${snapshot.number}` });
        return `${prefix}Site ${snapshot.number} deleted: ${c.describe(snapshot, snapshot.units)}.`;
      },
    };
  }

  /** Say how many copied doses are still to enter, and why they were not copied. */
  function unsetText(added) {
    const unset = added.filter((s) => s.units == null);
    if (!unset.length) return "";
    return ` ${unset.length} dose${unset.length === 1 ? "" : "s"} to enter: ${unset[0].unset_reason || "dose not entered"}.`;
  }

  function batchTask({ kind, path, body, label, none, said }) {
    return {
      kind,
      undoable: true,
      needsState: true,
      request: () => ({ method: "POST", path, body }),
      done(before, after) {
        // Replacing removes every site of today's chart first, in the same unit of
        // work (the database may then give a new site a removed one's id): all the
        // sites after are new, all before are gone, and come back with an undo.
        const added = body.replace ? after.sites.slice() : addedSites(before, after);
        const removed = body.replace ? before.sites.slice() : [];
        if (!added.length && !removed.length) return none;
        const replaced = removed.length ? `, replacing ${plural(removed.length)}` : "";
        c.undoHistory.push({ kind: "batch", siteIds: added.map((s) => s.id), removed, label: `${label}${replaced}` });
        return `${said(added.length)}${replaced ? ` It replaced ${plural(removed.length)}.` : ""}${unsetText(added)}`;
      },
    };
  }

  const plural = (n) => `${n} site${n === 1 ? "" : "s"}`;
  const copyLast = (replace) =>
    c.enqueue(batchTask({ kind: "copy", path: "/copy-last", body: { replace }, label: "copy of last cycle", none: "Nothing was copied.", said: (n) => `Copied ${plural(n)} from the last cycle.` }));
  const applyTemplate = (id, name, replace) =>
    c.enqueue(batchTask({ kind: "template", path: "/apply-template", body: { template_id: Number(id), replace }, label: "template", none: `Template “${name}” added no sites.`, said: (n) => `Added ${plural(n)} from template “${name}”.` }));
  /** The request that puts back a deleted site.
   *
   * It keeps its own number while no site holds it when sent (else the server
   * gives the next), so the record and the handout skip none. A site that had no
   * dose comes back with none (``units`` null, never the product's default) and
   * with the reason it gave; it keeps the vial it was drawn from, not the vial in
   * use since a switch. */
  function restoreTask(site) {
    const point = { x: site.x, y: site.y };
    const units = site.units ?? null;
    const body = { ...point, units };
    if (units == null && site.unset_reason) body.unset_reason = site.unset_reason;
    if (site.vial_lot_id != null) body.vial_lot_id = site.vial_lot_id;
    const task = createTask({
      body,
      point,
      undo: false,
      onCreated(created) {
        c.undoHistory.remap(site.id, created.id);
        const where = created.number === site.number ? "" : ` as site ${created.number}`;
        return `Undone: site ${site.number} is back${where}: ${c.describe(created)}`;
      },
    });
    const free = () => site.number != null && !c.state.sites.some((s) => s.number === site.number);
    task.request = () => ({ method: "POST", path: "/sites", body: free() ? { ...body, number: site.number } : body });
    return task;
  }
  /** The requests that reverse one undo entry. */
  function inverse(entry) {
    switch (entry.kind) {
      case "create":
        return [deleteTask(c.resolveId(entry.siteId), { undo: false, prefix: "Undone: " })];
      case "delete":
        return [restoreTask(entry.site)];
      case "update": {
        const id = c.resolveId(entry.siteId);
        if ("units" in entry.before) {
          return [{
            kind: "units-undo",
            siteId: id,
            request: () => (siteById(c.state, c.resolveId(id)) ? { method: "PATCH", path: `/sites/${c.resolveId(id)}`, body: { units: entry.before.units } } : null),
            done: (b, a) => {
              const now = a.sites.find((s) => s.id === c.resolveId(id));
              return now ? `Undone: site ${now.number} back to ${fmtUnits(now.units)} ${c.unitName()}.` : null;
            },
          }];
        }
        return [moveTask(id, entry.before.x, entry.before.y, { undo: false, label: "Undone: site moved back" })];
      }
      case "batch":
        return [
          ...entry.siteIds.map((id) => deleteTask(c.resolveId(id), { undo: false, prefix: "Undone: " })),
          ...(entry.removed || []).map(restoreTask),
        ];
      default:
        return [];
    }
  }

  function undoCredit() {
    return c.undoHistory.length + c.queue.count((t) => t.undoable) - c.queue.count((t) => t.isUndo);
  }

  function undo() {
    if (!c.editable || undoCredit() <= 0) {
      c.announce("Nothing to undo.");
      return;
    }
    c.enqueue({
      kind: "undo",
      isUndo: true,
      expand() {
        const entry = c.undoHistory.pop();
        if (!entry) {
          c.announce("Nothing to undo.");
          return [];
        }
        return inverse(entry);
      },
    });
    c.renderUndo();
  }

  return { offerTreatedConfirm, closeTreatedConfirm, placeAt, createTask, stepUnits, enterUnits, setUnits, moveTask, deleteTask, unsetText, batchTask, plural, copyLast, applyTemplate, inverse, undoCredit, undo };
}
