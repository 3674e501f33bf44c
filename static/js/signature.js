// A signature drawn with a finger, stylus or mouse, kept as vector strokes.
//
// Each stroke is a list of [x, y] points in the box's own units (data-width ×
// data-height, 600 × 200), whatever size the canvas has on screen; the server
// checks them again (planner/consent/strokes.py) and draws them back as SVG.
// Pointer events only, so touch, pen and mouse work alike; nothing depends on
// hover. The keyboard path is the typed signature on the same form.

// Keep well inside the server's limits (planner/consent/strokes.py).
const MAX_POINTS = 5000;
const MAX_STROKES = 50;
// Points closer than this (box units) to the last one add nothing.
const MIN_STEP = 1.5;

/** Round to one decimal, as the server stores them. */
function round(value) {
  return Math.round(value * 10) / 10;
}

/** Create the pad's state: the strokes and the pure functions that change it. */
export function createStrokes(width, height) {
  const strokes = [];
  let points = 0;
  const clamp = (value, top) => Math.min(Math.max(value, 0), top);
  return {
    strokes,
    get points() {
      return points;
    },
    start(x, y) {
      if (strokes.length >= MAX_STROKES || points >= MAX_POINTS) return false;
      strokes.push([[round(clamp(x, width)), round(clamp(y, height))]]);
      points += 1;
      return true;
    },
    extend(x, y) {
      const stroke = strokes[strokes.length - 1];
      if (!stroke || points >= MAX_POINTS) return false;
      const point = [round(clamp(x, width)), round(clamp(y, height))];
      const last = stroke[stroke.length - 1];
      if (Math.hypot(point[0] - last[0], point[1] - last[1]) < MIN_STEP) return false;
      stroke.push(point);
      points += 1;
      return true;
    },
    clear() {
      strokes.length = 0;
      points = 0;
    },
    toJSON() {
      return strokes.length ? JSON.stringify(strokes) : "";
    },
  };
}

/** Draw the strokes on a canvas whose bitmap matches its size on screen. */
function draw(canvas, state, width) {
  const context = canvas.getContext("2d");
  const scale = canvas.width / width;
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.lineWidth = 3 * scale;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";
  for (const stroke of state.strokes) {
    context.beginPath();
    context.moveTo(stroke[0][0] * scale, stroke[0][1] * scale);
    if (stroke.length === 1) context.lineTo(stroke[0][0] * scale + 0.1, stroke[0][1] * scale);
    for (const [x, y] of stroke.slice(1)) context.lineTo(x * scale, y * scale);
    context.stroke();
  }
}

/** Wire one signature field: its canvas, hidden input, status line and clear button. */
export function attachSignaturePad(root, { devicePixelRatio = window.devicePixelRatio || 1 } = {}) {
  const canvas = root.querySelector("canvas");
  const input = root.querySelector("[data-signature-data]");
  const status = root.querySelector("[data-signature-status]");
  const clearButton = root.querySelector("[data-signature-clear]");
  const form = root.closest("form");
  const drawnChoice = form?.querySelector('input[name="method"][value="drawn"]');
  const width = Number(canvas.dataset.width);
  const height = Number(canvas.dataset.height);
  const state = createStrokes(width, height);
  let active = null;

  function fit() {
    const box = canvas.getBoundingClientRect();
    if (!box.width) return;
    canvas.width = Math.round(box.width * devicePixelRatio);
    canvas.height = Math.round((box.width * devicePixelRatio * height) / width);
    draw(canvas, state, width);
  }

  function toBox(event) {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * width, ((event.clientY - box.top) / box.height) * height];
  }

  function changed() {
    input.value = state.toJSON();
    status.textContent = state.strokes.length ? "Signature drawn. Press Clear to start again." : "";
    draw(canvas, state, width);
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (active !== null) return;
    event.preventDefault();
    if (!state.start(...toBox(event))) return;
    active = event.pointerId;
    canvas.setPointerCapture?.(event.pointerId);
    if (drawnChoice) drawnChoice.checked = true;
    draw(canvas, state, width);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (event.pointerId !== active) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const each of events.length ? events : [event]) state.extend(...toBox(each));
    draw(canvas, state, width);
  });
  const finish = (event) => {
    if (event.pointerId !== active) return;
    active = null;
    changed();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  clearButton.addEventListener("click", () => {
    state.clear();
    changed();
  });
  window.addEventListener("resize", fit);
  fit();
  return state;
}

for (const root of document.querySelectorAll("[data-signature]")) attachSignaturePad(root);
