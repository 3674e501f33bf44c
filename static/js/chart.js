/* The chart at the chair: place, move, dose, delete and undo injection sites.
 *
 * Every change is saved at once through the JSON API. Requests go out one at a
 * time from a queue, so each carries the session version the previous one left;
 * a request that cannot reach the server stays at the head of the queue and is
 * retried, so no tap is ever dropped silently. Plain ES2020, no libraries.
 */
"use strict";

(() => {
  const root = document.getElementById("chart");
  const stateNode = document.getElementById("chart-state");
  if (!root || !stateNode) return;

  const TAP_SLOP_PX = 10; // movement that still counts as a tap, not a drag
  const GRAB_SLOP_PX = 18; // a drag may start this far outside a marker
  const SELECT_SLOP_PX = 4; // a tap this close to a marker selects it
  const UNDO_MERGE_MS = 4000; // stepper presses closer than this undo together
  const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
  const MAX_CONFLICT_RETRIES = 2;
  const SVG_NS = "http://www.w3.org/2000/svg";
  // The words for sides and roles come from the server's vocabulary, with the page.
  const labels = JSON.parse(document.getElementById("chart-labels")?.textContent || "{}");
  const SIDE_NAMES = labels.side || {};
  const ROLE_NAMES = labels.site_role_note || {};

  const api = root.dataset.api;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const mapBox = document.getElementById("chart-map");
  const statusLine = document.getElementById("chart-status");
  const list = document.getElementById("site-list");
  const rowTemplate = document.getElementById("site-row-template");
  const undoButton = document.getElementById("undo");
  const undoWhat = document.getElementById("undo-what");
  const copyButton = document.getElementById("copy-last");
  const signButton = document.getElementById("sign");

  let state = JSON.parse(stateNode.textContent);
  let editable = root.dataset.editable === "true";

  const queue = []; // tasks waiting to be sent, the head one possibly in flight
  let inFlight = null;
  let pumping = false;
  let failures = 0;
  let wake = null; // resolves the retry wait early (back online, "Retry now")
  let slowTimer = null;
  const optimistic = new Map(); // site id -> units shown before the server agrees
  const undoStack = [];
  const idMap = new Map(); // site id -> id of the site an undo recreated for it
  let gesture = null;
  let deferredSvg = null;
  let shownSvg = null;
  let selectedId = null;
  let movingId = null;

  // ---- formatting -------------------------------------------------------------

  const unitName = () => state.session.product.unit_name;
  const round2 = (n) => Math.round((n + Number.EPSILON) * 100) / 100;
  const fmt = (n) => String(round2(n));
  // The server's one format (planner.dosing.volume): 0.001 mL and marks to 0.1,
  // so 1.5 U at 100 U/mL reads 0.015 mL here as on the record.
  const fmtMl = (ml) => `${(Math.round((ml + Number.EPSILON) * 1000) / 1000).toFixed(3)} mL`;
  const dateTime = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  });

  function describe(site, units = unitsOf(site)) {
    const side = (SIDE_NAMES[site.side] || site.side).toLowerCase();
    return `${site.muscle_name}, ${side}, ${fmt(units)} ${unitName()}`;
  }

  function muscleName(code) {
    return state.muscles.find((m) => m.code === code)?.name || code.replace(/_/g, " ");
  }

  function formatTimes(scope) {
    for (const node of scope.querySelectorAll("time[data-format=datetime]")) {
      const when = new Date(node.dateTime);
      if (!Number.isNaN(when.getTime())) node.textContent = dateTime.format(when);
    }
  }

  // ---- the live region -----------------------------------------------------------

  function announce(text, kind = "info") {
    // Identical text twice is not read out again; a trailing space makes it new.
    statusLine.textContent = statusLine.textContent === text ? `${text}\u00a0` : text;
    statusLine.dataset.kind = kind;
  }

  function showSaving() {
    clearTimeout(slowTimer);
    // Only a slow save says so; a quick one would just flicker.
    slowTimer = setTimeout(() => {
      if (queue.length && !failures) announce("Saving…", "busy");
    }, 700);
  }

  // ---- state --------------------------------------------------------------------

  const siteById = (id) => state.sites.find((s) => s.id === id);
  const resolveId = (id) => {
    while (idMap.has(id)) id = idMap.get(id);
    return id;
  };
  const unitsOf = (site) => (optimistic.has(site.id) ? optimistic.get(site.id) : site.units);
  const clampUnits = (u) => Math.min(state.max_units, Math.max(state.min_units, round2(u)));

  function addedSites(before, after) {
    const old = new Set(before.sites.map((s) => s.id));
    return after.sites.filter((s) => !old.has(s.id));
  }

  /** Fill in what a site delta lacks (names, volumes) from the state we hold. */
  function completeSite(site) {
    const muscle = state.muscles.find((m) => m.code === site.muscle);
    const lot = state.session.lot;
    const volume = lot ? (site.units * lot.diluent_ml) / lot.vial_units : null;
    return {
      ...site,
      muscle_name: muscle ? muscle.name : site.muscle,
      abbreviation: muscle ? muscle.abbreviation : "",
      volume_ml: volume,
      marks: volume === null ? null : volume * 100,
    };
  }

  /** Take a mutation's answer: the whole state, or a delta to patch in. */
  function absorb(body) {
    if (body && body.session && Array.isArray(body.sites)) {
      setState(body);
      return true;
    }
    const next = { ...state, session: { ...state.session }, sites: state.sites.slice() };
    if (body && typeof body.version === "number") next.session.version = body.version;
    if (body && body.site) {
      const index = next.sites.findIndex((s) => s.id === body.site.id);
      const site = completeSite({ ...(index >= 0 ? next.sites[index] : {}), ...body.site });
      if (index >= 0) next.sites[index] = site;
      else next.sites.push(site);
      next.sites.sort((a, b) => a.number - b.number);
    }
    if (body && body.deleted != null) next.sites = next.sites.filter((s) => s.id !== body.deleted);
    setState(next);
    // Totals, warnings and the map come with the whole state: fetch it once idle.
    requestRefresh();
    return false;
  }

  function setState(next) {
    state = next;
    render();
  }

  // ---- the queue ----------------------------------------------------------------

  function enqueue(task) {
    // A pending refresh stays last: it should see every change before it.
    const tail = queue[queue.length - 1];
    if (tail && tail.kind === "refresh" && tail !== inFlight) queue.splice(queue.length - 1, 0, task);
    else queue.push(task);
    renderPending();
    pump();
  }

  function requestRefresh() {
    if (queue.some((t) => t.kind === "refresh" && t !== inFlight)) return;
    queue.push({ kind: "refresh", request: () => ({ method: "GET", path: "" }) });
  }

  async function send(request) {
    const init = {
      method: request.method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    };
    if (request.method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ ...(request.body || {}), version: state.session.version });
    }
    const response = await fetch(api + request.path, init);
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    return { status: response.status, body };
  }

  function waitToRetry() {
    const delay = BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)];
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = null;
    });
  }

  async function pump() {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length) {
        const task = queue[0];
        if (task.expand) {
          queue.splice(0, 1, ...task.expand());
          renderPending();
          continue;
        }
        const request = task.request();
        if (!request) {
          queue.shift();
          task.skipped?.();
          renderPending();
          continue;
        }
        inFlight = task;
        showSaving();
        let answer = null;
        try {
          answer = await send(request);
        } catch {
          answer = null; // offline, or the server did not answer
        }
        inFlight = null;
        if (answer === null || answer.status >= 500 || answer.status === 401) {
          failures += 1;
          notSaved(answer);
          await waitToRetry();
          continue;
        }
        failures = 0;
        queue.shift();
        await settle(task, answer);
        renderPending();
      }
    } finally {
      pumping = false;
      inFlight = null;
      clearTimeout(slowTimer);
      if (statusLine.dataset.kind === "busy") announce("All changes saved.");
    }
  }

  function notSaved(answer) {
    const waiting = queue.filter((t) => t.kind !== "refresh").length;
    const what = waiting === 1 ? "1 change" : `${waiting} changes`;
    if (answer && answer.status === 401) {
      announce(`Not saved yet: you are logged out. Log in again in another tab; ${what} will then be saved.`, "error");
    } else if (waiting) {
      announce(`Not saved yet — retrying (${what} waiting).`, "error");
    }
    root.classList.add("is-offline");
  }

  async function settle(task, { status, body }) {
    root.classList.remove("is-offline");
    if (status >= 200 && status < 300) {
      const before = state;
      const whole = task.kind === "refresh" ? (setState(body), true) : absorb(body);
      if (task.needsState && !whole) {
        // The answer named no sites (a copy): fetch them before reporting.
        try {
          const full = await send({ method: "GET", path: "" });
          if (full.status === 200) setState(full.body);
        } catch {
          requestRefresh();
        }
      }
      const message = task.done ? task.done(before, state) : null;
      if (message) announce(message);
      return;
    }
    if (task.failed && task.failed(status, body)) return;
    if (status === 409) {
      conflict(task, body);
      return;
    }
    forget(task);
    const fields = body && body.fields ? body.fields : {};
    if (task.kind === "refresh") {
      announce(`Could not load the latest chart (${(body && body.error) || status}). Reload the page.`, "error");
    } else if (status === 400 && fields.x === "is not on a muscle") {
      announce("Not saved: that spot is not on a muscle. Tap inside a muscle's outline.", "error");
    } else if (status === 404) {
      announce("Not saved: that site is no longer on this chart. Showing the latest.", "error");
      requestRefresh();
    } else {
      const detail = Object.entries(fields).map(([name, text]) => `${name.replace(/_/g, " ")} ${text}`);
      const text = body && body.error ? body.error : `The server answered ${status}.`;
      announce(`Not saved: ${[text, ...detail].join(" ")}`, "error");
    }
    render();
  }

  /** Drop what a failed task showed ahead of the server (doses, pending marks). */
  function forget(task) {
    if (task.siteId != null && !queue.some((t) => t.siteId === task.siteId && t.kind === "units")) {
      optimistic.delete(task.siteId);
    }
  }

  function conflict(task, body) {
    const before = state;
    if (body && body.state) setState(body.state);
    else requestRefresh();
    // The change may have been saved after all (its answer was lost on the way).
    if (body && body.state && task.applied && task.applied(before, state)) {
      const message = task.done ? task.done(before, state) : null;
      if (message) announce(message);
      return;
    }
    // Another device wrote first. New sites do not overwrite anyone's work, so
    // they go again on top of the latest chart; changes to existing sites are
    // not replayed over the other device's, and undo would now be unsafe.
    const dropped = [];
    for (const waiting of [task, ...queue.splice(0)]) {
      const keep =
        waiting.kind === "refresh" ||
        (waiting.kind === "create" && (waiting.conflicts = (waiting.conflicts || 0) + 1) <= MAX_CONFLICT_RETRIES);
      if (keep) queue.push(waiting);
      else if (waiting.kind !== "undo") dropped.push(waiting);
    }
    optimistic.clear();
    undoStack.length = 0;
    let text = "Another device changed this chart; showing the latest.";
    if (dropped.some((t) => t.kind === "sign")) {
      text += " The session was not signed: check the chart, then sign again.";
    } else if (dropped.length) {
      text += ` ${dropped.length === 1 ? "Your last change was" : `${dropped.length} of your changes were`} not applied: check and redo.`;
    }
    announce(text, "error");
    render();
  }

  // ---- actions ------------------------------------------------------------------

  function pushUndo(entry) {
    const top = undoStack[undoStack.length - 1];
    if (
      entry.kind === "update" && top && top.kind === "update" && top.siteId === entry.siteId &&
      "units" in top.before && "units" in entry.before && Date.now() - top.at < UNDO_MERGE_MS
    ) {
      top.at = Date.now(); // keep the dose from before the first press
      top.label = entry.label;
    } else {
      undoStack.push({ ...entry, at: Date.now() });
      if (undoStack.length > 100) undoStack.shift();
    }
    renderUndo();
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
        if (onCreated) return onCreated(site);
        pushUndo({ kind: "create", siteId: site.id, label: `add site ${site.number}` });
        return `Site ${site.number} saved: ${describe(site)}`;
      },
    };
  }

  function placeAt(x, y) {
    const point = { x: round2(x), y: round2(y) };
    enqueue(createTask({ body: point, point }));
  }

  function placeOnMuscle(muscle, side) {
    enqueue(createTask({ body: { muscle, side } }));
  }

  function stepUnits(siteId, direction) {
    const site = siteById(siteId);
    if (!site || !editable) return;
    const current = unitsOf(site);
    const next = clampUnits(current + direction * state.step_units);
    if (next === current) {
      announce(`Site ${site.number} is already at the ${direction > 0 ? "highest" : "lowest"} dose, ${fmt(current)} ${unitName()}.`);
      return;
    }
    optimistic.set(siteId, next);
    renderRows();
    // Presses faster than the network fold into the waiting request.
    const waiting = queue.find((t) => t !== inFlight && t.kind === "units" && t.siteId === siteId);
    if (waiting) {
      waiting.units = next;
      return;
    }
    const task = {
      kind: "units",
      siteId,
      units: next,
      undoable: true,
      previous: current,
      request() {
        const id = resolveId(this.siteId);
        return siteById(id) ? { method: "PATCH", path: `/sites/${id}`, body: { units: this.units } } : null;
      },
      applied(before, after) {
        const now = after.sites.find((s) => s.id === resolveId(this.siteId));
        return Boolean(now) && Math.abs(now.units - this.units) < 1e-9;
      },
      done(before, after) {
        if (!queue.some((t) => t.kind === "units" && t.siteId === this.siteId)) optimistic.delete(this.siteId);
        const now = after.sites.find((s) => s.id === resolveId(this.siteId));
        if (!now) return null;
        pushUndo({ kind: "update", siteId: now.id, before: { units: this.previous }, label: `dose of site ${now.number}` });
        renderRows();
        return `Site ${now.number} saved: ${describe(now)}`;
      },
      skipped() {
        optimistic.delete(this.siteId);
      },
    };
    enqueue(task);
  }

  function moveTask(siteId, x, y, { undo = true, label = null } = {}) {
    const site = siteById(siteId);
    const previous = site ? { x: site.x, y: site.y } : null;
    const point = { x: round2(x), y: round2(y) };
    return {
      kind: "move",
      siteId,
      point,
      undoable: undo,
      request() {
        const id = resolveId(siteId);
        return siteById(id) ? { method: "PATCH", path: `/sites/${id}`, body: point } : null;
      },
      applied: (before, after) => {
        const now = after.sites.find((s) => s.id === resolveId(siteId));
        return Boolean(now) && Math.abs(now.x - point.x) < 0.05 && Math.abs(now.y - point.y) < 0.05;
      },
      done(before, after) {
        const now = after.sites.find((s) => s.id === resolveId(siteId));
        if (!now) return null;
        if (undo && previous) pushUndo({ kind: "update", siteId: now.id, before: previous, label: `move of site ${now.number}` });
        return `${label || `Site ${now.number} moved`}: ${describe(now)}`;
      },
    };
  }

  function deleteTask(siteId, { undo = true, prefix = "" } = {}) {
    const site = siteById(siteId);
    const snapshot = site ? { ...site, units: unitsOf(site) } : null;
    return {
      kind: "delete",
      siteId,
      undoable: undo,
      request() {
        const id = resolveId(siteId);
        return siteById(id) ? { method: "DELETE", path: `/sites/${id}`, body: {} } : null;
      },
      applied: (before, after) => !after.sites.some((s) => s.id === resolveId(siteId)),
      done() {
        optimistic.delete(siteId);
        if (!snapshot) return null;
        if (undo) pushUndo({ kind: "delete", site: snapshot, label: `delete site ${snapshot.number}` });
        return `${prefix}Site ${snapshot.number} deleted (${describe(snapshot, snapshot.units)}).`;
      },
    };
  }

  function copyLast() {
    enqueue({
      kind: "copy",
      undoable: true,
      needsState: true,
      request: () => ({ method: "POST", path: "/copy-last", body: {} }),
      done(before, after) {
        const added = addedSites(before, after);
        if (!added.length) return "Nothing was copied.";
        pushUndo({ kind: "batch", siteIds: added.map((s) => s.id), label: "copy of last cycle" });
        return `Copied ${added.length} site${added.length === 1 ? "" : "s"} from the last cycle.`;
      },
    });
  }

  function applyTemplate(id, name) {
    enqueue({
      kind: "template",
      undoable: true,
      needsState: true,
      request: () => ({ method: "POST", path: "/apply-template", body: { template_id: Number(id) } }),
      done(before, after) {
        const added = addedSites(before, after);
        if (!added.length) return `Template “${name}” added no sites.`;
        pushUndo({ kind: "batch", siteIds: added.map((s) => s.id), label: `template ${name}` });
        return `Added ${added.length} site${added.length === 1 ? "" : "s"} from template “${name}”.`;
      },
    });
  }

  /** The requests that reverse one undo entry. */
  function inverse(entry) {
    switch (entry.kind) {
      case "create":
        return [deleteTask(resolveId(entry.siteId), { undo: false, prefix: "Undone: " })];
      case "delete": {
        const { site } = entry;
        const point = { x: site.x, y: site.y };
        return [createTask({
          body: { ...point, units: site.units },
          point,
          undo: false,
          onCreated(created) {
            idMap.set(site.id, created.id);
            return `Undone: site ${site.number} is back as site ${created.number}: ${describe(created)}`;
          },
        })];
      }
      case "update": {
        const id = resolveId(entry.siteId);
        if ("units" in entry.before) {
          return [{
            kind: "units-undo",
            siteId: id,
            request: () => (siteById(resolveId(id)) ? { method: "PATCH", path: `/sites/${resolveId(id)}`, body: { units: entry.before.units } } : null),
            done: (b, a) => {
              const now = a.sites.find((s) => s.id === resolveId(id));
              return now ? `Undone: site ${now.number} back to ${fmt(now.units)} ${unitName()}.` : null;
            },
          }];
        }
        return [moveTask(id, entry.before.x, entry.before.y, { undo: false, label: "Undone: site moved back" })];
      }
      case "batch":
        return entry.siteIds.map((id) => deleteTask(resolveId(id), { undo: false, prefix: "Undone: " }));
      default:
        return [];
    }
  }

  function undo() {
    if (!editable || undoCredit() <= 0) {
      announce("Nothing to undo.");
      return;
    }
    enqueue({
      kind: "undo",
      isUndo: true,
      expand() {
        const entry = undoStack.pop();
        renderUndo();
        if (!entry) {
          announce("Nothing to undo.");
          return [];
        }
        return inverse(entry);
      },
    });
    renderUndo();
  }

  function undoCredit() {
    const pending = queue.filter((t) => t.undoable).length;
    const undos = queue.filter((t) => t.isUndo).length;
    return undoStack.length + pending - undos;
  }

  function sign() {
    const reasons = {};
    for (const input of document.querySelectorAll("[data-reason-for]")) {
      if (input.value.trim()) reasons[input.dataset.reasonFor] = input.value.trim();
    }
    // A hard stop is lifted only by the signing injector's own override.
    const overrides = [...document.querySelectorAll("[data-override-for]")]
      .filter((box) => box.checked)
      .map((box) => box.dataset.overrideFor);
    const consent = document.getElementById("sign-consent");
    const error = document.getElementById("sign-error");
    error.hidden = true;
    for (const input of document.querySelectorAll("[data-reason-for], [data-override-for]")) clearFieldError(input);
    signButton.setAttribute("aria-disabled", "true");
    enqueue({
      kind: "sign",
      request: () => ({ method: "POST", path: "/sign", body: { consent_obtained: Boolean(consent?.checked), reasons, overrides } }),
      done(before, after) {
        if (after.session.status !== "signed") {
          requestRefresh();
          return null;
        }
        // The sign button has gone with the other controls: keep focus on the page.
        document.getElementById("signed-banner")?.focus();
        return "Signed. The chart is now read-only.";
      },
      failed(status, body) {
        signButton.removeAttribute("aria-disabled");
        if (status !== 400) return false;
        const fields = (body && body.fields) || {};
        const problems = [];
        let first = null;
        for (const [key, text] of Object.entries(fields)) {
          const input = [...document.querySelectorAll("[data-reason-for], [data-override-for]")].find(
            (node) =>
              node.dataset.reasonFor === key ||
              `reasons.${node.dataset.reasonFor}` === key ||
              `overrides.${node.dataset.overrideFor}` === key,
          );
          if (input) {
            showFieldError(input, input.dataset.overrideFor ? `Override ${text}` : `Reason ${text}`);
            first = first || input;
          } else {
            problems.push(`${key.replace(/_/g, " ")} ${text}`);
          }
        }
        const summary = (body && body.error) || "The session could not be signed.";
        error.textContent = [summary, ...problems].join(" ");
        error.hidden = false;
        announce(`Not signed: ${error.textContent}`, "error");
        (first || consent || signButton).focus();
        return true;
      },
    });
  }

  function showFieldError(input, text) {
    const field = input.closest(".field");
    let note = field.querySelector(".error");
    if (!note) {
      note = document.createElement("p");
      note.className = "error";
      note.id = `${input.id}-error`;
      if (input.type === "checkbox") field.prepend(note);
      else input.before(note);
    }
    note.textContent = text;
    field.classList.add("has-error");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
  }

  function clearFieldError(input) {
    const field = input.closest(".field");
    field.querySelector(".error")?.remove();
    field.classList.remove("has-error");
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }

  // ---- rendering ----------------------------------------------------------------

  function render() {
    if (state.session.status !== "draft" && editable) makeReadOnly();
    renderMap();
    renderRows();
    renderTotals();
    renderChanges();
    renderWarnings();
    renderUndo();
    if (copyButton) copyButton.hidden = !state.last_cycle || !state.last_cycle.length;
  }

  function renderMap() {
    if (!state.svg) return;
    if (gesture) {
      deferredSvg = state.svg; // never swap the drawing under a finger
      return;
    }
    if (shownSvg !== state.svg) {
      // The server's own drawing (facemap.render escapes every text in it).
      mapBox.innerHTML = state.svg;
      shownSvg = state.svg;
    }
    decorateMap();
  }

  const svgOf = () => mapBox.querySelector("svg");

  /** Show on the drawing what the server has not drawn yet. */
  function decorateMap() {
    const svg = svgOf();
    if (!svg) return;
    svg.querySelector("g.chart-overlay")?.remove();
    const overlay = document.createElementNS(SVG_NS, "g");
    overlay.setAttribute("class", "chart-overlay");
    overlay.setAttribute("aria-hidden", "true");
    const drawn = new Map();
    for (const marker of svg.querySelectorAll("g.site")) drawn.set(Number(marker.dataset.number), marker);
    const numbers = new Set(state.sites.map((s) => s.number));
    for (const [number, marker] of drawn) {
      marker.classList.toggle("is-gone", !numbers.has(number));
    }
    for (const site of state.sites) {
      const marker = drawn.get(site.number);
      marker?.classList.toggle("is-selected", site.id === selectedId);
      marker?.classList.toggle("is-moving", site.id === movingId);
      const circle = marker?.querySelector("circle");
      const moving = queue.find((t) => t.kind === "move" && resolveId(t.siteId) === site.id);
      const at = moving ? moving.point : site;
      if (circle) {
        const dx = at.x - Number(circle.getAttribute("cx"));
        const dy = at.y - Number(circle.getAttribute("cy"));
        if (Math.abs(dx) > 0.01 || Math.abs(dy) > 0.01) marker.setAttribute("transform", `translate(${dx} ${dy})`);
        else marker.removeAttribute("transform");
      } else {
        overlay.append(provisionalMarker(at.x, at.y, String(site.number)));
      }
    }
    for (const task of queue) {
      if (task.kind === "create" && task.point) overlay.append(provisionalMarker(task.point.x, task.point.y, "…"));
    }
    svg.append(overlay);
  }

  function provisionalMarker(x, y, text) {
    const group = document.createElementNS(SVG_NS, "g");
    group.setAttribute("class", "provisional");
    const circle = document.createElementNS(SVG_NS, "circle");
    circle.setAttribute("cx", x);
    circle.setAttribute("cy", y);
    circle.setAttribute("r", "7");
    const label = document.createElementNS(SVG_NS, "text");
    label.setAttribute("x", x);
    label.setAttribute("y", y);
    label.setAttribute("dy", "0.35em");
    label.setAttribute("text-anchor", "middle");
    label.textContent = text;
    group.append(circle, label);
    return group;
  }

  function renderPending() {
    decorateMap();
    renderUndo();
    for (const row of list.children) {
      const id = Number(row.dataset.siteId);
      row.classList.toggle("is-pending", queue.some((t) => t.siteId != null && resolveId(t.siteId) === id));
      row.classList.toggle("is-deleting", queue.some((t) => t.kind === "delete" && resolveId(t.siteId) === id));
    }
  }

  function setField(scope, name, text) {
    const node = scope.querySelector(`[data-field="${name}"]`);
    if (node && node.textContent !== text) node.textContent = text;
  }

  function fillRow(row, site) {
    const units = unitsOf(site);
    row.dataset.siteId = site.id;
    row.dataset.muscle = site.muscle;
    row.dataset.side = site.side;
    row.dataset.number = site.number;
    setField(row, "number", String(site.number));
    setField(row, "muscle_name", site.muscle_name);
    setField(row, "side", SIDE_NAMES[site.side] || site.side);
    setField(row, "role", ROLE_NAMES[site.role] ? ` · ${ROLE_NAMES[site.role]}` : "");
    setField(row, "units", fmt(units));
    const lot = state.session.lot;
    const volume = lot ? (units * lot.diluent_ml) / lot.vial_units : site.volume_ml;
    // Marks on a U-100 syringe, to a tenth: finer than anyone can draw.
    const marks = volume == null ? null : Math.round(volume * 1000) / 10;
    setField(row, "draw", volume == null ? "No vial chosen" : `${fmtMl(volume)} · ${marks} marks`);
    const role = ROLE_NAMES[site.role];
    const side = (SIDE_NAMES[site.side] || site.side).toLowerCase();
    row.setAttribute("aria-label", `Site ${site.number}: ${site.muscle_name}, ${side}${role ? `, ${role}` : ""}, ${fmt(units)} ${unitName()}`);
    const label = (action, text) => row.querySelector(`[data-action="${action}"]`)?.setAttribute("aria-label", `${text} site ${site.number}`);
    label("decrease", "Decrease dose of");
    label("increase", "Increase dose of");
    label("move", "Move");
    label("delete", "Delete");
    row.querySelector('[data-action="decrease"]')?.setAttribute("aria-disabled", String(units <= state.min_units));
    row.querySelector('[data-action="increase"]')?.setAttribute("aria-disabled", String(units >= state.max_units));
    const move = row.querySelector('[data-action="move"]');
    // A toggle: its name stays "Move site n", its pressed state says it is on.
    move?.setAttribute("aria-pressed", String(movingId === site.id));
    row.classList.toggle("is-selected", site.id === selectedId);
  }

  function renderRows() {
    const rows = new Map([...list.children].map((row) => [Number(row.dataset.siteId), row]));
    let previous = null;
    for (const site of state.sites) {
      let row = rows.get(site.id);
      if (row) rows.delete(site.id);
      else row = rowTemplate.content.firstElementChild.cloneNode(true);
      fillRow(row, site);
      const slot = previous ? previous.nextElementSibling : list.firstElementChild;
      if (row !== slot) list.insertBefore(row, slot);
      previous = row;
    }
    for (const row of rows.values()) {
      if (row.contains(document.activeElement)) {
        const next = row.nextElementSibling && !rows.has(Number(row.nextElementSibling.dataset.siteId)) ? row.nextElementSibling : null;
        const prev = row.previousElementSibling && !rows.has(Number(row.previousElementSibling.dataset.siteId)) ? row.previousElementSibling : null;
        row.remove();
        (next || prev || document.getElementById("sites-title")).focus();
      } else {
        row.remove();
      }
    }
    if (movingId != null && !siteById(movingId)) stopMoving();
    if (selectedId != null && !siteById(selectedId)) selectedId = null;
    document.getElementById("site-count").textContent = `(${state.sites.length})`;
    document.getElementById("sites-empty").hidden = state.sites.length > 0;
    renderPending();
  }

  function cell(tag, text, className) {
    const node = document.createElement(tag);
    node.textContent = text;
    if (className) node.className = className;
    if (tag === "th") node.scope = "row";
    return node;
  }

  function renderTotals() {
    const totals = state.totals;
    if (!totals) return;
    const put = (name, text) => {
      const node = root.querySelector(`[data-total="${name}"]`);
      if (node) node.textContent = text;
    };
    put("units", fmt(totals.units));
    put("volume", totals.volume_ml == null ? "–" : fmtMl(totals.volume_ml));
    put("vials", totals.vials_used == null ? "–" : String(totals.vials_used));
    for (const side of ["right", "left", "midline"]) put(side, fmt((totals.by_side || {})[side] || 0));
    const body = document.getElementById("totals-by-muscle");
    body.replaceChildren(
      ...totals.by_muscle.map((row) => {
        const tr = document.createElement("tr");
        tr.append(cell("th", row.muscle_name), cell("td", SIDE_NAMES[row.side] || row.side), cell("td", fmt(row.units), "num"));
        return tr;
      }),
    );
  }

  function renderChanges() {
    const section = document.getElementById("changes-section");
    const changes = state.changes || [];
    // Without a last cycle every muscle would read as "new": say nothing instead.
    section.hidden = changes.length === 0 || !(state.last_cycle || []).length;
    document.getElementById("changes").replaceChildren(
      ...changes.map((change) => {
        const delta = round2(change.after - change.before);
        const tr = document.createElement("tr");
        tr.append(
          cell("th", muscleName(change.muscle)),
          cell("td", SIDE_NAMES[change.side] || change.side),
          cell("td", fmt(change.before), "num"),
          cell("td", fmt(change.after), "num"),
          cell("td", delta ? `${delta > 0 ? "+" : ""}${fmt(delta)}` : "same", "num"),
        );
        return tr;
      }),
    );
  }

  function renderWarnings() {
    const listNode = document.getElementById("warning-list");
    const warnings = state.warnings || [];
    const typed = new Map();
    let focusedKey = null;
    const overridden = new Set(
      [...listNode.querySelectorAll("[data-override-for]")].filter((b) => b.checked).map((b) => b.dataset.overrideFor),
    );
    for (const input of listNode.querySelectorAll("[data-reason-for]")) {
      typed.set(input.dataset.reasonFor, input.value);
      if (input === document.activeElement) focusedKey = input.dataset.reasonFor;
    }
    const signing = Boolean(signButton) && editable;
    const items = warnings.map((warning, index) => {
      const item = document.createElement("li");
      item.className = `warning-item severity-${warning.severity}`;
      item.dataset.key = warning.key;
      const message = document.createElement("p");
      message.className = "warning-message";
      const severity = document.createElement("strong");
      severity.className = "severity";
      severity.textContent = `${warning.severity === "warning" ? "Warning" : "Caution"}${warning.site_number ? `, site ${warning.site_number}` : ""}:`;
      message.append(severity, ` ${warning.message}`);
      item.append(message);
      if (warning.source) item.append(cell("p", `Source: ${warning.source}`, "warning-source"));
      if (warning.reason) item.append(cell("p", `Reason given: ${warning.reason}`, "warning-reason"));
      if (warning.overridden_by) item.append(cell("p", `Hard stop overridden by ${warning.overridden_by}.`, "warning-reason"));
      if (warning.needs_reason && signing) {
        const field = document.createElement("div");
        field.className = "field reason";
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.id = `reason-${index + 1}`;
        input.type = "text";
        input.maxLength = 500;
        input.autocomplete = "off";
        input.dataset.reasonFor = warning.key;
        input.value = typed.get(warning.key) || "";
        label.htmlFor = input.id;
        label.append("Reason for going ahead ", cell("span", "(needed to sign)", "required"));
        field.append(label, input);
        item.append(field);
      }
      if (warning.hard_stop && signing) {
        const field = document.createElement("div");
        field.className = "field override";
        const choice = document.createElement("label");
        choice.className = "choice";
        const box = document.createElement("input");
        box.type = "checkbox";
        box.id = `override-${index + 1}`;
        box.dataset.overrideFor = warning.key;
        box.checked = overridden.has(warning.key);
        choice.append(box, " I override this hard stop, in my name, for the reason given");
        field.append(choice);
        item.append(field);
      }
      return item;
    });
    // Rebuild only when the warnings changed, so typing is never interrupted.
    const signature = JSON.stringify(warnings.map((w) => [w.key, w.severity, w.message, w.source, w.needs_reason, w.hard_stop, w.reason, signing]));
    if (listNode.dataset.signature !== signature) {
      listNode.replaceChildren(...items);
      listNode.dataset.signature = signature;
      if (focusedKey) [...listNode.querySelectorAll("[data-reason-for]")].find((i) => i.dataset.reasonFor === focusedKey)?.focus();
    }
    document.getElementById("warnings-empty").hidden = warnings.length > 0;
    const count = document.getElementById("warning-count");
    count.hidden = warnings.length === 0;
    setField(count, "warning-count", `${warnings.length} safety check${warnings.length === 1 ? "" : "s"} ${editable ? "to review" : "on the record"}`);
  }

  function renderUndo() {
    if (!undoButton) return;
    const credit = undoCredit();
    undoButton.setAttribute("aria-disabled", String(credit <= 0 || !editable));
    const top = undoStack[undoStack.length - 1];
    const waiting = queue.some((t) => t.undoable);
    undoWhat.textContent = credit > 0 ? (waiting ? "" : top ? ` ${top.label}` : "") : "";
  }

  function signedText(session) {
    const when = session.signed_at ? dateTime.format(new Date(session.signed_at)) : "";
    return `Signed by ${session.signed_by || "the injector"}${when ? ` on ${when}` : ""}; corrections are made by amendment.`;
  }

  function makeReadOnly() {
    editable = false;
    stopMoving();
    root.classList.add("is-readonly");
    mapBox.classList.remove("is-editable");
    undoStack.length = 0;
    for (const node of document.querySelectorAll("[data-edit]")) node.remove();
    for (const node of rowTemplate.content.querySelectorAll("[data-edit]")) node.remove();
    const badge = document.getElementById("status-badge");
    if (badge) {
      badge.textContent = "Signed";
      badge.className = "status-badge status-signed";
    }
    if (!document.getElementById("signed-banner")) {
      const banner = document.createElement("p");
      banner.className = "signed-banner";
      banner.id = "signed-banner";
      banner.setAttribute("role", "note");
      banner.tabIndex = -1;
      banner.textContent = signedText(state.session);
      document.querySelector(".chart-head")?.append(banner);
    }
    document.getElementById("map-hint").textContent =
      "Numbered dots are this session's sites; dashed circles are last cycle's.";
  }

  // ---- selection and moving --------------------------------------------------------

  function selectSite(siteId, { focusRow = false } = {}) {
    selectedId = siteId;
    for (const row of list.children) row.classList.toggle("is-selected", Number(row.dataset.siteId) === siteId);
    decorateMap();
    if (focusRow) {
      const row = [...list.children].find((r) => Number(r.dataset.siteId) === siteId);
      if (row) {
        row.focus({ preventScroll: true });
        row.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    }
  }

  function startMoving(siteId) {
    const site = siteById(siteId);
    if (!site) return;
    movingId = siteId;
    mapBox.classList.add("is-moving");
    selectSite(siteId);
    renderRows();
    announce(`Tap the new place for site ${site.number} on the map; press Move again to cancel.`);
  }

  function stopMoving() {
    if (movingId == null) return;
    movingId = null;
    mapBox.classList.remove("is-moving");
    renderRows();
  }

  // ---- pointer input on the map ------------------------------------------------------

  function toMap(svg, clientX, clientY) {
    const matrix = svg.getScreenCTM();
    if (!matrix) return null;
    const point = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
    const box = svg.viewBox.baseVal;
    return {
      x: Math.min(box.x + box.width, Math.max(box.x, point.x)),
      y: Math.min(box.y + box.height, Math.max(box.y, point.y)),
      scale: matrix.a,
    };
  }

  /** The charted site whose marker edge is nearest the pointer, in screen pixels. */
  function nearestMarker(svg, clientX, clientY) {
    const matrix = svg.getScreenCTM();
    if (!matrix) return null;
    let best = null;
    for (const site of state.sites) {
      const moving = queue.find((t) => t.kind === "move" && resolveId(t.siteId) === site.id);
      const at = moving ? moving.point : site;
      const centre = new DOMPoint(at.x, at.y).matrixTransform(matrix);
      const marker = [...svg.querySelectorAll("g.site")].find((g) => Number(g.dataset.number) === site.number);
      // As drawn, after any scaling the stylesheet applies.
      const box = marker?.querySelector("circle")?.getBoundingClientRect();
      const radius = box && box.width ? box.width / 2 : 7 * matrix.a;
      const gap = Math.hypot(centre.x - clientX, centre.y - clientY) - radius;
      if (!best || gap < best.gap) best = { site, gap, at, marker };
    }
    return best;
  }

  function onPointerDown(event) {
    if (!event.isPrimary || (event.pointerType === "mouse" && event.button !== 0)) return;
    const svg = svgOf();
    if (!svg || gesture) return;
    const near = nearestMarker(svg, event.clientX, event.clientY);
    gesture = {
      pointerId: event.pointerId,
      x0: event.clientX,
      y0: event.clientY,
      svg,
      start: toMap(svg, event.clientX, event.clientY),
      grab: editable && movingId == null && near && near.gap <= GRAB_SLOP_PX ? near : null,
      onMarker: near && near.gap <= SELECT_SLOP_PX ? near.site : null,
      dragging: false,
    };
    mapBox.setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  function onPointerMove(event) {
    if (!gesture || event.pointerId !== gesture.pointerId) return;
    const moved = Math.hypot(event.clientX - gesture.x0, event.clientY - gesture.y0);
    if (!gesture.dragging && moved > TAP_SLOP_PX && gesture.grab) {
      gesture.dragging = true;
      mapBox.classList.add("is-dragging");
      selectSite(gesture.grab.site.id);
    }
    if (gesture.dragging) {
      const now = toMap(gesture.svg, event.clientX, event.clientY);
      if (!now || !gesture.start) return;
      const { marker, at } = gesture.grab;
      const circle = marker?.querySelector("circle");
      if (!circle) return;
      const x = at.x + now.x - gesture.start.x;
      const y = at.y + now.y - gesture.start.y;
      marker.setAttribute("transform", `translate(${x - Number(circle.getAttribute("cx"))} ${y - Number(circle.getAttribute("cy"))})`);
      marker.classList.add("is-dragged");
    }
    event.preventDefault();
  }

  function onPointerUp(event) {
    if (!gesture || event.pointerId !== gesture.pointerId) return;
    const done = gesture;
    gesture = null;
    mapBox.classList.remove("is-dragging");
    const moved = Math.hypot(event.clientX - done.x0, event.clientY - done.y0);
    const point = toMap(done.svg, event.clientX, event.clientY);
    if (done.dragging && point && done.start) {
      const { site, at } = done.grab;
      done.grab.marker?.classList.remove("is-dragged");
      enqueue(moveTask(site.id, at.x + point.x - done.start.x, at.y + point.y - done.start.y));
    } else if (moved <= TAP_SLOP_PX && point) {
      if (movingId != null) {
        const id = movingId;
        stopMoving();
        enqueue(moveTask(id, point.x, point.y));
      } else if (done.onMarker) {
        selectSite(done.onMarker.id, { focusRow: true });
      } else if (editable) {
        placeAt(point.x, point.y);
      }
    }
    flushDeferredSvg();
  }

  function onPointerCancel(event) {
    if (!gesture || event.pointerId !== gesture.pointerId) return;
    gesture = null;
    mapBox.classList.remove("is-dragging");
    flushDeferredSvg();
    decorateMap();
  }

  function flushDeferredSvg() {
    if (deferredSvg !== null) {
      deferredSvg = null;
      renderMap();
    } else {
      decorateMap();
    }
  }

  // ---- wiring ---------------------------------------------------------------------

  mapBox.addEventListener("pointerdown", onPointerDown);
  mapBox.addEventListener("pointermove", onPointerMove);
  mapBox.addEventListener("pointerup", onPointerUp);
  mapBox.addEventListener("pointercancel", onPointerCancel);
  // A long press is a slow tap, not a request for the context menu.
  mapBox.addEventListener("contextmenu", (event) => event.preventDefault());

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const row = event.target.closest(".site-row");
    if (!row) return;
    const id = Number(row.dataset.siteId);
    if (!button) {
      selectSite(id);
      return;
    }
    if (!editable || button.getAttribute("aria-disabled") === "true") {
      if (button.dataset.action !== "move") {
        const site = siteById(id);
        if (site) announce(`Site ${site.number} is already at the ${button.dataset.action === "increase" ? "highest" : "lowest"} dose.`);
      }
      return;
    }
    switch (button.dataset.action) {
      case "increase":
        stepUnits(id, 1);
        break;
      case "decrease":
        stepUnits(id, -1);
        break;
      case "move":
        if (movingId === id) {
          stopMoving();
          announce("Move cancelled.");
        } else {
          startMoving(id);
        }
        break;
      case "delete":
        if (movingId === id) stopMoving();
        enqueue(deleteTask(id));
        break;
      default:
    }
  });

  list.addEventListener("focusin", (event) => {
    const row = event.target.closest(".site-row");
    if (row) selectSite(Number(row.dataset.siteId));
  });

  list.addEventListener("keydown", (event) => {
    const row = event.target.closest(".site-row");
    if (!row || event.target !== row || !editable) return;
    const id = Number(row.dataset.siteId);
    if (event.key === "+" || event.key === "=") stepUnits(id, 1);
    else if (event.key === "-") stepUnits(id, -1);
    else return;
    event.preventDefault();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && movingId != null) {
      stopMoving();
      announce("Move cancelled.");
    }
  });

  undoButton?.addEventListener("click", undo);
  copyButton?.addEventListener("click", () => {
    if (editable) copyLast();
  });
  const templateSelect = document.getElementById("template-choice");
  document.getElementById("apply-template")?.addEventListener("click", () => {
    if (!editable || !templateSelect) return;
    const option = templateSelect.selectedOptions[0];
    if (!templateSelect.value) {
      announce("Choose a template first.", "error");
      templateSelect.focus();
      return;
    }
    applyTemplate(templateSelect.value, option.textContent.replace(/ \(\d+ sites?\)$/, ""));
    templateSelect.value = "";
  });
  signButton?.addEventListener("click", () => {
    if (signButton.getAttribute("aria-disabled") !== "true") sign();
  });

  const muscleSelect = document.getElementById("add-muscle");
  const sideSelect = document.getElementById("add-side");
  function fitSides() {
    const sides = (muscleSelect.selectedOptions[0]?.dataset.sides || "right left").split(" ");
    for (const option of sideSelect.options) {
      option.disabled = !sides.includes(option.value);
      option.hidden = option.disabled;
    }
    if (sideSelect.selectedOptions[0]?.disabled) {
      const affected = state.patient.affected_side;
      sideSelect.value = sides.includes(affected) ? affected : sides[0];
    }
  }
  if (muscleSelect && sideSelect) {
    const affected = state.patient.affected_side;
    if (affected === "left" || affected === "right") sideSelect.value = affected;
    muscleSelect.addEventListener("change", fitSides);
    fitSides();
    document.getElementById("add-site-form").addEventListener("submit", (event) => {
      event.preventDefault();
      if (editable) placeOnMuscle(muscleSelect.value, sideSelect.value);
    });
  }

  window.addEventListener("online", () => wake?.());
  window.addEventListener("beforeunload", (event) => {
    if (queue.some((t) => t.kind !== "refresh")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  formatTimes(document);
  root.classList.add("is-ready");
  statusLine.textContent = "";
  shownSvg = state.svg || null;
  render();
})();
