/* The save queue: every change goes to the server at once, one request at a time.
 *
 * Each request carries the session version the previous one left. A request that
 * cannot reach the server (offline, 5xx, logged out) stays at the head of the queue
 * and is retried with back-off, so no tap is ever dropped silently. A 409 means
 * another device wrote first: new sites go again on top of the latest chart, other
 * changes are dropped and reported; a 409 with no chart in it (the session was
 * signed elsewhere) drops every change. Everything it touches is passed in (fetch, the
 * timers, the hooks), so a test can hand it fakes.
 */

export const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
export const MAX_CONFLICT_RETRIES = 2;

/** A function sending one request to the chart's API and reading its JSON answer. */
export function createSender({ fetch, api, csrf, version }) {
  return async function send(request) {
    const init = {
      method: request.method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    };
    if (request.method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ ...(request.body || {}), version: version() });
    }
    const response = await fetch(api + request.path, init);
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    return { status: response.status, body };
  };
}

/** Whether a 409 closed the chart rather than outdated it: a session signed (or a
 * draft discarded) since it was loaded is refused with no chart to show, as there
 * is nothing to redo on top of it (planner.errors.SignedSession). */
export function closedBy(body) {
  return Boolean(body) && !body.state;
}

/** The words for a conflict, naming what was not applied: the server's own
 * reason when the chart was closed ("This session is signed…"). */
export function conflictMessage(dropped, body = null) {
  const closed = closedBy(body);
  let text = closed ? body.error || "This chart can no longer be edited." : "Another device changed this chart; showing the latest.";
  if (closed) {
    const edits = dropped.filter((t) => t.kind !== "sign");
    if (edits.length) text += ` ${edits.length === 1 ? "Your last change was" : `${edits.length} of your changes were`} not applied.`;
  } else if (dropped.some((t) => t.kind === "sign")) {
    text += " The session was not signed: check the chart, then sign again.";
  } else if (dropped.length) {
    const what = dropped.length === 1 ? "Your last change was" : `${dropped.length} of your changes were`;
    text += ` ${what} not applied: check and redo.`;
  }
  return text;
}

/** The words for changes kept while the server cannot be reached. */
export function notSavedMessage(answer, waiting) {
  const what = waiting === 1 ? "1 change" : `${waiting} changes`;
  if (answer && answer.status === 401) {
    return `Not saved yet: you are logged out. Log in again in another tab; ${what} will then be saved.`;
  }
  return waiting ? `Not saved yet — retrying (${what} waiting).` : "";
}

/**
 * Create the queue. ``hooks``:
 * - ``saved(task, answer)`` (may be async) for a 2xx answer;
 * - ``conflict(task, body)`` for a 409: returns true when the change was applied
 *   after all (its answer lost on the way), else the queue re-queues what may go
 *   again (nothing on a closed chart, see ``closedBy``) and calls
 *   ``conflicted(task, body, dropped)``;
 * - ``refused(task, answer)`` for any other 4xx (unless ``task.failed`` took it);
 * - ``offline(answer, waiting)`` when a request could not be saved and will be retried;
 * - ``changed()`` after the queue changed; ``idle()`` when it has emptied.
 */
export function createQueue({ send, hooks, timers = globalThis, backoff = BACKOFF_MS }) {
  const tasks = []; // waiting to be sent, the head one possibly in flight
  let inFlight = null;
  let pumping = false;
  let failures = 0;
  let wake = null; // resolves the retry wait early (back online, "Retry now")
  const call = (name, ...args) => (hooks[name] ? hooks[name](...args) : undefined);

  function waitToRetry() {
    const delay = backoff[Math.min(failures - 1, backoff.length - 1)];
    return new Promise((resolve) => {
      const timer = timers.setTimeout(resolve, delay);
      wake = () => {
        timers.clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = null;
    });
  }

  /** Put back what may go again after a conflict; return what is dropped. On a
   * closed chart (signed elsewhere) nothing goes again but the refresh. */
  function requeueAfterConflict(task, body) {
    const dropped = [];
    const closed = closedBy(body);
    for (const waiting of [task, ...tasks.splice(0)]) {
      const keep =
        waiting.kind === "refresh" ||
        (!closed && waiting.kind === "create" && (waiting.conflicts = (waiting.conflicts || 0) + 1) <= MAX_CONFLICT_RETRIES);
      if (keep) tasks.push(waiting);
      else if (waiting.kind !== "undo") dropped.push(waiting);
    }
    return dropped;
  }

  async function answerFor(task, answer) {
    const { status, body } = answer;
    if (status >= 200 && status < 300) {
      await call("saved", task, answer);
    } else if (task.failed && task.failed(status, body)) {
      // The task showed its own error (the sign form's fields).
    } else if (status === 409) {
      if (!call("conflict", task, body)) call("conflicted", task, body, requeueAfterConflict(task, body));
    } else {
      call("refused", task, answer);
    }
  }

  async function pump() {
    if (pumping) return;
    pumping = true;
    try {
      while (tasks.length) {
        const task = tasks[0];
        if (task.expand) {
          tasks.splice(0, 1, ...task.expand());
          call("changed");
          continue;
        }
        const request = task.request();
        if (!request) {
          tasks.shift();
          task.skipped?.();
          call("changed");
          continue;
        }
        inFlight = task;
        call("sending", task);
        let answer = null;
        try {
          answer = await send(request);
        } catch {
          answer = null; // offline, or the server did not answer
        }
        inFlight = null;
        if (answer === null || answer.status >= 500 || answer.status === 401) {
          failures += 1;
          call("offline", answer, tasks.filter((t) => t.kind !== "refresh").length);
          await waitToRetry();
          continue;
        }
        failures = 0;
        tasks.shift();
        await answerFor(task, answer);
        call("changed");
      }
    } finally {
      pumping = false;
      inFlight = null;
      call("idle");
    }
  }

  const queue = {
    tasks,
    get inFlight() {
      return inFlight;
    },
    get failures() {
      return failures;
    },
    get busy() {
      return pumping;
    },
    enqueue(task) {
      // A pending refresh stays last: it should see every change before it.
      const tail = tasks[tasks.length - 1];
      if (tail && tail.kind === "refresh" && tail !== inFlight) tasks.splice(tasks.length - 1, 0, task);
      else tasks.push(task);
      call("changed");
      return pump();
    },
    requestRefresh() {
      if (tasks.some((t) => t.kind === "refresh" && t !== inFlight)) return;
      tasks.push({ kind: "refresh", request: () => ({ method: "GET", path: "" }) });
    },
    /** Retry now (back online). */
    wake() {
      wake?.();
    },
    pump,
    some: (predicate) => tasks.some(predicate),
    find: (predicate) => tasks.find(predicate),
    count: (predicate) => tasks.filter(predicate).length,
  };
  return queue;
}
