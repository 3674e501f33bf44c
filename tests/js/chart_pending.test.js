/* Unit tests of the chart's tasks (review rJ), run in Chromium by
 * tests/e2e/test_chart_pending_js.py as tests/js/chart_modules.test.js is.
 *
 * RJ1: a second tap on a site still being saved adds nothing; that site is
 * selected once saved. RJ2: undo puts a site back exactly as it was, a site with
 * no dose with none (units null) and its reason, never the product's default.
 * The tasks get a fake chart and a real save queue over a fake server.
 */

import { pendingCreateNear } from "/static/js/chart/map.js";
import { patchState } from "/static/js/chart/state.js";
import { createQueue, createSender } from "/static/js/chart/sync.js";
import { createTasks } from "/static/js/chart/tasks.js";
import { createUndo } from "/static/js/chart/undo.js";
import { equal, exposeTests, json, memoryStorage, until } from "/tests/js/helpers.js";

const tests = {};

// Each product's unit name, and the reason a copy from the other one left a dose unset.
const PRODUCTS = {
  botox: { unitName: "U", reason: "Dose not carried over: last cycle was Dysport, units differ", dose: 4 },
  dysport: { unitName: "U (Speywood)", reason: "Dose not carried over: last cycle was Botox, units differ", dose: 10 },
};

/**
 * The tasks over a fake chart: a real queue and sender over a fake server that
 * answers each POST /sites once ``release()`` is called (a slow clinic Wi-Fi),
 * charting the site with what the request said (units null stays null).
 */
function fakeChart(product, sites = []) {
  const sent = [];
  const selected = [];
  const said = [];
  let waiting = [];
  let nextId = 1 + sites.reduce((most, s) => Math.max(most, s.id), 0);
  const chart = { state: { session: { version: 1 }, sites: sites.slice(), muscles: [] } };
  const fetch = async (url, init) => {
    const body = JSON.parse(init.body);
    sent.push({ method: init.method, path: url.replace("/api/v1/sessions/7", ""), body });
    await new Promise((resolve) => waiting.push(resolve));
    const id = nextId++;
    // A site put back keeps the number it sends, as the server keeps it while free.
    const number = body.number ?? Math.max(0, ...chart.state.sites.map((s) => s.number)) + 1;
    const units = "units" in body ? body.units : PRODUCTS[product].dose; // the tap default
    const site = { id, number, muscle: "corrugator", side: "left", role: "affected", x: body.x, y: body.y, units, unset_reason: units == null ? body.unset_reason || "Dose not entered" : null, version: 1 };
    return json(201, { version: body.version + 1, site });
  };
  const send = createSender({ fetch, api: "/api/v1/sessions/7", csrf: "t", version: () => chart.state.session.version });
  const queue = createQueue({
    send,
    backoff: [5],
    hooks: {
      saved(task, { body }) {
        const before = chart.state;
        chart.state = patchState(chart.state, body).next;
        const message = task.done ? task.done(before, chart.state) : null;
        if (message) said.push(message);
      },
      refused: (task, answer) => said.push(`refused ${answer.status}`),
    },
  });
  const undoHistory = createUndo();
  const c = {
    get state() { return chart.state; },
    queue,
    enqueue: (task) => queue.enqueue(task),
    mapBox: document.getElementById("chart-map"),
    undoHistory,
    resolveId: (id) => undoHistory.resolve(id),
    movingId: null,
    placedId: null,
    editable: true,
    unitName: () => PRODUCTS[product].unitName,
    describe: (site) => `${site.muscle}, ${site.units == null ? "dose not entered" : `${site.units} ${PRODUCTS[product].unitName}`}`,
    hint: (text) => said.push(text),
    announce: (text) => said.push(text),
    selectSite: (id, options) => selected.push([id, options]),
    optimistic: new Map(),
    renderRows() {},
    renderUndo() {},
  };
  const tasks = createTasks(c);
  return {
    tasks, queue, sent, selected, said, undoHistory, chart,
    release() {
      const now = waiting;
      waiting = [];
      for (const resolve of now) resolve();
    },
  };
}

tests["map: a point within reach of a site being saved finds that create"] = async () => {
  const tasks = [
    { kind: "units", siteId: 2 },
    { kind: "create", point: { x: 100, y: 200 } },
    { kind: "create", point: { x: 130, y: 200 } },
    { kind: "create" }, // a copy: no point
  ];
  equal(pendingCreateNear(tasks, { x: 103, y: 204 }, 6), tasks[1], "the one under the finger");
  equal(pendingCreateNear(tasks, { x: 120, y: 200 }, 12), tasks[2], "the nearer of two in reach");
  equal(pendingCreateNear(tasks, { x: 100, y: 207 }, 6), null, "out of reach: none");
  equal(pendingCreateNear([], { x: 100, y: 200 }, 6), null, "nothing waiting: none");
};

// One product: the modules under test never see it (only this fake does); each
// product's tap default and unset reason: tests/services/test_chart_unset_restore.py.
for (const product of ["dysport"]) {
  tests[`tasks: a second tap on a site being saved adds nothing and selects it (${product})`] = async () => {
    const chart = fakeChart(product);
    chart.tasks.placeAt({ x: 211, y: 397 }, { tapped: true });
    await until(() => chart.sent.length === 1, "the first tap sent");
    chart.tasks.placeAt({ x: 211.4, y: 396.8 }, { tapped: true }); // the re-tap, 250 ms later
    chart.tasks.placeAt({ x: 211, y: 397 }); // and Enter on the keyboard's crosshair
    equal(chart.queue.tasks.filter((t) => t.kind === "create").length, 1, "one create waiting");
    chart.release();
    await until(() => !chart.queue.busy, "the queue idle");
    equal(chart.sent.map((r) => [r.method, r.path]), [["POST", "/sites"]], "one site sent");
    equal(chart.chart.state.sites.length, 1, "one site charted");
    equal(chart.selected, [[1, { focusRow: true }]], "the site tapped again is selected once saved");
    equal(chart.said.filter((t) => t.startsWith("This site is still being saved")).length, 2, "each extra tap is told why nothing was added");
    equal(chart.said.at(-1), `Site 1 saved: corrugator, ${PRODUCTS[product].dose} ${PRODUCTS[product].unitName}`, "then the save is reported");
    // A tap elsewhere still adds a site.
    chart.tasks.placeAt({ x: 260, y: 397 }, { tapped: true });
    await until(() => chart.sent.length === 2, "the other tap sent");
    chart.release();
    await until(() => !chart.queue.busy, "the queue idle again");
    equal(chart.chart.state.sites.map((s) => s.number), [1, 2], "a second site where the tap was elsewhere");
  };

  tests[`undo: a deleted site with no dose comes back with none and its reason (${product})`] = async () => {
    const { reason, unitName } = PRODUCTS[product];
    const unset = { id: 3, number: 1, muscle: "corrugator", muscle_name: "Corrugator supercilii", side: "left", x: 180, y: 150, units: null, unset_reason: reason };
    const chart = fakeChart(product);
    // Through session storage and a reload, as the undo history keeps it.
    const fake = memoryStorage();
    const before = createUndo({ storage: fake, sessionId: 7 });
    before.push({ kind: "delete", site: unset, label: "delete site 1" });
    before.save(5);
    const after = createUndo({ storage: fake, sessionId: 7 });
    after.restore(5);
    equal(after.top().site, { id: 3, number: 1, x: 180, y: 150, units: null, unset_reason: reason }, "storage keeps the reason, no name");
    const [restore] = chart.tasks.inverse(after.pop());
    chart.queue.enqueue(restore);
    await until(() => chart.sent.length === 1, "the restore sent");
    equal(chart.sent[0].body, { x: 180, y: 150, units: null, unset_reason: reason, number: 1, version: 1 }, "units null: no dose, not the default");
    chart.release();
    await until(() => !chart.queue.busy, "the queue idle");
    const back = chart.chart.state.sites[0];
    equal([back.units, back.unset_reason], [null, reason], "back with no dose and its reason");
    equal(chart.said.at(-1), "Undone: site 1 is back: corrugator, dose not entered", `said in ${unitName}`);
  };

  tests[`undo: a replacing copy puts back each removed site as it was (${product})`] = async () => {
    const { reason, dose } = PRODUCTS[product];
    const removed = [
      { id: 1, number: 1, muscle_name: "Corrugator supercilii", x: 180, y: 150, units: null, unset_reason: reason },
      { id: 2, number: 2, muscle_name: "Mentalis", x: 211, y: 397, units: dose, unset_reason: null },
    ];
    const chart = fakeChart(product);
    chart.undoHistory.push({ kind: "batch", siteIds: [], removed, label: "copy of last cycle, replacing 2 sites" });
    for (const task of chart.tasks.inverse(chart.undoHistory.pop())) chart.queue.enqueue(task);
    await until(() => chart.sent.length === 1, "the first restore sent");
    chart.release();
    await until(() => chart.sent.length === 2, "the second restore sent");
    chart.release();
    await until(() => !chart.queue.busy, "the queue idle");
    equal(chart.sent.map((r) => r.body), [
      { x: 180, y: 150, units: null, unset_reason: reason, number: 1, version: 1 },
      { x: 211, y: 397, units: dose, number: 2, version: 2 },
    ], "the unset site with units null and its reason, the dosed one with its dose");
    equal(chart.chart.state.sites.map((s) => [s.units, s.unset_reason]), [[null, reason], [dose, null]], "both back as they were");
  };

  tests[`undo: a deleted site comes back under its own number while it is free (${product})`] = async () => {
    const { dose, unitName } = PRODUCTS[product];
    const site = (id, number, x) => ({ id, number, muscle: "corrugator", side: "left", role: "affected", x, y: 150, units: dose, unset_reason: null, version: 1 });
    // Sites 1 and 3 stand; site 2 was deleted: it comes back as site 2, not 4.
    const chart = fakeChart(product, [site(1, 1, 150), site(3, 3, 250)]);
    chart.undoHistory.push({ kind: "delete", site: site(2, 2, 200), label: "delete site 2" });
    chart.queue.enqueue(chart.tasks.inverse(chart.undoHistory.pop())[0]);
    await until(() => chart.sent.length === 1, "the restore sent");
    equal(chart.sent[0].body.number, 2, "its own number sent");
    chart.release();
    await until(() => !chart.queue.busy, "the queue idle");
    equal(chart.chart.state.sites.map((s) => s.number).sort(), [1, 2, 3], "no number skipped");
    equal(chart.said.at(-1), `Undone: site 2 is back: corrugator, ${dose} ${unitName}`, "said without a new number");
    // Its number taken since (another site holds 2): the next number, and said so.
    const taken = fakeChart(product, [site(1, 1, 150), site(5, 2, 200), site(3, 3, 250)]);
    taken.undoHistory.push({ kind: "delete", site: site(2, 2, 300), label: "delete site 2" });
    taken.queue.enqueue(taken.tasks.inverse(taken.undoHistory.pop())[0]);
    await until(() => taken.sent.length === 1, "the other restore sent");
    equal("number" in taken.sent[0].body, false, "a number another site holds is not sent");
    taken.release();
    await until(() => !taken.queue.busy, "that queue idle");
    equal(taken.said.at(-1), `Undone: site 2 is back as site 4: corrugator, ${dose} ${unitName}`, "said with its new number");
  };
}

tests["undo: ids the database gives again are followed once, never in a loop"] = async () => {
  const history = createUndo();
  history.remap(1, 3);
  equal(history.resolve(1), 3, "a site put back under a new id");
  history.taken(1); // a copy's new site took id 1 (SQLite reuses the highest)
  equal(history.resolve(1), 1, "id 1 now means the new site");
  history.remap(2, 2);
  equal(history.resolve(2), 2, "a site put back under its own id");
};

exposeTests(tests);
