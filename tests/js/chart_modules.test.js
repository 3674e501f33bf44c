/* Unit tests of the chart's modules, run in Chromium by tests/e2e/test_chart_modules_js.py.
 *
 * Each test is a named async function; helpers.js (shared with the other test
 * pages) exposes them as ``runTest(name)``, which resolves to "ok" or the failure's
 * message. The modules get fakes for what they touch (fetch, timers, storage, the
 * clock), as STYLE B.6a asks.
 */

import { conflictMessage, createQueue, createSender, notSavedMessage } from "/static/js/chart/sync.js";
import { createUndo } from "/static/js/chart/undo.js";
import { createKeypad, nowText, parseDose, placeKeypad, pressKey, startHint, stepDose } from "/static/js/chart/keypad.js";
import { middle, spotText, stepPoint } from "/static/js/chart/keyboard.js";
import { previewText } from "/static/js/chart/prefill.js";
import { checkNamed, checksCount, createReview, fieldProblem, missingDoses, notReady, showOthersNamed, staleSignMessage } from "/static/js/chart/review.js";
import { zoneFlag } from "/static/js/chart/rows.js";
import { describeSite } from "/static/js/chart/state.js";
import { createTasks } from "/static/js/chart/tasks.js";
import { assert, equal, exposeTests, json, memoryStorage, until } from "/tests/js/helpers.js";

const tests = {};

/** A queue over a fake server; ``answers`` is called for each request in turn. */
function fakeChart(answers) {
  const sent = [];
  const events = [];
  let version = 1;
  const fetch = async (url, init) => {
    const request = { url, method: init.method, body: init.body ? JSON.parse(init.body) : null, csrf: init.headers["X-CSRFToken"] };
    sent.push(request);
    return answers(request, sent.length);
  };
  const send = createSender({ fetch, api: "/api/v1/sessions/7", csrf: "token", version: () => version });
  const queue = createQueue({
    send,
    backoff: [5, 10],
    hooks: {
      offline: (answer, waiting) => events.push(["offline", answer ? answer.status : null, waiting]),
      saved: (task, answer) => {
        if (answer.body && typeof answer.body.version === "number") version = answer.body.version;
        events.push(["saved", task.kind]);
      },
      conflict: (task, body) => {
        events.push(["conflict", task.kind, body.error]);
        return Boolean(task.appliedAfterAll);
      },
      conflicted: (task, body, dropped) => events.push(["conflicted", dropped.map((t) => t.kind), conflictMessage(dropped)]),
      refused: (task, answer) => events.push(["refused", task.kind, answer.status]),
    },
  });
  return { queue, sent, events, get version() { return version; } };
}

const patch = (kind, siteId, units) => ({ kind, siteId, request: () => ({ method: "PATCH", path: `/sites/${siteId}`, body: { units } }) });

tests["sync: offline, the change is queued, retried, then saved once back"] = async () => {
  let online = false;
  const chart = fakeChart(() => {
    if (!online) throw new TypeError("Failed to fetch");
    return json(200, { version: 2, site: { id: 3, units: 2.5 } });
  });
  const pumping = chart.queue.enqueue(patch("units", 3, 2.5));
  await until(() => chart.events.filter((e) => e[0] === "offline").length >= 2, "two failed attempts");
  equal(chart.queue.tasks.length, 1, "the change waits at the head of the queue");
  equal(chart.events[0], ["offline", null, 1], "the first failure reports one change waiting");
  online = true;
  chart.queue.wake();
  await pumping;
  equal(chart.queue.tasks.length, 0, "the queue is empty once saved");
  equal(chart.events.at(-1), ["saved", "units"], "saved once back");
  const last = chart.sent.at(-1);
  equal([last.url, last.method, last.body, last.csrf], ["/api/v1/sessions/7/sites/3", "PATCH", { units: 2.5, version: 1 }, "token"], "the retried request");
  assert(chart.sent.length >= 3, "it was sent again after each failure");
  equal(chart.version, 2, "the next request carries the version the answer left");
};

tests["sync: a 5xx or a logged-out 401 is retried, never dropped"] = async () => {
  const chart = fakeChart((request, n) => (n === 1 ? json(503, { error: "down" }) : n === 2 ? json(401, { error: "log in" }) : json(200, { version: 5 })));
  await chart.queue.enqueue(patch("units", 4, 3));
  equal(chart.events.map((e) => e.slice(0, 2)), [["offline", 503], ["offline", 401], ["saved", "units"]], "retried until saved");
  assert(notSavedMessage({ status: 401 }, 1).includes("you are logged out"), "a 401 says the user is logged out");
  assert(notSavedMessage(null, 2).includes("2 changes waiting"), "offline says how many changes wait");
};

tests["sync: a 409 is surfaced; new sites go again, other changes are dropped"] = async () => {
  const chart = fakeChart((request, n) => {
    if (n === 1) return json(409, { error: "The chart changed on another device.", state: { sites: [] } });
    if (request.method === "POST") return json(201, { version: 9, site: { id: 11 } });
    return json(200, { version: 10 });
  });
  chart.queue.tasks.push(patch("units", 3, 4), { kind: "create", request: () => ({ method: "POST", path: "/sites", body: { x: 1, y: 2 } }) }, patch("units", 5, 1));
  await chart.queue.pump();
  const conflicted = chart.events.find((e) => e[0] === "conflicted");
  assert(conflicted, "the conflict was reported");
  equal(conflicted[1], ["units", "units"], "both dose changes were dropped");
  assert(conflicted[2].startsWith("Another device changed this chart; showing the latest."), "the message says why");
  assert(conflicted[2].includes("2 of your changes were not applied"), "the message counts what was dropped");
  equal(chart.sent.map((r) => r.method), ["PATCH", "POST"], "only the new site went again");
  equal(chart.events.at(-1), ["saved", "create"], "the new site was saved on top of the latest chart");
  assert(conflictMessage([{ kind: "sign" }]).includes("The session was not signed"), "a dropped signature says so");
};

tests["sync: a 409 for a session signed elsewhere drops every change, says signed"] = async () => {
  const signed = "This session is signed and can no longer be edited; corrections are made by amendment.";
  const chart = fakeChart(() => json(409, { error: signed }));
  const create = { kind: "create", request: () => ({ method: "POST", path: "/sites", body: { x: 1, y: 2 } }) };
  chart.queue.tasks.push(patch("units", 3, 4), create, patch("units", 5, 1));
  await chart.queue.pump();
  equal(chart.sent.length, 1, "nothing went again: the chart is closed");
  equal(chart.queue.tasks.length, 0, "nothing left waiting");
  const conflicted = chart.events.find((e) => e[0] === "conflicted");
  equal(conflicted[1], ["units", "create", "units"], "every change was dropped, the new site too");
  const text = conflictMessage(conflicted[1], { error: signed });
  assert(text.startsWith(signed), "the server's words say why");
  assert(!text.includes("Another device"), "no other device is blamed");
  assert(text.includes("3 of your changes were not applied"), "the message counts what was dropped");
  const refusedSign = conflictMessage([{ kind: "sign" }], { error: signed });
  equal(refusedSign, signed, "a refused signature does not ask to sign again");
};

tests["sync: a 409 for a change saved after all is not reported as lost"] = async () => {
  const chart = fakeChart(() => json(409, { error: "stale", state: { sites: [] } }));
  await chart.queue.enqueue({ ...patch("units", 3, 4), appliedAfterAll: true });
  equal(chart.events.map((e) => e[0]), ["conflict"], "no conflicted report");
  equal(chart.queue.tasks.length, 0, "nothing re-queued");
};

tests["sync: a refusal (400) is reported and not retried"] = async () => {
  const chart = fakeChart(() => json(400, { error: "Invalid", fields: { units: "must be at most 400" } }));
  await chart.queue.enqueue(patch("units", 3, 999));
  equal(chart.events, [["refused", "units", 400]], "refused once");
  equal(chart.sent.length, 1, "sent once");
};

// ---- undo ----------------------------------------------------------------------------

tests["undo: stepper presses close together undo as one, to the first dose"] = async () => {
  let now = 1000;
  const undo = createUndo({ clock: () => now });
  undo.push({ kind: "update", siteId: 3, before: { units: 2 }, label: "dose of site 1" });
  now += 1000;
  undo.push({ kind: "update", siteId: 3, before: { units: 2.25 }, label: "dose of site 1" });
  equal(undo.length, 1, "merged");
  equal(undo.top().before, { units: 2 }, "back to the dose before the first press");
  now += 10000;
  undo.push({ kind: "update", siteId: 3, before: { units: 2.5 }, label: "dose of site 1" });
  equal(undo.length, 2, "a later press is its own step");
};

tests["undo: saved history holds ids, points and doses only, never a name"] = async () => {
  const storage = memoryStorage();
  const undo = createUndo({ storage, sessionId: 7 });
  undo.push({ kind: "delete", site: { id: 4, number: 2, x: 10, y: 20, units: 2.5, muscle_name: "Orbicularis oculi", patient: "Agnes Lindqvist" }, label: "delete site 2" });
  undo.push({ kind: "batch", siteIds: [5, 6], label: "copy of last cycle" });
  undo.remap(4, 9);
  undo.save(12);
  const saved = storage.getItem("planner.chart.undo.7");
  assert(saved, "saved under the session id");
  assert(!saved.includes("Orbicularis") && !saved.includes("Agnes"), `no names in storage: ${saved}`);
  equal(JSON.parse(saved).stack[0].site, { id: 4, number: 2, x: 10, y: 20, units: 2.5 }, "the deleted site's id, number, point and dose");
  const again = createUndo({ storage, sessionId: 7 });
  assert(!again.restore(13), "another version of the chart brings nothing back");
  equal(storage.getItem("planner.chart.undo.7"), null, "and the stale history is removed");
};

tests["undo: history kept over a treatment-time change only, never over another change"] = async () => {
  const storage = memoryStorage();
  const saved = () => {
    const undo = createUndo({ storage, sessionId: 7 });
    undo.push({ kind: "update", siteId: 3, before: { units: 2.5 }, label: "dose of site 1" });
    undo.save(12);
  };
  saved();
  const after = createUndo({ storage, sessionId: 7 });
  assert(after.restore(13, { timeFrom: 12 }), "the time moved 12 to 13: the history comes back");
  equal(after.top().before, { units: 2.5 }, "the dose before the step, to undo to");
  equal(JSON.parse(storage.getItem("planner.chart.undo.7")).version, 13, "kept for 13 now, for a further reload");
  assert(createUndo({ storage, sessionId: 7 }).restore(13), "a further reload at 13 finds it");
  // Another device's change moved 12 to 13 (no time change said so): refused.
  saved();
  assert(!createUndo({ storage, sessionId: 7 }).restore(13), "no time change said: nothing back");
  equal(storage.getItem("planner.chart.undo.7"), null, "and the stale history is removed");
  // The time moved 13 to 14, but the history is of 12: a change came between.
  saved();
  assert(!createUndo({ storage, sessionId: 7 }).restore(14, { timeFrom: 13 }), "history older than the time change: nothing back");
};

tests["undo: before a reload, history is saved in sessionStorage"] = async () => {
  sessionStorage.clear();
  const undo = createUndo({ storage: sessionStorage, sessionId: 41 });
  undo.push({ kind: "create", siteId: 8, label: "add site 3" });
  undo.push({ kind: "update", siteId: 8, before: { x: 1.5, y: 2.5 }, label: "move of site 3" });
  undo.remap(2, 8);
  undo.save(6);
};

tests["undo: after a reload, the same chart version gets its history back"] = async () => {
  const undo = createUndo({ storage: sessionStorage, sessionId: 41 });
  assert(undo.restore(6), "restored after the reload");
  equal(undo.entries().map((e) => [e.kind, e.label]), [["create", "add site 3"], ["update", "move of site 3"]], "both steps, in order");
  equal(undo.resolve(2), 8, "recreated ids still resolve");
  equal(undo.pop().before, { x: 1.5, y: 2.5 }, "the move undoes to where the site was");
  equal(createUndo({ storage: sessionStorage, sessionId: 42 }).restore(6), false, "another session has none");
};

// ---- keypad ----------------------------------------------------------------------------

const RANGE = { min: 0.25, max: 400, unitName: "U" };

tests["keypad: doses are checked as the server checks them"] = async () => {
  equal(parseDose("2.5", RANGE), { units: 2.5 }, "2.5");
  equal(parseDose("12,5", RANGE), { units: 12.5 }, "a decimal comma");
  equal(parseDose("400", RANGE), { units: 400 }, "the top of the range");
  for (const bad of ["", "0.1", "400.5", "2.555", "abc", ".", "1.2.3", "-2"]) {
    const parsed = parseDose(bad, RANGE);
    assert(parsed.error && parsed.error.includes("Enter a dose from 0.25 to 400 U."), `${JSON.stringify(bad)} is refused with the range: ${JSON.stringify(parsed)}`);
  }
  const dysport = parseDose("600", { min: 0.25, max: 400, unitName: "U (Speywood)" });
  assert(dysport.error.includes("400 U (Speywood)"), "the product's unit is named");
};

// The chart state's figures (review rJ, RJ4): the range is the chart API's, the
// same for every product; the step is the product's own (a clinic setting).
const BOTOX = { min: 0.01, max: 400, step: 0.25, unitName: "U" };
const DYSPORT = { min: 0.01, max: 400, step: 1, unitName: "U (Speywood)" };

tests["keypad: each product's range is the server's, its steps its own"] = async () => {
  for (const product of [BOTOX, DYSPORT]) {
    const unit = product.unitName;
    equal(parseDose("0.01", product), { units: 0.01 }, `the server's smallest dose, ${unit}`);
    equal(parseDose("0.1", product), { units: 0.1 }, `a dose under one step, ${unit}`);
    equal(parseDose("400", product), { units: 400 }, `the server's largest dose, ${unit}`);
    for (const bad of ["0", "0.001", "400.01"]) {
      const parsed = parseDose(bad, product);
      assert(parsed.error && parsed.error.includes(`Enter a dose from 0.01 to 400 ${unit}.`), `${bad} ${unit} is refused: ${JSON.stringify(parsed)}`);
    }
    equal(stepDose(null, -1, product), null, `− on a dose to enter does nothing, ${unit}`);
    equal(stepDose(400, 1, product), null, `+ stops at the top, ${unit}`);
  }
  // + on a dose to enter starts at one step; + and − move by the product's step.
  equal([stepDose(null, 1, BOTOX), stepDose(4, 1, BOTOX), stepDose(4, -1, BOTOX)], [0.25, 4.25, 3.75], "Botox");
  equal([stepDose(null, 1, DYSPORT), stepDose(10, 1, DYSPORT), stepDose(10, -1, DYSPORT)], [1, 11, 9], "Dysport");
  // − stops at one step: nothing under it, and a typed dose under it stays.
  equal([stepDose(0.25, -1, BOTOX), stepDose(0.5, -1, BOTOX), stepDose(0.1, -1, BOTOX)], [null, 0.25, null], "Botox floor");
  equal([stepDose(1, -1, DYSPORT), stepDose(1.5, -1, DYSPORT), stepDose(0.5, -1, DYSPORT)], [null, 1, null], "Dysport floor");
  // 10 to 20 U (Speywood) in ten presses, not forty.
  let dose = 10;
  for (let press = 0; press < 10; press += 1) dose = stepDose(dose, 1, DYSPORT);
  equal(dose, 20, "ten presses of + from 10 U (Speywood)");
  const hint = startHint(2, DYSPORT.step, DYSPORT.unitName);
  assert(hint.includes("press + to start from 1 U (Speywood)") && hint.includes("clinic setting"), hint);
};

tests["keypad: placed clear of the row it edits, scrolling only as far as the page can"] = async () => {
  // A 1024 px portrait screen, a 672 px keypad centred (176 to 848), 8 px margins and gaps.
  const screen = { padTop: 176, pad: 672, view: 1024 };
  equal(placeKeypad({ top: 900, bottom: 1020 }, screen), null, "a row below the keypad stays put");
  equal(placeKeypad({ top: 20, bottom: 150 }, screen), null, "a row above it too");
  // Mid-screen, covered: the keypad to the edge needing the shorter scroll, the row just clear of it.
  equal(placeKeypad({ top: 445, bottom: 580 }, screen), { place: "top", scroll: -243 }, "covered mid-screen");
  equal(placeKeypad({ top: 600, bottom: 735 }, screen), { place: "top", scroll: -88 }, "covered low down");
  // The page cannot scroll up that far (the row is near its top): the keypad goes down.
  equal(placeKeypad({ top: 445, bottom: 580 }, { ...screen, up: 100 }), { place: "bottom", scroll: 244 }, "no room above");
  // Clear of the keypad but cut by the screen's foot: scrolled up into sight.
  equal(placeKeypad({ top: 900, bottom: 1030 }, screen), { place: "top", scroll: 6 }, "cut at the foot");
};

tests["review: a check in caution zones names each zone with its source"] = async () => {
  const message = "Site 3, frontalis (left), lies in a caution zone. Frontalis on the affected side: brow ptosis.";
  equal(checkNamed({ message }), "Site 3, frontalis (left), lies in a caution zone", "no zones: the first sentence");
  const zones = [
    { title: "Frontalis on the affected side", source: "Brow ptosis [S37b]" },
    { title: "Frontalis within 1.5 cm of the brow", source: "Brow ptosis [S37b]; the 1.5-2 cm distance UNSOURCED" },
  ];
  // The server words a site in two zones in the plural (dosing.zone_checks).
  const two = "Site 3, frontalis (left), lies in 2 caution zones. Frontalis on the affected side: brow ptosis. Frontalis within 1.5 cm of the brow: brow ptosis.";
  equal(
    checkNamed({ message: two, zones }),
    "Site 3, frontalis (left), lies in 2 caution zones: \u201cFrontalis on the affected side\u201d, source: Brow ptosis [S37b]" +
      " and \u201cFrontalis within 1.5 cm of the brow\u201d, source: Brow ptosis [S37b]; the 1.5-2 cm distance UNSOURCED",
    "each zone named with its source",
  );
};

/** How deep brackets, round or square, go in ``text``: 1 for "a (b) [c]", 2 for "(a (b))". */
function bracketDepth(text) {
  let depth = 0;
  let deepest = 0;
  for (const char of text) {
    if (char === "(" || char === "[") deepest = Math.max(deepest, ++depth);
    if (char === ")" || char === "]") depth -= 1;
  }
  return deepest;
}

tests["review: a zone's source keeps its own brackets and is never put in more"] = async () => {
  const message = "Site 2, orbicularis oculi (left), lies in a caution zone. Medial lower lid: diplopia.";
  const cases = [
    { title: "The eye (palpebral fissure)", source: "Anatomy (UNSOURCED in the clinical reference)" },
    { title: "Medial lower lid", source: "[S20] (the boundary at the mid-pupillary line UNSOURCED)" },
    {
      title: "Within 1 cm above the central brow",
      source: "Ptosis [S23] [S37b]; the 1 cm figure is label wording ([S22] [S23]) that the clinical reference does not quote: UNSOURCED here",
    },
  ];
  for (const zone of cases) {
    const named = checkNamed({ message, zones: [zone] });
    assert(named.endsWith(`\u201c${zone.title}\u201d, source: ${zone.source}`), `the source whole, after "source:": ${named}`);
    assert(named.includes("UNSOURCED"), `the UNSOURCED label shows: ${named}`);
  }
  const eye = checkNamed({ message, zones: [cases[0]] });
  assert(!eye.includes("(Anatomy ("), `no "(Anatomy (" in ${eye}`);
  equal(bracketDepth(eye), 1, "the zone's brackets sit side by side, never one in another");
  equal(bracketDepth(checkNamed({ message, zones: [cases[1]] })), 1, "[S20] and its note side by side");
};

tests["review: each check needing nothing is its own item, whatever \"; \" it holds"] = async () => {
  const zoned = {
    severity: "caution",
    message: "Site 3, frontalis (left), lies in a caution zone. Frontalis on the affected side: brow ptosis.",
    zones: [{ title: "Frontalis within 1.5 cm of the brow", source: "Brow ptosis [S37b]; the 1.5-2 cm distance UNSOURCED" }],
  };
  const exposure = {
    severity: "caution",
    message: "Botulinum toxin from 2 Dec 2025 to 2 Mar 2026: Botox 20 U today; Dysport 50 U on 5 Jan 2026. In all, by product: Botox 20 U; Dysport 50 U.",
  };
  const smile = { severity: "warning", message: "Zygomaticus major on the affected side: the smile may drop." };
  const root = document.createElement("div");
  document.getElementById("host").append(root);
  showOthersNamed(root, [zoned, exposure, smile]);
  equal(root.querySelector("p").textContent, "2 cautions and 1 warning to read (no reason needed):", "counted");
  const items = [...root.querySelectorAll("li")].map((item) => item.textContent);
  equal(items.length, 3, "one item per check");
  equal(items[0], checkNamed(zoned), "the zone's source keeps its \"; \" in its own item");
  assert(items[0].includes("[S37b]; the 1.5-2 cm"), `the source whole: ${items[0]}`);
  equal(items[1], "Botulinum toxin from 2 Dec 2025 to 2 Mar 2026: Botox 20 U today", "the exposure named");
  equal(items[2], "Zygomaticus major on the affected side: the smile may drop", "the warning named");
  showOthersNamed(root, []);
  equal(root.childElementCount, 0, "nothing to name: empty");
  root.remove();
};

tests["rows: a site's flag names its caution zone, or counts and names its zones"] = async () => {
  const lid = { title: "Central upper lid, over the levator", source: "[S20]" };
  const near = { title: "Frontalis within 1.5 cm of the brow", source: "Brow ptosis [S37b]; the 1.5-2 cm distance UNSOURCED" };
  const side = { title: "Frontalis on the affected side", source: "Brow ptosis [S37b]" };
  equal(zoneFlag([]), "", "no zone: no flag");
  equal(
    zoneFlag([{ severity: "warning", zones: [lid] }]),
    "Warning: in the caution zone \u201cCentral upper lid, over the levator\u201d; see the safety checks.",
    "one zone, named",
  );
  equal(
    zoneFlag([{ severity: "caution", zones: [near, side] }]),
    "Caution: in 2 caution zones, \u201cFrontalis within 1.5 cm of the brow\u201d and \u201cFrontalis on the affected side\u201d; see the safety checks.",
    "two zones, counted and each named",
  );
  equal(zoneFlag([{ severity: "caution" }]), "Caution: in a caution zone; see the safety checks.", "a record kept without its zones");
};

tests["keypad: keys build the number"] = async () => {
  let text = "";
  for (const key of ["0", "2", ".", "5", ".", "7"]) text = pressKey(text, key);
  equal(text, "2.57", "a leading zero is replaced and a second point ignored");
  equal(pressKey("2.57", "back"), "2.5", "backspace");
  equal(pressKey("", "."), "0.", "a point first reads 0.");
  equal(pressKey("123456", "7"), "123456", "at most six characters");
};

function newKeypad() {
  document.getElementById("dose-keypad")?.remove();
  const host = document.getElementById("host");
  return createKeypad({ doc: document, host });
}

tests["keypad: tapping keys and OK submits the dose"] = async () => {
  const keypad = newKeypad();
  const got = [];
  keypad.open({ title: "Dose of site 1", value: 2, ...RANGE, chips: [2, 2.5, 5], onSubmit: (u) => got.push(u) });
  const key = (k) => keypad.dialog.querySelector(`[data-key="${k}"]`).click();
  assert(keypad.dialog.open, "the keypad is open");
  equal(keypad.dialog.querySelector("output").textContent, "2 U", "it shows the current dose");
  for (const k of ["1", "2", ".", "5"]) key(k);
  equal(keypad.typed, "12.5", "the first key replaces the dose shown");
  key("back");
  key("7");
  keypad.dialog.querySelector(".keypad-ok").click();
  equal(got, [12.7], "submitted");
  assert(!keypad.dialog.open, "closed after OK");
};

tests["keypad: a chip submits at once; a bad dose shows an error and stays open"] = async () => {
  const keypad = newKeypad();
  const got = [];
  keypad.open({ title: "Dose", value: null, ...RANGE, chips: [2, 2.5, 5], onSubmit: (u) => got.push(u) });
  equal([...keypad.dialog.querySelectorAll(".keypad-chip")].map((c) => c.textContent), ["2", "2.5", "5"], "the product's chips");
  keypad.dialog.querySelector('[data-key="0"]').click();
  keypad.dialog.querySelector(".keypad-ok").click();
  assert(keypad.dialog.open, "still open");
  const error = keypad.dialog.querySelector(".keypad-error");
  assert(!error.hidden && error.textContent.includes("Enter a dose from 0.25 to 400 U."), `error shown: ${error.textContent}`);
  keypad.dialog.querySelector('.keypad-chip[data-units="2.5"]').click();
  equal(got, [2.5], "the chip's dose");
  assert(!keypad.dialog.open, "closed");
};

tests["keypad: cancel submits nothing and gives focus back"] = async () => {
  const keypad = newKeypad();
  const opener = document.getElementById("opener");
  opener.focus();
  const got = [];
  let cancelled = 0;
  keypad.open({ title: "Dose", value: 5, ...RANGE, onSubmit: (u) => got.push(u), onCancel: () => (cancelled += 1) });
  keypad.dialog.querySelector('[data-key="9"]').click();
  keypad.dialog.querySelector(".keypad-cancel").click();
  equal([got, cancelled], [[], 1], "nothing submitted");
  equal(document.activeElement, opener, "focus is back on the opener");
};

tests["keypad: open for the keyboard test"] = async () => {
  const keypad = newKeypad();
  window.keyboardResult = [];
  document.getElementById("opener").focus();
  keypad.open({ title: "Dose", value: 5, ...RANGE, chips: [2, 5], onSubmit: (u) => window.keyboardResult.push(u), onCancel: () => window.keyboardResult.push("cancel") });
};

tests["keyboard: arrow keys step the crosshair, Shift five steps, kept on the drawing"] = async () => {
  const box = { x: 0, y: 0, width: 400, height: 500 };
  const start = middle(box);
  equal(start, { x: 200, y: 250 }, "starts in the middle");
  equal(stepPoint(start, "ArrowRight", box), { x: 208, y: 250 }, "2 % of the width");
  equal(stepPoint(start, "ArrowUp", box, { big: true }), { x: 200, y: 210 }, "Shift: five steps");
  equal(stepPoint({ x: 3, y: 498 }, "ArrowLeft", box), { x: 0, y: 498 }, "clamped at the left edge");
  equal(stepPoint({ x: 3, y: 498 }, "ArrowDown", box), { x: 3, y: 500 }, "clamped at the bottom");
  equal(stepPoint(start, "Enter", box), null, "other keys do not move it");
  equal(spotText({ name: "Mentalis, left side" }), "Crosshair on Mentalis, left side.", "names the muscle and side");
  equal(spotText(null), "Crosshair not on a muscle.", "or says it is on none");
};

tests["prefill: the preview names each site, its dose or why not, and what is left out"] = async () => {
  const words = { unitName: "U", sideNames: { left: "Left", right: "Right" } };
  const text = previewText({
    sites: [
      { muscle: "mentalis", muscle_name: "Mentalis", side: "left", units: 2.5, unset_reason: null },
      { muscle: "platysma", muscle_name: "Platysma", side: "right", units: null, unset_reason: "Dose not carried over: last cycle was Dysport, units differ" },
    ],
    left_out: ["Left out depressor anguli oris, left: excised (myectomy)."],
    today: 3,
  }, { source: "Copy last cycle", ...words });
  equal(text.title, "Copy last cycle: 2 sites to place", "title");
  equal(text.sites, ["Mentalis, left, 2.5 U", "Platysma, right, dose to enter (Dose not carried over: last cycle was Dysport, units differ)"], "sites");
  equal(text.leftOut, ["Left out depressor anguli oris, left: excised (myectomy)."], "left out");
  assert(text.note.startsWith("Today's chart has 3 sites. Replace removes them first"), text.note);
  equal(previewText({ sites: [], left_out: [], today: 0 }, { source: "Template “A”", ...words }).note, "Today's chart has no sites yet.", "empty chart");
};

tests["undo: a replacing copy keeps the removed sites' points and doses to put back"] = async () => {
  const storage = new Map();
  const fake = { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v), removeItem: (k) => storage.delete(k) };
  const history = createUndo({ storage: fake, sessionId: 9 });
  history.push({ kind: "batch", siteIds: [5, 6], removed: [{ id: 2, number: 1, x: 10, y: 20, units: 3, muscle_name: "Mentalis" }], label: "copy of last cycle, replacing 1 site" });
  history.save(4);
  const again = createUndo({ storage: fake, sessionId: 9 });
  assert(again.restore(4), "restored");
  equal(again.top().removed, [{ id: 2, number: 1, x: 10, y: 20, units: 3 }], "ids, points and doses only");
};

tests["undo: a deleted site keeps the id of the vial it was drawn from, to put back"] = async () => {
  const storage = new Map();
  const fake = { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v), removeItem: (k) => storage.delete(k) };
  const history = createUndo({ storage: fake, sessionId: 11 });
  history.push({ kind: "delete", site: { id: 3, number: 1, x: 10, y: 20, units: 10, vial_lot_id: 21, lot_number: "DYS-ONE" }, label: "delete site 1" });
  history.push({ kind: "batch", siteIds: [7], removed: [{ id: 4, number: 2, x: 30, y: 40, units: 5, vial_lot_id: 22 }, { id: 5, number: 3, x: 50, y: 60, units: 2, vial_lot_id: null }], label: "copy of last cycle, replacing 2 sites" });
  history.save(8);
  const again = createUndo({ storage: fake, sessionId: 11 });
  assert(again.restore(8), "restored");
  equal(again.top().removed, [{ id: 4, number: 2, x: 30, y: 40, units: 5, vial_lot_id: 22 }, { id: 5, number: 3, x: 50, y: 60, units: 2 }], "each removed site's vial; none where it had none");
  again.pop();
  equal(again.top().site, { id: 3, number: 1, x: 10, y: 20, units: 10, vial_lot_id: 21 }, "the deleted site's vial id, never its lot number");
};

// Review rW2, V2-7: the keypad may cover the row, so it names the dose it replaces.
tests["keypad: names the dose it replaces; chips are a labelled group above the display"] = async () => {
  equal(nowText(2.5, "U"), "Now: 2.5 U. What you type replaces it.", "Botox");
  equal(nowText(15, "U (Speywood)"), "Now: 15 U (Speywood). What you type replaces it.", "Dysport");
  equal(nowText(null, "U (Speywood)"), "Now: no dose entered.", "no dose yet");
  const keypad = newKeypad();
  const source = "10 U (Speywood) is the label's dose per glabellar site ([S23]); the smaller chips are a clinic setting (UNSOURCED): ¼, ½ and ¾ of it.";
  keypad.open({ title: "Dose of site 2", value: 15, ...RANGE, unitName: "U (Speywood)", chips: [2.5, 5, 7.5, 10], chipSource: source, onSubmit: () => {} });
  equal(keypad.dialog.querySelector("#keypad-now").textContent, "Now: 15 U (Speywood). What you type replaces it.", "shown");
  equal([...keypad.dialog.querySelectorAll(".keypad-chip")].map((chip) => chip.textContent), ["2.5", "5", "7.5", "10"], "Dysport's chips");
  equal(keypad.dialog.querySelector("#keypad-common-source").textContent, source, "their source is said");
  const group = keypad.dialog.querySelector('[role="group"]');
  equal(document.getElementById(group.getAttribute("aria-labelledby")).textContent, "Common doses", "labelled");
  const order = [...keypad.dialog.children].map((node) => node.className);
  assert(order.indexOf("keypad-common") < order.indexOf("keypad-display"), `chips above the display: ${order}`);
  assert(order.indexOf("keypad-display") < order.indexOf("keypad-keys"), `display above the keys: ${order}`);
  keypad.close();
};

// Review rW2, V2-6: a site without a dose is named first, and signing is not ready.
tests["review: sites without a dose come first and signing is not ready"] = async () => {
  const botox = [{ id: 4, number: 1, units: 2 }, { id: 5, number: 2, units: null }];
  equal(missingDoses(botox), [{ id: 5, number: 2, text: "Site 2 has no dose: enter it before signing." }], "Botox: site 2");
  equal(notReady(missingDoses(botox)), "Not ready to sign: site 2 has no dose.", "why Sign waits");
  // Dysport: the dose shown ahead of the server counts (typed, not yet saved).
  const dysport = [{ id: 7, number: 1, units: null }, { id: 8, number: 2, units: null }, { id: 9, number: 3, units: 10 }];
  const shown = (site) => (site.id === 7 ? 20 : site.units);
  equal(missingDoses(dysport, shown).map((m) => m.number), [2], "Dysport: only site 2");
  equal(notReady(missingDoses(dysport)), "Not ready to sign: sites 1, 2 have no dose.", "two sites");
  equal(notReady([]), "", "ready");
  equal(checksCount(1, 0, 1), "1 safety check on this chart so far; none of them needs a reason or an override yet (the site without a dose is checked once its dose is entered, so more may appear).", "not called complete");
  equal(checksCount(1, 0, 0), "1 safety check on this chart; none of them needs a reason or an override.", "complete once every dose is in");
  equal(checksCount(0, 0, 2), "No safety check on this chart yet (the 2 sites without a dose are checked once their doses are entered, so more may appear).", "nothing yet");
};

// A refused field the sheet has no box for is named by the label the
// server's refusal gives it (warning_reasons.refusal_labels); the page keeps no
// copy of those words, and without a label names the field as sent.
tests["review: a refusal names a field by the server's label, else by its name"] = async () => {
  const labels = {
    "reasons.dose_above_range:mentalis:left:1": "Reason for site 1, Mentalis (left)",
    "overrides.toxin_allergy": "Override for a warning on the whole chart",
  };
  equal(
    fieldProblem("reasons.dose_above_range:mentalis:left:1", "needs a reason: Above the range.", labels),
    "Reason for site 1, Mentalis (left): needs a reason: Above the range.",
    "a refused reason with no box",
  );
  equal(fieldProblem("overrides.toxin_allergy", "is a hard stop.", labels), "Override for a warning on the whole chart: is a hard stop.", "an override");
  equal(fieldProblem("consent_obtained", "must be confirmed before signing", labels), "consent obtained must be confirmed before signing", "a field with no label");
  equal(fieldProblem("consent_obtained", "must be confirmed before signing"), "consent obtained must be confirmed before signing", "a refusal with no labels");
  equal(fieldProblem("toString", "is odd", labels), "toString is odd", "never a name inherited by the labels object");
  // The server names every field it refuses, consent and sites too.
  const named = { sites: "Injection sites", consent_obtained: "Consent obtained for this treatment" };
  equal(fieldProblem("sites", "chart at least one injection site before signing", named), "Injection sites: chart at least one injection site before signing", "sites, by its label");
  equal(fieldProblem("consent_obtained", "must be confirmed before signing", named), "Consent obtained for this treatment: must be confirmed before signing", "consent, by its label");
};

// A signature on a chart changed elsewhere is answered with the latest
// chart (409); the sheet says so, in the server's words, and that nothing was signed.
tests["review: a signature on a changed chart says so, and that nothing was signed"] = async () => {
  const error = "Another device changed this chart since you loaded it; showing the latest version.";
  const said = staleSignMessage({ error, state: {} });
  assert(said.startsWith(error), said);
  assert(said.includes("The session was not signed"), said);
  equal(staleSignMessage(null), staleSignMessage({ error }), "the same words without a body");
};

// The sheet's reason boxes are named by their warning, in words, as the
// panel names them (the server's panel_reason_label), never by a key.
const MUSCLES = [{ code: "mentalis", name: "Mentalis" }, { code: "orbicularis_oculi_pretarsal_upper", name: "Orbicularis oculi, pretarsal (upper)" }];

tests["review: a reason box copied to the sheet keeps its label in words, never its key"] = async () => {
  // The sheet's copy of a panel's box: its label, its accessible name, in words,
  // as the panel names it (templates/sessions/_chart_panels.html).
  const item = document.createElement("li");
  item.className = "warning-item severity-warning";
  item.innerHTML = '<div class="field reason"><label for="reason-1">Reason for site 2, Orbicularis oculi, pretarsal (upper) (left) <span class="required">(needed to sign)</span></label>'
    + '<input type="text" id="reason-1" data-reason-for="dose_above_range:orbicularis_oculi_pretarsal_upper:left:2"></div>';
  document.body.append(item);
  try {
    item.querySelector("input").value = "Discussed";
    const review = createReview({ state: { muscles: MUSCLES, sites: [] }, editable: true });
    const copy = item.cloneNode(true);
    const input = copy.querySelector("input");
    review.mirror(input, item);
    equal(input.id, "review-reason-1", "the copy's own id");
    equal(input.labels.length, 0, "not yet in the page: its label is in the copy");
    const label = copy.querySelector("label");
    equal(label.getAttribute("for"), "review-reason-1", "the label follows it");
    equal(label.textContent, "Reason for site 2, Orbicularis oculi, pretarsal (upper) (left) (needed to sign)", "named in words");
    assert(!label.textContent.includes("dose_above_range"), "no code in the name");
    equal(input.value, "Discussed", "the reason typed so far");
  } finally {
    item.remove();
  }
};

/** The chart's tasks over a fake chart holding ``sites`` in units of ``unitName``. */
function fakeTasks(sites, unitName) {
  const pushed = [];
  const c = {
    state: { sites },
    unitsOf: (site) => site.units,
    resolveId: (id) => id,
    optimistic: new Map(),
    undoHistory: { push: (entry) => pushed.push(entry) },
    describe: (site, units) => describeSite(site, units, { unitName, sideNames: { left: "Left", right: "Right", midline: "Midline" } }),
  };
  return { tasks: createTasks(c), pushed };
}

// The status after a deletion reads "Site N deleted: …", as the vial list and
// the record word a dose; brackets around Dysport's "U (Speywood)" read doubled.
tests["tasks: a deletion is worded 'Site N deleted: …', never in brackets"] = async () => {
  const cases = [
    ["U", { id: 4, number: 2, muscle_name: "Procerus", side: "midline", units: 4 }, "Site 2 deleted: Procerus, midline, 4 U."],
    ["U (Speywood)", { id: 5, number: 3, muscle_name: "Corrugator", side: "left", units: 10 }, "Site 3 deleted: Corrugator, left, 10 U (Speywood)."],
    ["U (Speywood)", { id: 6, number: 1, muscle_name: "Corrugator", side: "right", units: null }, "Site 1 deleted: Corrugator, right, dose not entered."],
  ];
  for (const [unitName, site, wanted] of cases) {
    const { tasks, pushed } = fakeTasks([site], unitName);
    const said = tasks.deleteTask(site.id).done();
    equal(said, wanted, `deleting in ${unitName}`);
    assert(!/\(|\)/.test(said.replace("(Speywood)", "")), `no brackets around the site: ${said}`);
    equal(pushed.map((e) => e.label), [`delete site ${site.number}`], "undo remembers it");
    const undone = fakeTasks([site], unitName).tasks.deleteTask(site.id, { undo: false, prefix: "Undone: " }).done();
    equal(undone, `Undone: ${wanted}`, "an undo's deletion is worded the same");
  }
};

exposeTests(tests);
