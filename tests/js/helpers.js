/* What the chart's module test pages share (tests/js/*.test.js): assertions, waiting,
 * fake answers and storage, and the runner the Python side drives.
 *
 * Each page collects its tests as named async functions and hands them to
 * ``exposeTests``: the page then answers ``window.testNames`` and
 * ``window.runTest(name)``, which resolves to "ok" or the failure's message, and
 * sets ``window.testsReady`` (tests/e2e/test_chart_modules_js.py).
 */

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function equal(actual, wanted, message) {
  const a = JSON.stringify(actual);
  const w = JSON.stringify(wanted);
  if (a !== w) throw new Error(`${message}: got ${a}, wanted ${w}`);
}

export async function until(check, what, ms = 3000) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A fake server's JSON answer. */
export const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** Session storage in memory, its items open to the test. */
export function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
  };
}

/** Let the Python side list and run the page's tests. */
export function exposeTests(tests) {
  window.testNames = Object.keys(tests);
  window.runTest = async (name) => {
    if (!tests[name]) return `no test named ${name}`;
    try {
      await tests[name]();
      return "ok";
    } catch (error) {
      return `${error.message}\n${error.stack || ""}`;
    }
  };
  window.testsReady = true;
}
