/* One-tap zoom to the upper, middle or lower face, and back to the whole face.
 *
 * The drawing keeps its place and size on the page; only its viewBox changes, to
 * the band asked for, widened to the drawing's own shape on screen so it fills
 * it. Taps, drags, hit areas (sized on screen, so still 48 px) and the keyboard
 * crosshair all read the viewBox, so they work the same zoomed.
 */

// The face's thirds as fractions of the drawing (front-v2: brows and eyes, the
// nose and cheeks, the mouth, chin and neck), overlapping so no muscle is split.
export const BANDS = {
  upper: { label: "Upper face", top: 0.08, bottom: 0.45, left: 0.17, right: 0.83 },
  middle: { label: "Middle face", top: 0.36, bottom: 0.7, left: 0.17, right: 0.83 },
  lower: { label: "Lower face", top: 0.56, bottom: 1, left: 0.2, right: 0.8 },
};

/** The viewBox showing ``band`` of ``full`` in a box of ``aspect`` (width / height). */
export function zoomBox(full, band, aspect) {
  const want = {
    x: full.x + band.left * full.width,
    y: full.y + band.top * full.height,
    width: (band.right - band.left) * full.width,
    height: (band.bottom - band.top) * full.height,
  };
  // Widen one way to the screen's shape, centred on the band, kept on the drawing.
  let { width, height } = want;
  if (width / height < aspect) width = height * aspect;
  else height = width / aspect;
  width = Math.min(width, full.width);
  height = Math.min(height, full.height);
  const clamp = (start, size, low, span) => Math.min(low + span - size, Math.max(low, start));
  return {
    x: clamp(want.x + want.width / 2 - width / 2, width, full.x, full.width),
    y: clamp(want.y + want.height / 2 - height / 2, height, full.y, full.height),
    width,
    height,
  };
}

const asText = (box) => [box.x, box.y, box.width, box.height].map((n) => Math.round(n * 100) / 100).join(" ");

/** Wire the zoom buttons (``[data-zoom]`` in ``bar``); ``apply(svg)`` after each redraw. */
export function createZoom({ bar, mapBox, onChange = () => {}, say = () => {} }) {
  let current = "whole";

  function apply(svg = mapBox.querySelector("svg")) {
    if (!svg) return;
    if (!svg.dataset.fullView) {
      const box = svg.viewBox.baseVal;
      svg.dataset.fullView = asText(box);
      // The drawing keeps its whole-face shape on the page when zoomed.
      svg.style.aspectRatio = `${box.width} / ${box.height}`;
    }
    const [x, y, width, height] = svg.dataset.fullView.split(" ").map(Number);
    const full = { x, y, width, height };
    const band = BANDS[current];
    const rect = svg.getBoundingClientRect();
    const aspect = rect.width && rect.height ? rect.width / rect.height : width / height;
    svg.setAttribute("viewBox", band ? asText(zoomBox(full, band, aspect)) : svg.dataset.fullView);
    for (const button of bar ? bar.querySelectorAll("[data-zoom]") : []) {
      button.setAttribute("aria-pressed", String(button.dataset.zoom === current));
    }
    mapBox.classList.toggle("is-zoomed", Boolean(band));
  }

  bar?.addEventListener("click", (event) => {
    const button = event.target.closest("[data-zoom]");
    if (!button) return;
    current = button.dataset.zoom in BANDS ? button.dataset.zoom : "whole";
    apply();
    onChange();
    say(current === "whole" ? "Showing the whole face." : `Zoomed to the ${BANDS[current].label.toLowerCase()}.`);
  });

  return { apply, current: () => current };
}
