/* The chart's controls wired to its actions: the site rows (steppers, dose keypad,
 * Move, Delete, typed doses and their keys), Escape, undo, copy last cycle and
 * templates (through the preview), review and sign, and adding a site by muscle.
 * ``c`` is the chart (main.js); call once every part it names exists.
 */

import { startHint } from "./keypad.js";
import { siteById } from "./state.js";

export function wireControls(c) {

  c.list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const row = event.target.closest(".site-row");
    if (!row) return;
    const id = Number(row.dataset.siteId);
    if (!button) {
      c.selectSite(id);
      return;
    }
    if (button.dataset.action === "keypad") {
      if (c.editable) c.openKeypad(id);
      return;
    }
    if (!c.editable || button.getAttribute("aria-disabled") === "true") {
      if (button.dataset.action !== "move") {
        const site = siteById(c.state, id);
        if (site && c.unitsOf(site) == null) c.announce(startHint(site.number, c.state.step_units, c.unitName()));
        else if (site) c.announce(`Site ${site.number} is already at the ${button.dataset.action === "increase" ? "highest" : "lowest"} dose.`);
      }
      return;
    }
    switch (button.dataset.action) {
      case "increase":
        c.stepUnits(id, 1);
        break;
      case "decrease":
        c.stepUnits(id, -1);
        break;
      case "move":
        if (c.movingId === id) {
          c.stopMoving();
          c.announce("Move cancelled.");
        } else {
          // A click from the keyboard (Enter or Space) has no pointer: detail 0.
          c.startMoving(id, { keyboard: event.detail === 0 });
        }
        break;
      case "delete":
        if (c.movingId === id) c.stopMoving();
        c.enqueue(c.deleteTask(id));
        break;
      default:
    }
  });

  c.list.addEventListener("change", (event) => {
    const input = event.target.closest(".dose-entry");
    const row = event.target.closest(".site-row");
    if (input && row && input.value.trim()) c.enterUnits(Number(row.dataset.siteId), input);
  });

  c.list.addEventListener("focusin", (event) => {
    const row = event.target.closest(".site-row");
    if (row) c.selectSite(Number(row.dataset.siteId), { guidance: false });
  });

  c.list.addEventListener("keydown", (event) => {
    const entry = event.target.closest(".dose-entry");
    if (entry && event.key === "Enter") {
      event.preventDefault();
      c.enterUnits(Number(entry.closest(".site-row").dataset.siteId), entry);
      return;
    }
    const row = event.target.closest(".site-row");
    if (!row || event.target !== row || !c.editable) return;
    const id = Number(row.dataset.siteId);
    if (event.key === "+" || event.key === "=") c.stepUnits(id, 1);
    else if (event.key === "-") c.stepUnits(id, -1);
    else if (event.key === "Enter") c.openKeypad(id);
    else return;
    event.preventDefault();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && c.movingId != null) {
      c.stopMoving();
      c.announce("Move cancelled.");
    }
  });

  c.undoButton?.addEventListener("click", c.undo);
  c.copyButton?.addEventListener("click", () => {
    if (c.editable) c.prefill.open({ path: "/copy-last", source: "Copy last cycle", apply: c.copyLast });
  });
  const templateSelect = document.getElementById("template-choice");
  document.getElementById("apply-template")?.addEventListener("click", () => {
    if (!c.editable || !templateSelect) return;
    const option = templateSelect.selectedOptions[0];
    if (!templateSelect.value) {
      c.announce("Choose a template first.", "error");
      templateSelect.focus();
      return;
    }
    const id = templateSelect.value;
    const name = option.textContent.replace(/ \((?:[^()]*, )?\d+ sites?\)$/, "");
    c.prefill.open({
      path: `/apply-template?template_id=${encodeURIComponent(id)}`,
      source: `Template “${name}”`,
      apply(replace) {
        c.applyTemplate(id, name, replace);
        templateSelect.value = "";
      },
    });
  });
  c.signButton?.addEventListener("click", () => {
    if (c.signButton.getAttribute("aria-disabled") !== "true") c.sign();
    // Not ready (a dose to enter): the way to fix it, not a refusal after the tap.
    else c.sheet?.querySelector("[data-enter-dose]")?.focus();
  });
  document.getElementById("review-sign")?.addEventListener("click", c.openReview);
  document.getElementById("review-back")?.addEventListener("click", c.closeReview);
  c.sheet?.addEventListener("cancel", (event) => {
    event.preventDefault();
    c.closeReview();
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
      const affected = c.state.patient.affected_side;
      sideSelect.value = sides.includes(affected) ? affected : sides[0];
    }
  }
  if (muscleSelect && sideSelect) {
    const affected = c.state.patient.affected_side;
    if (affected === "left" || affected === "right") sideSelect.value = affected;
    muscleSelect.addEventListener("change", fitSides);
    fitSides();
    document.getElementById("add-site-form").addEventListener("submit", (event) => {
      event.preventDefault();
      if (c.editable) c.enqueue(c.createTask({ body: { muscle: muscleSelect.value, side: sideSelect.value } }));
    });
  }
}
