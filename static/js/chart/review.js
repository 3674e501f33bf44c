/* The review sheet and signing (issue 15 item 5): the sites, the server's totals,
 * every safety check, and consent, in one dialog. The checks are counted; those
 * needing a reason or an override are shown with their boxes, each mirroring the
 * panel's; the others (cautions) are counted, named and listed, so that nobody
 * signs believing nothing was flagged. A refusal marks the fields it names.
 * ``c`` is the chart (main.js).
 */

/** A check named in a line: the first sentence of its message, cut to length. */
export function checkName(message) {
  const first = message.trim().split(/(?<=[.;])\s/)[0].replace(/[.;]$/, "");
  return first.length > 120 ? `${first.slice(0, 119)}…` : first;
}

/** How many checks the chart has, and how many need a reason or an override.
 * With sites still without a dose (``unset``) nothing is said to be complete:
 * a site's own checks are taken only once its dose is entered. */
export function checksCount(total, needing, unset = 0) {
  const later = unset
    ? ` (${unset === 1 ? "the site" : `the ${unset} sites`} without a dose ${unset === 1 ? "is" : "are"} checked once ${unset === 1 ? "its dose is" : "their doses are"} entered, so more may appear)`
    : "";
  const soFar = unset ? " so far" : "";
  if (!total) return unset ? `No safety check on this chart yet${later}.` : "Nothing was flagged: there is no safety check on this chart.";
  const checks = `${total} safety check${total === 1 ? "" : "s"} on this chart${soFar}`;
  if (!needing) return `${checks}; none of them needs a reason or an override${unset ? " yet" : ""}${later}.`;
  if (needing === total) return `${checks}, each needing a reason or an override${later}:`;
  return `${checks}; ${needing} need${needing === 1 ? "s" : ""} a reason or an override${later}:`;
}

/** The sites still without a dose, listed first on the sheet (review rW2, V2-6):
 * the server refuses to sign them. ``unitsOf`` gives a site's dose as shown. */
export function missingDoses(sites, unitsOf = (site) => site.units) {
  return sites
    .filter((site) => unitsOf(site) == null)
    .map((site) => ({ id: site.id, number: site.number, text: `Site ${site.number} has no dose: enter it before signing.` }));
}

/** Why "Sign session" is not available yet, or "" once it is. */
export function notReady(missing) {
  if (!missing.length) return "";
  const which = missing.length === 1 ? `site ${missing[0].number} has` : `sites ${missing.map((m) => m.number).join(", ")} have`;
  return `Not ready to sign: ${which} no dose.`;
}

/** A check's name, with each caution zone its site lies in (``zones``: the face
 * map's ``{ title, source }``) named with its source, as the chair warned at the tap.
 * The source follows "source:", never in brackets: it holds its own ("Anatomy
 * (UNSOURCED in the clinical reference)"), and brackets never nest. */
export function checkNamed({ message, zones = [] }) {
  const name = checkName(message);
  if (!zones.length) return name;
  return `${name}: ${zones.map(({ title, source }) => `\u201c${title}\u201d, source: ${source}`).join(" and ")}`;
}

/** The checks needing nothing, counted by severity and named, one name each:
 * ``{ counted, names }`` from ``{ severity, message, zones }``. Each check is its
 * own list item, never joined with "; ": a message or a zone's source may hold
 * "; " itself, and one check would read as two. */
export function othersNamed(others) {
  const cautions = others.filter((check) => check.severity === "caution").length;
  const warnings = others.length - cautions;
  const counted = [
    cautions ? `${cautions} caution${cautions === 1 ? "" : "s"}` : "",
    warnings ? `${warnings} warning${warnings === 1 ? "" : "s"}` : "",
  ].filter(Boolean).join(" and ");
  return { counted: `${counted} to read (no reason needed):`, names: others.map(checkNamed) };
}

/** Show the named checks in ``root`` (the sheet's ``#review-others-named``): the
 * count, then a list with one item per check. */
export function showOthersNamed(root, others) {
  const doc = root.ownerDocument;
  if (!others.length) {
    root.replaceChildren();
    return;
  }
  const { counted, names } = othersNamed(others);
  const line = doc.createElement("p");
  line.id = "review-others-counted";
  line.textContent = counted;
  const list = doc.createElement("ul");
  list.className = "review-others-names";
  list.setAttribute("aria-labelledby", line.id);
  list.replaceChildren(
    ...names.map((name) => {
      const item = doc.createElement("li");
      item.textContent = name;
      return item;
    }),
  );
  root.replaceChildren(line, list);
}

/** A refusal's field the sheet has no box for, in words: named by the label
 * the server's refusal gives it (``labels``, its reason or override named by
 * its warning: "Reason for site 1, Mentalis (left)"), else by its name. */
export function fieldProblem(field, text, labels = {}) {
  const label = Object.hasOwn(labels, field) ? labels[field] : "";
  return label ? `${label}: ${text}` : `${field.replace(/_/g, " ")} ${text}`;
}

/** What the sheet says when a signature met a chart changed on another device:
 * the server's words (``body.error``), and that nothing was signed. The sheet then
 * shows the chart's latest sites and checks, with what was typed kept. */
export function staleSignMessage(body) {
  const changed = (body && body.error) || "Another device changed this chart since you loaded it; showing the latest version.";
  return `${changed} The session was not signed: check the sites and the reasons below, then sign again.`;
}

/** A check as the panel shows it: its severity and its message without the label. */
function checkOf(item) {
  const line = item.querySelector(".warning-message");
  const label = line?.querySelector(".severity")?.textContent || "";
  return {
    severity: item.classList.contains("severity-warning") ? "warning" : "caution",
    message: (line?.textContent || "").replace(label, "").trim(),
    zones: item.dataset.zones ? JSON.parse(item.dataset.zones) : [],
  };
}

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
    // The label is the panel's, which names the box by its warning in words
    // (warning_reasons.panel_reason_label): the copy keeps it as it is.
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

  // The words of a signature refused because the chart had changed, kept until
  // the panels show the latest chart and the sheet is drawn again from them.
  let staleNote = null;

  /** Show the sites, the server's totals, every check (those needing a reason
   * with their boxes), and consent. */
  function openReview() {
    if (!sheet || !c.editable) return;
    fillSheet();
    document.getElementById("sign-error").hidden = true;
    if (!sheet.open) sheet.showModal();
    focusFirstNeed();
  }

  /** Focus what signing needs first: a dose to enter, an empty reason, or "Sign session". */
  function focusFirstNeed() {
    const empty = [...sheet.querySelectorAll("[data-mirror-reason]")].find((input) => !input.value.trim());
    (sheet.querySelector("[data-enter-dose]") || empty || c.signButton).focus();
  }

  /** Draw the sheet from the chart and its panels: the sites, the missing doses,
   * the figures and a copy of each check needing a reason or an override, each
   * box holding what was typed into the panel's. */
  function fillSheet() {
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
    const missing = missingDoses(c.state.sites, c.unitsOf);
    showMissing(missing);
    const { needing } = copyFigures(missing);
    const copies = needing.map((item) => {
      const copy = item.cloneNode(true);
      for (const node of copy.querySelectorAll(".error")) node.remove();
      for (const node of copy.querySelectorAll(".has-error")) node.classList.remove("has-error");
      for (const input of copy.querySelectorAll("[data-reason-for], [data-override-for]")) mirror(input, item);
      return copy;
    });
    document.getElementById("review-warnings").replaceChildren(...copies);
  }

  /** Copy the server's totals and the checks needing no answer from the panels
   * into the sheet, with the count of every check; return the checks split. The
   * boxes of those needing an answer are copied once, on opening: redrawing them
   * would lose the caret of someone typing a reason. */
  function copyFigures(missing = missingDoses(c.state.sites, c.unitsOf)) {
    const totals = document.querySelector("#totals-section .totals");
    const copy = totals ? totals.cloneNode(true) : null;
    // The server's figures, as the panel shows them; named apart from the panel's.
    for (const node of copy ? copy.querySelectorAll("[data-total]") : []) {
      node.dataset.reviewTotal = node.dataset.total;
      delete node.dataset.total;
    }
    document.getElementById("review-totals").replaceChildren(...(copy ? [copy] : []));
    const items = [...document.querySelectorAll("#warning-list .warning-item")];
    const answered = (item) => item.querySelector("[data-reason-for], [data-override-for]");
    const needing = items.filter(answered);
    const others = items.filter((item) => !answered(item));
    document.getElementById("review-checks-count").textContent = checksCount(items.length, needing.length, missing.length);
    document.getElementById("review-others").hidden = others.length === 0;
    showOthersNamed(document.getElementById("review-others-named"), others.map(checkOf));
    document.getElementById("review-others-list").replaceChildren(...others.map((item) => item.cloneNode(true)));
    return { needing, others };
  }

  /** The panels were redrawn (the server's answer to the last save came after the
   * sheet opened): bring an open sheet's totals and checks up to them, so no one
   * signs from figures older than the sites listed above them. */
  function panelsSwapped() {
    // A chart turned read-only (signed here or elsewhere) has taken the sheet away.
    if (!(sheet?.open && sheet.isConnected && c.editable)) return;
    if (staleNote === null) {
      copyFigures();
      return;
    }
    // A signature met a chart changed on another device: the panels now show
    // its latest version, so the whole sheet is drawn again from them, new
    // checks with their boxes; each box already there keeps what was typed, as
    // the panel's did. Drawn once, not on each swap: a caret stays where it is.
    const note = staleNote;
    staleNote = null;
    fillSheet();
    const error = document.getElementById("sign-error");
    error.textContent = note;
    error.hidden = false;
    focusFirstNeed();
  }

  /** List the sites without a dose first, each with a button to its keypad, and
   * keep "Sign session" unavailable until every dose is entered. */
  function showMissing(missing) {
    const section = document.getElementById("review-missing");
    const note = document.getElementById("sign-not-ready");
    section.hidden = missing.length === 0;
    document.getElementById("review-missing-list").replaceChildren(
      ...missing.map(({ id, number, text }) => {
        const item = document.createElement("li");
        const line = document.createElement("span");
        line.textContent = text;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button secondary";
        button.dataset.enterDose = String(id);
        button.textContent = `Enter the dose of site ${number}`;
        item.append(line, " ", button);
        return item;
      }),
    );
    note.textContent = notReady(missing);
    note.hidden = !missing.length;
    if (missing.length) c.signButton.setAttribute("aria-disabled", "true");
    else c.signButton.removeAttribute("aria-disabled");
  }

  // "Enter the dose of site 3": the sheet closes and that site's keypad opens.
  document.getElementById("review-missing-list")?.addEventListener("click", (event) => {
    const button = event.target.closest("[data-enter-dose]");
    if (!button) return;
    closeReview();
    c.openKeypad(Number(button.dataset.enterDose));
  });

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
        if (status === 409 && body && body.state) {
          // Changed on another device: the queue takes the latest chart (sync.js),
          // and the sheet is drawn again once the panels show it (panelsSwapped).
          staleNote = staleSignMessage(body);
          error.textContent = staleNote;
          error.hidden = false;
          return false;
        }
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
          if (!inputs.length) problems.push(fieldProblem(key, text, (body && body.labels) || {}));
        }
        const summary = (body && body.error) || "The session could not be signed.";
        error.textContent = [summary, ...problems].join(" ");
        error.hidden = false;
        c.announce(`Not signed: ${error.textContent}`, "error");
        (first || consent || c.signButton).focus();
        if (first) clearOfFooter(first);
        return true;
      },
    });
  }

  /** Scroll the open sheet so a refused ``field`` sits above its sticky footer
   * (the refusal and the buttons): focusing it scrolls it only into the sheet,
   * where the footer can still cover it and its error. */
  function clearOfFooter(field) {
    if (!sheet?.open || !sheet.contains(field)) return;
    const footer = [document.getElementById("sign-error"), sheet.querySelector(".actions")]
      .filter((node) => node && !node.hidden)
      .map((node) => node.getBoundingClientRect().top);
    if (!footer.length) return;
    const below = field.getBoundingClientRect().bottom - Math.min(...footer) + 8;
    if (below > 0) sheet.scrollBy(0, below);
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

  return { sheet, REASON, OVERRIDE, reasonKey, overrideKey, mirror, openReview, closeReview, sign, showFieldError, clearFieldError, panelsSwapped };
}
