/* Map interaction: hit areas, taps, drags and the hint that says what a tap did.
 *
 * A tap inside a marker's hit area (48 x 48 CSS px, HIT_RADIUS_PX around
 * its centre) selects that site, and one within that reach of a site still being
 * saved means that site too (pendingCreateNear); anywhere else adds one. A drag starts only past
 * DRAG_THRESHOLD_PX, shows the muscle and side it would land in, and asks before
 * moving a site onto another muscle. The chart is handed in as ``chart``:
 * its state, the sites' shown points and the actions a gesture may take.
 */

export const DRAG_THRESHOLD_PX = 10; // movement that still counts as a tap, not a drag
export const HIT_RADIUS_PX = 24; // half the 48 px target every marker has (44 px at least)
const SVG_NS = "http://www.w3.org/2000/svg";

/** Screen point to map point (viewBox units), clamped to the drawing. */
export function toMap(svg, clientX, clientY) {
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

/** The muscle region (smallest on top) under a map point, as the drawing has it. */
export function regionAt(svg, x, y) {
  const regions = [...svg.querySelectorAll("path.region")].reverse();
  const point = new DOMPoint(x, y);
  const hit = regions.find((path) => path.isPointInFill(point));
  return hit ? { muscle: hit.dataset.muscle, side: hit.dataset.side, name: hit.querySelector("title")?.textContent || hit.dataset.muscle } : null;
}

/** Give every marker an invisible hit circle of at least HIT_RADIUS_PX on screen. */
export function sizeHitAreas(svg) {
  const matrix = svg.getScreenCTM();
  if (!matrix || !matrix.a) return;
  const radius = HIT_RADIUS_PX / matrix.a;
  for (const marker of svg.querySelectorAll("g.site")) {
    const circle = marker.querySelector("circle:not(.hit)");
    if (!circle) continue;
    let hit = marker.querySelector("circle.hit");
    if (!hit) {
      hit = document.createElementNS(SVG_NS, "circle");
      hit.setAttribute("class", "hit");
      hit.setAttribute("fill", "transparent");
      marker.prepend(hit);
    }
    hit.setAttribute("cx", circle.getAttribute("cx"));
    hit.setAttribute("cy", circle.getAttribute("cy"));
    hit.setAttribute("r", String(Math.max(radius, Number(circle.getAttribute("r")) || 0)));
  }
}

/** The create still waiting to be saved whose point is within ``reach`` (map
 * units) of ``point``: a second tap there means that site, not another one. */
export function pendingCreateNear(tasks, point, reach) {
  let best = null;
  for (const task of tasks) {
    if (task.kind !== "create" || !task.point) continue;
    const distance = Math.hypot(task.point.x - point.x, task.point.y - point.y);
    if (distance <= reach && (!best || distance < best.distance)) best = { task, distance };
  }
  return best ? best.task : null;
}

/** The charted site whose marker centre is nearest the pointer, in screen pixels. */
function nearestMarker(chart, svg, clientX, clientY) {
  const matrix = svg.getScreenCTM();
  if (!matrix) return null;
  let best = null;
  for (const site of chart.state().sites) {
    const at = chart.shownPoint(site);
    const centre = new DOMPoint(at.x, at.y).matrixTransform(matrix);
    const marker = chart.markerOf(site);
    const drawn = marker?.querySelector("circle:not(.hit)")?.getBoundingClientRect();
    const reach = Math.max(HIT_RADIUS_PX, drawn && drawn.width ? drawn.width / 2 : 0);
    const distance = Math.hypot(centre.x - clientX, centre.y - clientY);
    if (!best || distance - reach < best.gap) best = { site, gap: distance - reach, at, marker };
  }
  return best;
}

export function wireMap({ mapBox, chart }) {
  let gesture = null;
  const svgOf = () => mapBox.querySelector("svg");

  function onPointerDown(event) {
    if (!event.isPrimary || (event.pointerType === "mouse" && event.button !== 0)) return;
    const svg = svgOf();
    if (!svg || gesture) return;
    const near = nearestMarker(chart, svg, event.clientX, event.clientY);
    const inside = near && near.gap <= 0 ? near : null;
    gesture = {
      pointerId: event.pointerId,
      x0: event.clientX,
      y0: event.clientY,
      svg,
      start: toMap(svg, event.clientX, event.clientY),
      grab: chart.editable() && !chart.moving() && inside ? inside : null,
      onMarker: inside ? inside.site : null,
      dragging: false,
    };
    chart.gesture(true);
    mapBox.setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  function dropPoint(done, event) {
    const now = toMap(done.svg, event.clientX, event.clientY);
    if (!now || !done.start) return null;
    return { x: done.grab.at.x + now.x - done.start.x, y: done.grab.at.y + now.y - done.start.y };
  }

  function onPointerMove(event) {
    if (!gesture || event.pointerId !== gesture.pointerId) return;
    const moved = Math.hypot(event.clientX - gesture.x0, event.clientY - gesture.y0);
    if (!gesture.dragging && moved > DRAG_THRESHOLD_PX && gesture.grab) {
      gesture.dragging = true;
      mapBox.classList.add("is-dragging");
      chart.select(gesture.grab.site.id);
    }
    if (gesture.dragging) {
      const point = dropPoint(gesture, event);
      const { marker } = gesture.grab;
      const circle = marker?.querySelector("circle:not(.hit)");
      if (!point || !circle) return;
      marker.setAttribute("transform", `translate(${point.x - Number(circle.getAttribute("cx"))} ${point.y - Number(circle.getAttribute("cy"))})`);
      marker.classList.add("is-dragged");
      const region = regionAt(gesture.svg, point.x, point.y);
      chart.hint(region ? `Moving site ${gesture.grab.site.number} to ${region.name}` : `Site ${gesture.grab.site.number}: not on a muscle here`, { announce: false });
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
    if (done.dragging) {
      done.grab.marker?.classList.remove("is-dragged");
      const to = dropPoint(done, event);
      if (to) chart.drop(done.grab.site, to, regionAt(done.svg, to.x, to.y));
    } else if (moved <= DRAG_THRESHOLD_PX && point) {
      if (chart.moving()) {
        chart.moveTo(point);
      } else if (done.onMarker) {
        chart.select(done.onMarker.id, { focusRow: true, hint: true });
      } else if (chart.editable()) {
        // A tap on a site still being saved selects it once saved (place says so).
        chart.place(point, { tapped: true });
      }
    }
    chart.gesture(false);
  }

  function onPointerCancel(event) {
    if (!gesture || event.pointerId !== gesture.pointerId) return;
    gesture = null;
    mapBox.classList.remove("is-dragging");
    chart.gesture(false);
  }

  mapBox.addEventListener("pointerdown", onPointerDown);
  mapBox.addEventListener("pointermove", onPointerMove);
  mapBox.addEventListener("pointerup", onPointerUp);
  mapBox.addEventListener("pointercancel", onPointerCancel);
  // A long press is a slow tap, not a request for the context menu.
  mapBox.addEventListener("contextmenu", (event) => event.preventDefault());
}
