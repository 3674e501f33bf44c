/* What the page adds to the server's drawing: markers for changes not saved yet,
 * the selected and moving sites, marker names (muscle, side, dose), the keyboard
 * crosshair, the zoom, and 48 px hit areas. ``c`` is the chart (main.js).
 */

import { sizeHitAreas } from "./map.js";
import { drawCrosshair } from "./keyboard.js";
const SVG_NS = "http://www.w3.org/2000/svg";

export function createDrawing(c) {
  const svgOf = () => c.mapBox.querySelector("svg");
  const markerOf = (site) => svgOf()?.querySelector(`g.site[data-number="${site.number}"]`) || null;
  /** Where a site shows: where a waiting move puts it, or where it is saved. */
  const shownPoint = (site) => c.queue.find((t) => t.kind === "move" && c.resolveId(t.siteId) === site.id)?.point || site;

  /** Show on the drawing what the server has not drawn yet, and size the hit areas. */
  function decorateMap() {
    const svg = svgOf();
    if (!svg) return;
    c.zoom.apply(svg);
    svg.querySelector("g.chart-overlay")?.remove();
    const overlay = document.createElementNS(SVG_NS, "g");
    overlay.setAttribute("class", "chart-overlay");
    overlay.setAttribute("aria-hidden", "true");
    const drawn = new Map();
    for (const marker of svg.querySelectorAll("g.site")) drawn.set(Number(marker.dataset.number), marker);
    const numbers = new Set(c.state.sites.map((s) => s.number));
    for (const [number, marker] of drawn) marker.classList.toggle("is-gone", !numbers.has(number));
    for (const site of c.state.sites) {
      const marker = drawn.get(site.number);
      const at = shownPoint(site);
      if (!marker) {
        overlay.append(provisionalMarker(at.x, at.y, String(site.number)));
        continue;
      }
      marker.classList.toggle("is-selected", site.id === c.selectedId);
      marker.classList.toggle("is-moving", site.id === c.movingId);
      // Named as the list names it: muscle, side and dose.
      const title = marker.querySelector("title");
      const name = `Site ${site.number}: ${c.describe(site)}`;
      if (title && title.textContent !== name) title.textContent = name;
      const circle = marker.querySelector("circle:not(.hit)");
      if (circle) {
        const dx = at.x - Number(circle.getAttribute("cx"));
        const dy = at.y - Number(circle.getAttribute("cy"));
        if (Math.abs(dx) > 0.01 || Math.abs(dy) > 0.01) marker.setAttribute("transform", `translate(${dx} ${dy})`);
        else marker.removeAttribute("transform");
      }
    }
    for (const task of c.queue.tasks) {
      if (task.kind === "create" && task.point) overlay.append(provisionalMarker(task.point.x, task.point.y, "…"));
    }
    const cross = c.keys && c.keys.at();
    if (cross) drawCrosshair(svg, overlay, cross);
    svg.append(overlay);
    sizeHitAreas(svg);
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

  return { svgOf, markerOf, shownPoint, decorateMap, provisionalMarker };
}
