/* What the server's answers do to the chart: the save queue's hooks (sync.js) for a
 * change saved, a conflict with another device, and a refusal said in words.
 *
 * Reads and sets the chart through its context ``c`` (main.js), read when used:
 * a saved change is laid over the state (or the whole state taken), undo learns
 * the ids the server gave, and whatever the server refused is said in the live
 * region with its reason, never silently dropped.
 */

import { addedSites, patchState } from "./state.js";
import { conflictMessage } from "./sync.js";

/** A tap the map refused on purpose: the eye, or a paired muscle's midline. */
export function refusedSpot(fields) {
  return typeof fields.x === "string" && (fields.x.startsWith("is in a no-go zone") || fields.x === "is on the midline of a paired muscle");
}

export function createAnswers(c) {
  async function saved(task, { body }) {
    c.root.classList.remove("is-offline");
    const before = c.state;
    let whole = task.kind === "refresh";
    if (whole) c.setState(body);
    else {
      const patched = patchState(c.state, body);
      whole = patched.whole;
      c.setState(patched.next);
      // Totals, warnings and volumes come with the whole state: fetch it once idle.
      if (!whole) c.queue.requestRefresh();
    }
    if (task.needsState && !whole) {
      // The answer named no sites (a copy): fetch them before reporting.
      try {
        const full = await c.send({ method: "GET", path: "" });
        if (full.status === 200) c.setState(full.body);
      } catch {
        c.queue.requestRefresh();
      }
    }
    // An id the database gave again (SQLite reuses the highest) means the new site.
    for (const site of addedSites(before, c.state)) c.undoHistory.taken(site.id);
    const message = task.done ? task.done(before, c.state) : null;
    if (message) c.announce(message);
    c.undoHistory.save(c.state.session.version);
  }

  function conflict(task, body) {
    const before = c.state;
    if (body && body.state) c.setState(body.state);
    else c.queue.requestRefresh();
    // The change may have been saved after all (its answer was lost on the way).
    if (body && body.state && task.applied && task.applied(before, c.state)) {
      const message = task.done ? task.done(before, c.state) : null;
      if (message) c.announce(message);
      return true;
    }
    return false;
  }

  function conflicted(task, body, dropped) {
    c.root.classList.remove("is-offline");
    // Changes to existing sites are not replayed over the other device's,
    // and undo would now be unsafe. A chart signed elsewhere says so; the refresh turns it read-only.
    c.optimistic.clear();
    c.undoHistory.forget();
    c.announce(conflictMessage(dropped, body), "error");
    c.render();
  }

  function refused(task, { status, body }) {
    const { announce, queue } = c;
    c.root.classList.remove("is-offline");
    // Drop what the failed task showed ahead of the server.
    if (task.siteId != null && !queue.some((t) => t.siteId === task.siteId && t.kind === "units")) c.optimistic.delete(task.siteId);
    const fields = body && body.fields ? body.fields : {};
    if (task.kind === "refresh") {
      announce(`Could not load the latest chart (${(body && body.error) || status}). Reload the page.`, "error");
    } else if (status === 400 && fields.x === "is not on a muscle") {
      announce("Not saved: that spot is not on a muscle. Tap inside a muscle's outline.", "error");
    } else if (status === 400 && refusedSpot(fields)) {
      announce(body.error, "error"); // "Nothing placed: …" with the reason and its source
    } else if (status === 400 && fields.confirm_treated_muscle && task.request) {
      announce(body.error, "error"); // "Nothing placed: the left … was excised (…)."
      c.offerTreatedConfirm(task);
    } else if (status === 404) {
      announce("Not saved: that site is no longer on this chart. Showing the latest.", "error");
      queue.requestRefresh();
    } else {
      const detail = Object.entries(fields).map(([name, text]) => `${name.replace(/_/g, " ")} ${text}`);
      const text = body && body.error ? body.error : `The server answered ${status}.`;
      announce(`Not saved: ${[text, ...detail].join(" ")}`, "error");
    }
    c.render();
  }

  return { saved, conflict, conflicted, refused };
}
