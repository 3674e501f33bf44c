/* The review sheet and signing (issue 15 item 5): the sites, the server's totals,
 * the safety checks that need a reason or an override, and consent, in one dialog.
 * Each reason box and override in the sheet mirrors the panel's; a refusal marks
 * the fields it names. ``c`` is the chart (main.js).
 */

export function createReview(c) {
  const sheet = document.getElementById("review-sheet");
  const REASON = "[data-reason-for], [data-mirror-reason]";
  const OVERRIDE = "[data-override-for], [data-mirror-override]";
  const reasonKey = (node) => node.dataset.reasonFor || node.dataset.mirrorReason;
  const overrideKey = (node) => node.dataset.overrideFor || node.dataset.mirrorOverride;

  /** Copy a safety check's reason box or override into the sheet, kept in step. */
  function mirror(input, item) {
    const original = item.querySelector(`[id="${input.id}"]`);
    const label = input.closest(".warning-item").querySelector(`label[for="${input.id}"]`);
    input.id = `review-${input.id}`;
    label?.setAttribute("for", input.id);
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    if (input.dataset.reasonFor) {
      input.dataset.mirrorReason = input.dataset.reasonFor;
      delete input.dataset.reasonFor;
      input.value = original.value;
      input.addEventListener("input", () => {
        const now = document.querySelector(`#warning-list [data-reason-for="${CSS.escape(input.dataset.mirrorReason)}"]`);
        if (now) now.value = input.value;
      });
    } else {
      input.dataset.mirrorOverride = input.dataset.overrideFor;
      delete input.dataset.overrideFor;
      input.checked = original.checked;
      input.addEventListener("change", () => {
        const now = document.querySelector(`#warning-list [data-override-for="${CSS.escape(input.dataset.mirrorOverride)}"]`);
        if (now) now.checked = input.checked;
      });
    }
  }

  /** Show the sites, the server's totals, the checks needing a reason, and consent. */
  function openReview() {
    if (!sheet || !c.editable) return;
    document.getElementById("review-count").textContent = String(c.state.sites.length);
    document.getElementById("review-sites").replaceChildren(
      ...c.state.sites.map((site) => {
        const item = document.createElement("li");
        const units = c.unitsOf(site);
        const draw = units === site.units && site.draw_text ? ` · ${site.draw_text}` : "";
        item.textContent = `Site ${site.number}: ${c.describe(site)}${draw}`;
        return item;
      }),
    );
    const totals = document.querySelector("#totals-section .totals");
    const copy = totals ? totals.cloneNode(true) : null;
    // The server's figures, as the panel shows them; named apart from the panel's.
    for (const node of copy ? copy.querySelectorAll("[data-total]") : []) {
      node.dataset.reviewTotal = node.dataset.total;
      delete node.dataset.total;
    }
    document.getElementById("review-totals").replaceChildren(...(copy ? [copy] : []));
    const needing = [...document.querySelectorAll("#warning-list .warning-item")].filter((item) => item.querySelector("[data-reason-for], [data-override-for]"));
    const copies = needing.map((item) => {
      const copy = item.cloneNode(true);
      for (const node of copy.querySelectorAll(".error")) node.remove();
      for (const node of copy.querySelectorAll(".has-error")) node.classList.remove("has-error");
      for (const input of copy.querySelectorAll("[data-reason-for], [data-override-for]")) mirror(input, item);
      return copy;
    });
    document.getElementById("review-warnings").replaceChildren(...copies);
    document.getElementById("review-no-warnings").hidden = copies.length > 0;
    document.getElementById("sign-error").hidden = true;
    if (!sheet.open) sheet.showModal();
    const empty = [...sheet.querySelectorAll("[data-mirror-reason]")].find((input) => !input.value.trim());
    (empty || c.signButton).focus();
  }

  function closeReview() {
    if (sheet?.open) sheet.close();
    document.getElementById("review-sign")?.focus();
  }

  function sign() {
    // The sheet's boxes mirror the panel's; what is typed in either counts.
    const reasons = {};
    for (const input of document.querySelectorAll(REASON)) {
      if (input.value.trim()) reasons[reasonKey(input)] = input.value.trim();
    }
    // A hard stop is lifted only by the signing injector's own override.
    const overrides = [...new Set([...document.querySelectorAll(OVERRIDE)].filter((box) => box.checked).map(overrideKey))];
    const consent = document.getElementById("sign-consent");
    const error = document.getElementById("sign-error");
    error.hidden = true;
    for (const input of document.querySelectorAll(`${REASON}, ${OVERRIDE}`)) clearFieldError(input);
    c.signButton.setAttribute("aria-disabled", "true");
    c.enqueue({
      kind: "sign",
      request: () => ({ method: "POST", path: "/sign", body: { consent_obtained: Boolean(consent?.checked), reasons, overrides } }),
      done(before, after) {
        if (after.session.status !== "signed") {
          c.queue.requestRefresh();
          return null;
        }
        if (sheet?.open) sheet.close();
        // The sign button has gone with the other controls: keep focus on the page.
        document.getElementById("signed-banner")?.focus();
        return "Signed. The chart is now read-only.";
      },
      failed(status, body) {
        c.signButton.removeAttribute("aria-disabled");
        if (status !== 400) return false;
        const fields = (body && body.fields) || {};
        const problems = [];
        let first = null;
        for (const [key, text] of Object.entries(fields)) {
          const inputs = [...document.querySelectorAll(`${REASON}, ${OVERRIDE}`)].filter(
            (node) =>
              reasonKey(node) === key ||
              (reasonKey(node) && `reasons.${reasonKey(node)}` === key) ||
              (overrideKey(node) && `overrides.${overrideKey(node)}` === key),
          );
          for (const input of inputs) showFieldError(input, overrideKey(input) ? `Override ${text}` : `Reason ${text}`);
          const shown = inputs.find((input) => sheet?.open ? sheet.contains(input) : !sheet?.contains(input));
          if (shown) first = first || shown;
          if (!inputs.length) problems.push(`${key.replace(/_/g, " ")} ${text}`);
        }
        const summary = (body && body.error) || "The session could not be signed.";
        error.textContent = [summary, ...problems].join(" ");
        error.hidden = false;
        c.announce(`Not signed: ${error.textContent}`, "error");
        (first || consent || c.signButton).focus();
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

  return { sheet, REASON, OVERRIDE, reasonKey, overrideKey, mirror, openReview, closeReview, sign, showFieldError, clearFieldError };
}
