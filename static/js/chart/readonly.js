/* A signed chart turns read-only where it is, without a reload: the editing
 * controls go (each row keeps its dose), the badge and banner say who signed and when, and "Print record"
 * joins "Print handout" and "Back to patient". ``c`` is the chart (main.js).
 * Focus that was on a control now gone goes to the banner, never to <body>.
 */

/** Whether keyboard and screen-reader focus has been lost (on <body> or nowhere). */
export function focusLost(doc = document) {
  const active = doc.activeElement;
  return !active || active === doc.body || !active.isConnected;
}

export function createReadOnly(c) {
  function signedText(session) {
    const when = session.signed_at ? c.dateTime.format(new Date(session.signed_at)) : "";
    return `Signed by ${session.signed_by || "the injector"}${when ? ` on ${when}` : ""}; corrections are made by amendment.`;
  }

  function makeReadOnly() {
    c.editable = false;
    c.stopMoving();
    c.keypad.close();
    c.root.classList.add("is-readonly");
    c.mapBox.classList.remove("is-editable");
    for (const name of ["tabindex", "role", "aria-roledescription", "aria-label", "aria-describedby"]) c.mapBox.removeAttribute(name);
    c.undoHistory.forget();
    // The dose button goes but keeps its units, as the server draws a signed row.
    for (const scope of [document, c.rowTemplate.content]) {
      for (const button of scope.querySelectorAll(".dose-button[data-edit]")) button.replaceWith(...button.childNodes);
      for (const node of scope.querySelectorAll("[data-edit]")) node.remove();
    }
    const badge = document.getElementById("status-badge");
    if (badge) {
      badge.textContent = "Signed";
      badge.className = "status-badge status-signed";
    }
    // Print the record, or go back to the patient, without a reload.
    const actions = document.getElementById("chart-actions");
    if (actions && !document.getElementById("print-record")) {
      const link = document.createElement("a");
      link.className = "button secondary";
      link.id = "print-record";
      link.href = actions.dataset.recordPdf;
      link.textContent = "Print record";
      actions.prepend(link);
    }
    if (!document.getElementById("signed-banner")) {
      const banner = document.createElement("p");
      banner.className = "signed-banner";
      banner.id = "signed-banner";
      banner.setAttribute("role", "note");
      banner.tabIndex = -1;
      banner.textContent = signedText(c.state.session);
      document.querySelector(".chart-head")?.append(banner);
    }
    document.getElementById("map-hint").textContent =
      "Numbered dots are this session's sites; dashed circles are last cycle's.";
    // Signed elsewhere: the control just tapped (a stepper, the dose, "Sign
    // session" in its sheet) went with the others. The banner says who signed and
    // is read when focused; the status line has already said why nothing changed.
    if (focusLost()) document.getElementById("signed-banner")?.focus();
  }

  return { signedText, makeReadOnly };
}
