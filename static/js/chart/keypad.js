/* A large numeric keypad for a dose: digits, decimal point, backspace, OK, Cancel,
 * and quick-dose chips from the product's common doses.
 *
 * The dose being replaced is shown in the keypad; in portrait the keypad also
 * keeps clear of the row it edits (``keepInSight``), so the injector sees which
 * row they are changing. The chips, which save at one tap, are a labelled group above the
 * display, well apart from the digit keys (review rW2, V2-7).
 *
 * Every key is a real button (at least 44 x 44 CSS px, see chart-touch.css); typing
 * digits, "." or ",", Backspace, Enter and Escape works too. The dose is checked as
 * the server checks it (a number in the chart's range, to 0.01 U); whatever the
 * server still refuses is reported by the save queue. The steppers' moves are here
 * too (``stepDose``), in the product's own step from the chart's state.
 */

import { fmtUnits, round2 } from "./state.js";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "0", "back"];
const MAX_CHARS = 6;

/** Read a typed dose; ``{ units }`` or ``{ error }`` in the server's terms. */
export function parseDose(text, { min, max, unitName = "U" }) {
  const range = `Enter a dose from ${fmtUnits(min)} to ${fmtUnits(max)} ${unitName}.`;
  const clean = String(text ?? "").trim().replace(",", ".");
  if (!clean) return { error: `No dose entered. ${range}` };
  if (!/^\d*\.?\d*$/.test(clean) || clean === ".") return { error: `Not a number. ${range}` };
  const units = Number(clean);
  if (!Number.isFinite(units) || units < min || units > max) return { error: `Out of range. ${range}` };
  if (Math.abs(Math.round(units * 100) - units * 100) > 1e-6) {
    return { error: `Doses are recorded to 0.01 ${unitName}. ${range}` };
  }
  return { units: Math.round(units * 100) / 100 };
}

/** The dose after one press of + (``direction`` 1) or − (-1), or null where the
 * steppers go no further. A dose still to enter starts at one step; − stops at one
 * step, + at the top of the chart's range. ``step`` is the product's (a clinic
 * setting); typed doses are not bound to it, only to the range. */
export function stepDose(current, direction, { step, max }) {
  if (current == null) return direction > 0 ? step : null;
  const next = direction > 0 ? Math.min(max, round2(current + step)) : Math.max(step, round2(current - step));
  return (direction > 0 ? next > current : next < current) ? next : null;
}

/** What a − press, or a press on a disabled stepper, says of a dose still to enter. */
export function startHint(number, step, unitName) {
  return `Site ${number} has no dose yet: type it, or press + to start from ${fmtUnits(step)} ${unitName} (one step; the step is a clinic setting).`;
}

/** The line naming the dose a keypad replaces. */
export function nowText(value, unitName) {
  return value == null ? "Now: no dose entered." : `Now: ${fmtUnits(value)} ${unitName}. What you type replaces it.`;
}

/** Append the next key to what is typed, as the keypad does. */
export function pressKey(text, key) {
  if (key === "back") return text.slice(0, -1);
  if (key === "." && text.includes(".")) return text;
  if (text.length >= MAX_CHARS) return text;
  if (key === "." && !text) return "0.";
  if (text === "0" && key !== ".") return key;
  return text + key;
}

/** Where a keypad ``pad`` tall goes on a screen ``view`` tall so that it leaves
 * the row (``top``, ``bottom``: where it is now) in sight, and how far to scroll
 * for that: ``{ place: "top" | "bottom", scroll }``, or null when the keypad where
 * it is (``padTop``) already clears it. At the top, the row goes below the keypad;
 * at the bottom, above it, ``gap`` px clear; the keypad is ``margin`` px from the
 * edge. Of the two, the one the page can scroll to (``up``, ``down``: the room
 * there is) with the shorter scroll wins. */
export function placeKeypad({ top, bottom }, { padTop, pad, view, up = Infinity, down = Infinity, margin = 8, gap = 8 }) {
  const clear = bottom + gap <= padTop || top >= padTop + pad + gap;
  if (clear && top >= 0 && bottom <= view) return null;
  const below = margin + pad + gap;
  const above = view - margin - pad - gap;
  const places = [
    { place: "top", scroll: top < below ? top - below : Math.max(0, bottom - view) },
    { place: "bottom", scroll: bottom > above ? bottom - above : Math.min(0, top) },
  ];
  const reachable = places.filter(({ scroll }) => scroll <= down && -scroll <= up);
  reachable.sort((one, other) => Math.abs(one.scroll) - Math.abs(other.scroll));
  // Neither fully reachable: the edge farther from the row, scrolled as far as it goes.
  return reachable[0] || places[top > view - bottom ? 0 : 1];
}

function element(doc, tag, attrs = {}, text = "") {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

/** Build the keypad's dialog once, in ``host``; ``open`` shows it for one dose. */
export function createKeypad({ doc = document, host = doc.body } = {}) {
  const dialog = element(doc, "dialog", { class: "keypad", id: "dose-keypad", "aria-labelledby": "keypad-title", "aria-describedby": "keypad-now" });
  const title = element(doc, "h2", { id: "keypad-title", class: "keypad-title" });
  const now = element(doc, "p", { id: "keypad-now", class: "keypad-now" });
  const display = element(doc, "output", { class: "keypad-display", id: "keypad-value", "aria-live": "polite", "aria-labelledby": "keypad-title" });
  const error = element(doc, "p", { class: "keypad-error", id: "keypad-error", role: "alert", hidden: "" });
  const common = element(doc, "div", { class: "keypad-common", role: "group", "aria-labelledby": "keypad-common-title" });
  const commonTitle = element(doc, "p", { class: "keypad-common-title" });
  commonTitle.append(element(doc, "span", { id: "keypad-common-title" }, "Common doses"), " ", element(doc, "span", { class: "keypad-common-hint" }, "(one tap saves)"));
  const chips = element(doc, "div", { class: "keypad-chips" });
  // Where the chips come from: the product's own label, or a labelled clinic setting.
  const chipSource = element(doc, "p", { class: "keypad-common-source", id: "keypad-common-source" });
  common.append(commonTitle, chips, chipSource);
  const keys = element(doc, "div", { class: "keypad-keys" });
  for (const key of KEYS) {
    const label = key === "back" ? "Backspace" : key === "." ? "Decimal point" : key;
    const button = element(doc, "button", { type: "button", class: "keypad-key", "data-key": key, "aria-label": label }, key === "back" ? "⌫" : key);
    keys.append(button);
  }
  const cancel = element(doc, "button", { type: "button", class: "button secondary keypad-cancel" }, "Cancel");
  const ok = element(doc, "button", { type: "button", class: "button primary keypad-ok" }, "OK");
  const actions = element(doc, "div", { class: "keypad-actions" });
  actions.append(cancel, ok);
  dialog.append(title, now, common, display, error, keys, actions);
  host.append(dialog);

  let typed = "";
  let fresh = true;
  let options = null;
  let opener = null;

  /** In portrait, move the keypad to the screen's edge farther from ``row`` and
   * scroll the row clear of it; landscape keeps the keypad centred, as it was. */
  function keepInSight(row) {
    delete dialog.dataset.place;
    const win = doc.defaultView;
    if (!row || !win?.matchMedia("(orientation: portrait)").matches) return;
    const box = row.getBoundingClientRect();
    const padBox = dialog.getBoundingClientRect();
    const page = doc.scrollingElement || doc.documentElement;
    const view = doc.documentElement.clientHeight;
    const up = page.scrollTop;
    const down = page.scrollHeight - view - up;
    const placed = placeKeypad(box, { padTop: padBox.top, pad: padBox.height, view, up, down });
    if (!placed) return;
    dialog.dataset.place = placed.place;
    // Whole pixels, rounded away from zero: a fraction of one would not scroll.
    const scroll = Math.sign(placed.scroll) * Math.ceil(Math.abs(placed.scroll));
    if (scroll) win.scrollBy({ top: scroll, behavior: "instant" });
  }

  function show() {
    const number = element(doc, "span", { class: "keypad-number" }, typed || "–");
    const unit = element(doc, "span", { class: "keypad-unit" }, options.unitName);
    display.replaceChildren(number, " ", unit);
    display.dataset.value = typed;
  }

  function setError(text) {
    error.textContent = text || "";
    error.hidden = !text;
    display.setAttribute("aria-invalid", text ? "true" : "false");
  }

  function press(key) {
    typed = pressKey(fresh && key !== "back" ? "" : typed, key);
    fresh = false;
    setError("");
    show();
  }

  function close(submitted) {
    if (!options) return;
    const done = options;
    options = null;
    if (dialog.open) dialog.close();
    if (!submitted) done.onCancel?.();
    opener?.focus?.();
    opener = null;
  }

  function submit(text = typed) {
    if (!options) return;
    const parsed = parseDose(text, options);
    if (parsed.error) {
      setError(parsed.error);
      return;
    }
    const { onSubmit } = options;
    close(true);
    onSubmit(parsed.units);
  }

  keys.addEventListener("click", (event) => {
    const button = event.target.closest("[data-key]");
    if (button) press(button.dataset.key);
  });
  chips.addEventListener("click", (event) => {
    const chip = event.target.closest("[data-units]");
    if (chip) submit(chip.dataset.units);
  });
  ok.addEventListener("click", () => submit());
  cancel.addEventListener("click", () => close(false));
  // Escape: the dialog's own cancel, closed our way so focus goes back.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    close(false);
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    let key = null;
    if (/^[0-9]$/.test(event.key)) key = event.key;
    else if (event.key === "." || event.key === ",") key = ".";
    else if (event.key === "Backspace") key = "back";
    if (key) {
      event.preventDefault();
      press(key);
    } else if (event.key === "Enter" && !event.target.closest("button")) {
      event.preventDefault();
      submit();
    }
  });

  return {
    dialog,
    get isOpen() {
      return options !== null;
    },
    get typed() {
      return typed;
    },
    /** Show the keypad for one dose. ``onSubmit(units)`` gets a checked number;
     * ``row``, the row being edited, is kept in sight. */
    open(opts) {
      options = { unitName: "U", chips: [], chipSource: "", ...opts };
      opener = doc.activeElement;
      title.textContent = options.title || "Dose";
      typed = options.value == null ? "" : fmtUnits(options.value);
      fresh = true;
      setError("");
      show();
      chips.replaceChildren(
        ...options.chips.map((units) =>
          element(doc, "button", { type: "button", class: "keypad-chip", "data-units": fmtUnits(units), "aria-label": `${fmtUnits(units)} ${options.unitName}` }, fmtUnits(units)),
        ),
      );
      common.hidden = options.chips.length === 0;
      chipSource.textContent = options.chipSource;
      chipSource.hidden = !options.chipSource;
      now.textContent = nowText(options.value, options.unitName);
      if (!dialog.open) dialog.showModal();
      keepInSight(options.row);
      ok.focus();
    },
    close: () => close(false),
    press,
    submit: () => submit(),
  };
}
