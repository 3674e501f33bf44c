/* Copy last cycle and apply a template, through a preview (issue 15 item 4).
 *
 * The server says what either would do (GET .../copy-last, GET .../apply-template,
 * nothing written): the sites it would place, in the product's units or with the
 * reason a dose is not carried, and the ones left out with their reasons. The
 * injector then replaces today's sites, adds to them, or cancels; the choice is
 * sent as the API's ``replace`` flag.
 */

import { fmtUnits } from "./state.js";

/** The preview's words: a title, one line per site, the left-out lines and a note. */
export function previewText(preview, { source, unitName, sideNames }) {
  const plural = (n) => `${n} site${n === 1 ? "" : "s"}`;
  const sites = preview.sites.map((site) => {
    const side = (sideNames[site.side] || site.side).toLowerCase();
    const dose = site.units == null ? `dose to enter (${site.unset_reason || "dose not entered"})` : `${fmtUnits(site.units)} ${unitName}`;
    return `${site.muscle_name}, ${side}, ${dose}`;
  });
  const today = preview.today;
  const note = today
    ? `Today's chart has ${plural(today)}. Replace removes ${today === 1 ? "it" : "them"} first; Add keeps ${today === 1 ? "it" : "them"} and places these after.`
    : "Today's chart has no sites yet.";
  return {
    title: `${source}: ${plural(sites.length)} to place`,
    sites,
    leftOut: preview.left_out.slice(),
    note,
  };
}

/** Wire the preview dialog; ``open(request)`` loads and shows one preview.
 *
 * ``request``: ``{ path, source, apply(replace) }``; ``load(path)`` answers
 * ``{ status, body }``; ``say(text, kind)`` reports a failure to load.
 */
export function createPrefill({ doc = document, load, say, words }) {
  const dialog = doc.getElementById("prefill-preview");
  if (!dialog) return { open() {} };
  const field = (id) => doc.getElementById(id);
  const replaceButton = field("prefill-replace");
  const addButton = field("prefill-add");
  let current = null;
  let opener = null;
  let replacing = false; // today's chart has sites: the first button replaces them

  function close(replace) {
    const request = current;
    current = null;
    if (dialog.open) dialog.close();
    if (request && replace !== null) request.apply(replace);
    else opener?.focus();
  }

  function item(text) {
    const node = doc.createElement("li");
    node.textContent = text;
    return node;
  }

  async function open(request) {
    opener = doc.activeElement;
    let answer;
    try {
      answer = await load(request.path);
    } catch {
      answer = { status: 0, body: null };
    }
    if (answer.status !== 200 || !answer.body) {
      const error = answer.body && answer.body.error ? answer.body.error : "the server could not be reached";
      say(`Could not preview ${request.source.toLowerCase()}: ${error}`, "error");
      return;
    }
    const text = previewText(answer.body, { source: request.source, ...words() });
    field("prefill-title").textContent = text.title;
    field("prefill-note").textContent = text.note;
    field("prefill-sites").replaceChildren(...text.sites.map(item));
    field("prefill-none").hidden = text.sites.length > 0;
    field("prefill-left-out").replaceChildren(...text.leftOut.map(item));
    field("prefill-left-out-section").hidden = text.leftOut.length === 0;
    const today = answer.body.today;
    replacing = today > 0;
    // With nothing on today's chart, replacing and adding are the same: one button.
    replaceButton.textContent = today ? "Replace today's sites" : "Place these sites";
    replaceButton.hidden = text.sites.length === 0;
    addButton.hidden = !today || text.sites.length === 0;
    current = request;
    dialog.showModal();
    (replaceButton.hidden ? field("prefill-cancel") : replaceButton).focus();
  }

  replaceButton.addEventListener("click", () => close(replacing));
  addButton.addEventListener("click", () => close(false));
  field("prefill-cancel").addEventListener("click", () => close(null));
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    close(null);
  });

  return { open, dialog };
}
