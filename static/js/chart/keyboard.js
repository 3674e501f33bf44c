/* Placing and moving sites with the keyboard alone (WCAG 2.1.1).
 *
 * The map is one focusable control. Arrow keys move a crosshair over it (with
 * Shift, five steps at once; Home goes back to the middle) and each step says
 * the muscle and side under it. Enter or Space places a site there, or puts the
 * site being moved there; Escape cancels a move. The chart is handed in as
 * ``chart`` (its drawing, what it is doing and the actions a key may take).
 */

import { regionAt } from "./map.js";
import { round2 } from "./state.js";

export const CROSS_STEP = 0.02; // of the drawing's width, per arrow press
export const CROSS_BIG = 5; // steps per press with Shift
const CROSS_PX = 22; // half the crosshair's arm, in CSS px
const SVG_NS = "http://www.w3.org/2000/svg";
const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** The middle of a box (a viewBox: x, y, width, height). */
export const middle = (box) => ({ x: round2(box.x + box.width / 2), y: round2(box.y + box.height / 2) });

/** Where an arrow key takes the crosshair, kept inside ``box``; null for other keys. */
export function stepPoint(point, key, box, { big = false } = {}) {
  const move = MOVES[key];
  if (!move) return null;
  const step = box.width * CROSS_STEP * (big ? CROSS_BIG : 1);
  const clamp = (value, low, size) => Math.min(low + size, Math.max(low, value));
  return {
    x: round2(clamp(point.x + move[0] * step, box.x, box.width)),
    y: round2(clamp(point.y + move[1] * step, box.y, box.height)),
  };
}

/** The words for what lies under the crosshair: "Mentalis, left side". */
export function spotText(region) {
  return region ? `Crosshair on ${region.name}.` : "Crosshair not on a muscle.";
}

/** Draw the crosshair at ``point`` into ``layer`` (an SVG group), CROSS_PX on screen. */
export function drawCrosshair(svg, layer, point) {
  const matrix = svg.getScreenCTM();
  const arm = CROSS_PX / (matrix && matrix.a ? matrix.a : 1);
  const group = document.createElementNS(SVG_NS, "g");
  group.setAttribute("class", "crosshair");
  for (const [halo, width] of [[true, 5], [false, 2]]) {
    for (const [x1, y1, x2, y2] of [[point.x - arm, point.y, point.x + arm, point.y], [point.x, point.y - arm, point.x, point.y + arm]]) {
      const line = document.createElementNS(SVG_NS, "line");
      line.setAttribute("x1", x1);
      line.setAttribute("y1", y1);
      line.setAttribute("x2", x2);
      line.setAttribute("y2", y2);
      line.setAttribute("class", halo ? "crosshair-halo" : "crosshair-line");
      line.setAttribute("vector-effect", "non-scaling-stroke");
      line.setAttribute("stroke-width", String(width));
      group.append(line);
    }
  }
  layer.append(group);
}

/** Wire the map's keys; ``at()`` is the crosshair now, ``aim(point)`` sets it. */
export function wireKeyboard({ mapBox, chart }) {
  let cross = null;
  const svgOf = () => mapBox.querySelector("svg");
  const box = () => svgOf()?.viewBox.baseVal;

  function say() {
    const svg = svgOf();
    if (!svg || !cross) return;
    const region = regionAt(svg, cross.x, cross.y);
    const doing = chart.moving() ? ` Enter puts site ${chart.movingNumber()} here.` : "";
    chart.announce(`${spotText(region)}${doing}`);
  }

  function aim(point) {
    cross = point ? { x: round2(point.x), y: round2(point.y) } : null;
    chart.redraw();
  }

  mapBox.addEventListener("focus", () => {
    const shape = box();
    if (!cross && shape) cross = middle(shape);
    chart.redraw();
    say();
  });
  mapBox.addEventListener("blur", () => chart.redraw());

  mapBox.addEventListener("keydown", (event) => {
    if (event.target !== mapBox || !chart.editable()) return;
    const shape = box();
    if (!shape) return;
    if (!cross) cross = middle(shape);
    const next = event.key === "Home" ? middle(shape) : stepPoint(cross, event.key, shape, { big: event.shiftKey });
    if (next) {
      event.preventDefault();
      aim(next);
      say();
      return;
    }
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (event.repeat) return;
      if (chart.moving()) chart.moveTo({ ...cross });
      else chart.place({ ...cross });
    }
  });

  return {
    at: () => (cross && mapBox === document.activeElement ? cross : null),
    aim,
    focus(point) {
      if (point) cross = { x: round2(point.x), y: round2(point.y) };
      mapBox.focus({ preventScroll: true });
      mapBox.scrollIntoView({ block: "nearest" });
    },
  };
}
