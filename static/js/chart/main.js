/* The chart at the chair: place, move, dose, delete and undo injection sites.
 *
 * Wires the modules together through one chart context (``c``, read when used):
 * the state (state.js), the save queue (sync.js), undo history (undo.js), the
 * changes as tasks (tasks.js), map gestures (map.js), the keyboard's crosshair
 * (keyboard.js), zoom (zoom.js), what the page adds to the drawing (drawing.js),
 * the site rows (rows.js), selecting and moving (selection.js), the server-drawn
 * panels (panels.js), the dose keypad (keypad.js), the copy/template preview
 * (prefill.js), the review sheet (review.js), going read-only once signed
 * (readonly.js), what the server's answers do (answers.js) and the controls
 * (controls.js). Site rows are drawn by the
 * server with the page and kept current from the state; their draw text is the
 * server's (draw_text).
 */

import { createKeypad } from "./keypad.js";
import { wireKeyboard } from "./keyboard.js";
import { wireMap } from "./map.js";
import { createPanels } from "./panels.js";
import { createPrefill } from "./prefill.js";
import { describeSite, siteById } from "./state.js";
import { createQueue, createSender, notSavedMessage } from "./sync.js";
import { createAnswers } from "./answers.js";
import { createUndo } from "./undo.js";
import { createDrawing } from "./drawing.js";
import { createReview } from "./review.js";
import { createRows } from "./rows.js";
import { createTasks } from "./tasks.js";
import { createReadOnly } from "./readonly.js";
import { createSelection } from "./selection.js";
import { wireControls } from "./controls.js";
import { createZoom } from "./zoom.js";

const root = document.getElementById("chart");
const stateNode = document.getElementById("chart-state");
if (root && stateNode) start();

function start() {
  const HINT_MS = 1800;
  // The words for sides and roles come from the server's vocabulary, with the page.
  const labels = JSON.parse(document.getElementById("chart-labels")?.textContent || "{}");
  const SIDE_NAMES = labels.side || {};
  const ROLE_NAMES = labels.site_role_note || {};
  const COMMON_DOSES = (root.dataset.commonDoses || "").split(" ").filter(Boolean).map(Number);
  const COMMON_SOURCE = root.dataset.commonDosesSource || "";

  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const mapBox = document.getElementById("chart-map");
  const statusLine = document.getElementById("chart-status");
  const tapHint = document.getElementById("tap-hint");
  const list = document.getElementById("site-list");
  const rowTemplate = document.getElementById("site-row-template");
  const undoButton = document.getElementById("undo");
  const undoWhat = document.getElementById("undo-what");
  const copyButton = document.getElementById("copy-last");
  const signButton = document.getElementById("sign");

  let state = JSON.parse(stateNode.textContent);
  let editable = root.dataset.editable === "true";
  const optimistic = new Map(); // site id -> units shown before the server agrees
  let inGesture = false;
  let deferredSvg = null;
  let shownSvg = null;
  let selectedId = null;
  let movingId = null;
  let placedId = null; // the site placed last: its guidance shows until another is
  let guidedId = null; // the site chosen by a tap or click: its guidance shows too
  let slowTimer = null;
  let hintTimer = null;
  let keys = null; // the map's keyboard control (keyboard.js)
  let movingByKey = false; // a move started from the keyboard gives focus back to its row

  const unitName = () => state.session.product.unit_name;
  const unitsOf = (site) => (optimistic.has(site.id) ? optimistic.get(site.id) : site.units);
  const describe = (site, units = unitsOf(site)) => describeSite(site, units, { unitName: unitName(), sideNames: SIDE_NAMES });
  // Times read on the clinic's clock, as the server writes them, whatever the
  // tablet's own time zone.
  const dateTime = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: root.dataset.zone || undefined,
  });

  function formatTimes(scope) {
    for (const node of scope.querySelectorAll("time[data-format=datetime]")) {
      const when = new Date(node.dateTime);
      if (!Number.isNaN(when.getTime())) node.textContent = dateTime.format(when);
    }
  }

  // ---- the live region and the tap hint ---------------------------------------------

  function announce(text, kind = "info") {
    // Identical text twice is not read out again; a trailing space makes it new.
    statusLine.textContent = statusLine.textContent === text ? `${text}\u00a0` : text;
    statusLine.dataset.kind = kind;
  }

  /** A brief hint over the map saying what a tap did; read out unless told not to. */
  function hint(text, { announce: speak = true } = {}) {
    if (speak) announce(text);
    if (!tapHint) return;
    tapHint.textContent = text;
    tapHint.hidden = false;
    clearTimeout(hintTimer);
    hintTimer = setTimeout(() => {
      tapHint.hidden = true;
    }, HINT_MS);
  }

  // ---- the save queue and undo history ------------------------------------------------

  const send = createSender({ fetch: (...args) => window.fetch(...args), api: root.dataset.api, csrf, version: () => state.session.version });
  const undoHistory = createUndo({ storage: window.sessionStorage, sessionId: state.session.id, onChange: () => renderUndo() });
  const panels = createPanels({ fetch: (...args) => window.fetch(...args), url: root.dataset.panels, onSwap: () => panelsSwapped() });
  const queue = createQueue({
    send,
    hooks: {
      sending(task) {
        clearTimeout(slowTimer);
        // Fetching the latest totals after a save saves nothing: it must not cover
        // "Site 1 saved: …" with "Saving…" and then "All changes saved.".
        if (task.kind === "refresh") return;
        // Only a slow save says so; a quick one would just flicker.
        slowTimer = setTimeout(() => {
          if (queue.tasks.length && !queue.failures) announce("Saving…", "busy");
        }, 700);
      },
      offline(answer, waiting) {
        const text = notSavedMessage(answer, waiting);
        if (text) announce(text, "error");
        root.classList.add("is-offline");
      },
      // The server's answers: answers.js.
      saved: (...args) => answers.saved(...args),
      conflict: (...args) => answers.conflict(...args),
      conflicted: (...args) => answers.conflicted(...args),
      refused: (...args) => answers.refused(...args),
      changed: () => renderPending(),
      idle() {
        clearTimeout(slowTimer);
        if (statusLine.dataset.kind === "busy") announce("All changes saved.");
      },
    },
  });
  const enqueue = (task) => queue.enqueue(task);
  const resolveId = (id) => undoHistory.resolve(id);

  // ---- the modules that share the chart: tasks, review, drawing, rows ----------------

  /** What the modules read and set of the chart; read when used, never copied. */
  const c = {
    get ROLE_NAMES() { return ROLE_NAMES; },
    get SIDE_NAMES() { return SIDE_NAMES; },
    get announce() { return announce; },
    get applyTemplate() { return applyTemplate; },
    get closeReview() { return closeReview; },
    get copyButton() { return copyButton; },
    get copyLast() { return copyLast; },
    get createTask() { return createTask; },
    get dateTime() { return dateTime; },
    get decorateMap() { return decorateMap; },
    get deleteTask() { return deleteTask; },
    get describe() { return describe; },
    get editable() { return editable; },
    set editable(value) { editable = value; },
    get enqueue() { return enqueue; },
    get enterUnits() { return enterUnits; },
    get fillGuidance() { return fillGuidance; },
    get guidedId() { return guidedId; },
    set guidedId(value) { guidedId = value; },
    get hint() { return hint; },
    get keypad() { return keypad; },
    get keys() { return keys; },
    get list() { return list; },
    get mapBox() { return mapBox; },
    get moveTask() { return moveTask; },
    get movingByKey() { return movingByKey; },
    set movingByKey(value) { movingByKey = value; },
    get movingId() { return movingId; },
    set movingId(value) { movingId = value; },
    get openKeypad() { return openKeypad; },
    get offerTreatedConfirm() { return offerTreatedConfirm; },
    get openReview() { return openReview; },
    get optimistic() { return optimistic; },
    get placedId() { return placedId; },
    set placedId(value) { placedId = value; },
    get prefill() { return prefill; },
    get queue() { return queue; },
    get render() { return render; },
    get renderRows() { return renderRows; },
    get renderUndo() { return renderUndo; },
    get resolveId() { return resolveId; },
    get root() { return root; },
    get rowTemplate() { return rowTemplate; },
    get selectSite() { return selectSite; },
    get send() { return send; },
    get selectedId() { return selectedId; },
    set selectedId(value) { selectedId = value; },
    get setState() { return setState; },
    get sheet() { return sheet; },
    get shownPoint() { return shownPoint; },
    get sign() { return sign; },
    get signButton() { return signButton; },
    get startMoving() { return startMoving; },
    get state() { return state; },
    get stepUnits() { return stepUnits; },
    get stopMoving() { return stopMoving; },
    get undo() { return undo; },
    get undoButton() { return undoButton; },
    get undoCredit() { return undoCredit; },
    get undoHistory() { return undoHistory; },
    get undoWhat() { return undoWhat; },
    get unitName() { return unitName; },
    get unitsOf() { return unitsOf; },
    get zoom() { return zoom; },
  };
  const { offerTreatedConfirm, closeTreatedConfirm, placeAt, createTask, stepUnits, enterUnits, setUnits, moveTask, deleteTask, unsetText, batchTask, plural, copyLast, applyTemplate, inverse, undoCredit, undo } = createTasks(c);
  const { sheet, REASON, OVERRIDE, reasonKey, overrideKey, mirror, openReview, closeReview, sign, showFieldError, clearFieldError, panelsSwapped } = createReview(c);
  const { svgOf, markerOf, shownPoint, decorateMap, provisionalMarker } = createDrawing(c);
  const { renderPending, setField, fillRow, fillGuidance, renderRows, renderUndo } = createRows(c);
  const { selectSite, startMoving, stopMoving, askToMove } = createSelection(c);
  const { makeReadOnly } = createReadOnly(c);
  const answers = createAnswers(c);

  function setState(next) {
    state = next;
    render();
    panels.refresh(state.session.version);
    undoHistory.save(state.session.version);
  }

  // ---- actions ------------------------------------------------------------------------

  const prefill = createPrefill({
    load: (path) => send({ method: "GET", path }),
    say: announce,
    words: () => ({ unitName: unitName(), sideNames: SIDE_NAMES }),
  });

  // ---- rendering ----------------------------------------------------------------

  function render() {
    if (state.session.status !== "draft" && editable) makeReadOnly();
    renderMap();
    renderRows();
    renderUndo();
    if (copyButton) copyButton.hidden = !state.last_cycle || !state.last_cycle.length;
    // The treatment-time and switch-vial forms post the chart's version: keep it the latest.
    for (const version of document.querySelectorAll('#time-form input[name="version"], #vial-form input[name="version"]')) {
      version.value = String(state.session.version);
    }
  }

  function renderMap() {
    if (!state.svg) return;
    if (inGesture) {
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

  // ---- the map ----------------------------------------------------------------------

  wireMap({
    mapBox,
    chart: {
      state: () => state,
      editable: () => editable,
      moving: () => movingId != null,
      shownPoint,
      markerOf,
      hint,
      select: (id, options) => selectSite(id, options),
      place: placeAt,
      moveTo(point) {
        const id = movingId;
        stopMoving();
        enqueue(moveTask(id, point.x, point.y));
      },
      drop(site, to, region) {
        if (region && region.muscle !== site.muscle) askToMove(site, to, region);
        else enqueue(moveTask(site.id, to.x, to.y));
      },
      gesture(on) {
        inGesture = on;
        if (on) return;
        if (deferredSvg !== null) {
          deferredSvg = null;
          renderMap();
        } else {
          decorateMap();
        }
      },
    },
  });

  // ---- zoom, and the list folded away ----------------------------------------------

  const zoom = createZoom({ bar: document.getElementById("map-zoom"), mapBox, onChange: () => decorateMap(), say: (text) => hint(text) });
  const panelToggle = document.getElementById("panel-toggle");
  panelToggle?.addEventListener("click", () => {
    const hidden = root.classList.toggle("is-list-hidden");
    panelToggle.setAttribute("aria-expanded", String(!hidden));
    panelToggle.textContent = hidden ? "Show the list" : "Hide the list";
    requestAnimationFrame(() => decorateMap());
  });

  // ---- the map from the keyboard ---------------------------------------------------

  if (editable) {
    keys = wireKeyboard({
      mapBox,
      chart: {
        editable: () => editable,
        moving: () => movingId != null,
        movingNumber: () => siteById(state, movingId)?.number ?? "",
        announce,
        redraw: () => decorateMap(),
        place: placeAt,
        moveTo(point) {
          const id = movingId;
          stopMoving();
          enqueue(moveTask(id, point.x, point.y));
        },
      },
    });
  }

  // ---- the dose keypad --------------------------------------------------------------

  const keypad = createKeypad({ doc: document, host: root });

  function openKeypad(siteId) {
    const site = siteById(state, siteId);
    if (!site || !editable) return;
    keypad.open({
      title: `Dose of site ${site.number}: ${site.muscle_name}, ${(SIDE_NAMES[site.side] || site.side).toLowerCase()}`,
      value: unitsOf(site), row: list.querySelector(`[data-site-id="${site.id}"]`),
      unitName: unitName(),
      min: state.min_units,
      max: state.max_units,
      chips: COMMON_DOSES,
      chipSource: COMMON_SOURCE,
      onSubmit(units) {
        const now = siteById(state, siteId);
        if (now && units !== unitsOf(now)) setUnits(siteId, units, unitsOf(now));
      },
    });
  }

  wireControls(c);

  window.addEventListener("online", () => queue.wake());
  window.addEventListener("resize", () => {
    fitMap();
    decorateMap();
  });
  window.addEventListener("beforeunload", (event) => {
    if (queue.some((t) => t.kind !== "refresh")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  /** The height below the map's top as the page loads: the whole face fits the screen. */
  function fitMap() {
    const svg = svgOf();
    if (!svg) return;
    const top = svg.getBoundingClientRect().top + window.scrollY;
    // The status line below the map stays on screen too: errors are shown there.
    const below = statusLine.offsetHeight + 16;
    root.style.setProperty("--map-room", `${Math.max(320, Math.floor(window.innerHeight - top - below))}px`);
  }

  formatTimes(document);
  root.classList.add("is-ready");
  fitMap();
  statusLine.textContent = "";
  shownSvg = state.svg || null;
  // Undo history from before a reload comes back if nothing changed the chart since,
  // or only its treatment time, by this browser's time form (the server says so).
  const timeFrom = root.dataset.undoTimeFrom ? Number(root.dataset.undoTimeFrom) : null;
  if (editable && undoHistory.restore(state.session.version, { timeFrom })) {
    announce(`Undo is still available: ${undoHistory.top().label}.`);
  }
  render();
  // The map's size is known only once laid out: size the hit areas again then.
  requestAnimationFrame(() => decorateMap());
}
