/* Warn before the idle logout, and let the user stay signed in (WCAG 2.2.1).
 *
 * The server ends a login after a quiet spell (IDLE_TIMEOUT_MINUTES). Before it
 * warns, the page asks how long is left (GET, which the server does not count as
 * activity): another tab, or the chart saving, may have kept the login alive.
 * "Stay signed in" (or Escape) posts to the server, which starts the spell again.
 * When the time is up the page reloads, and the server shows the login page
 * saying why. Everything it touches is passed in, so a test can hand it fakes.
 */

/** Say a time left in words: "1 minute 5 seconds", "40 seconds". */
export function timeLeftWords(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (seconds || !minutes) parts.push(`${seconds} second${seconds === 1 ? "" : "s"}`);
  return parts.join(" ");
}

export function watchIdle({
  dialog,
  fetch,
  csrf,
  now = () => Date.now(),
  setTimer = (fn, ms) => setTimeout(fn, ms),
  clearTimer = (id) => clearTimeout(id),
  reload,
  logOut,
}) {
  const warnMs = Number(dialog.dataset.warn) * 1000;
  const countdown = dialog.querySelector("[data-countdown]");
  let timer = null;
  let ticker = null;
  // Until the server says otherwise: the page's own estimate.
  let deadline = now() + (Number(dialog.dataset.firstCheck) * 1000 + warnMs);

  function schedule(ms, fn) {
    clearTimer(timer);
    timer = setTimer(fn, Math.max(0, ms));
  }

  function tick() {
    countdown.textContent = timeLeftWords(deadline - now());
  }

  function show() {
    tick();
    clearTimer(ticker);
    const every = () => {
      tick();
      ticker = setTimer(every, 1000);
    };
    ticker = setTimer(every, 1000);
    if (!dialog.open) dialog.showModal();
  }

  function hide() {
    clearTimer(ticker);
    if (dialog.open) dialog.close();
  }

  async function secondsLeft(request) {
    try {
      const response = await request();
      if (response.status === 401 || response.status === 403) return 0;
      if (!response.ok) return null;
      const body = await response.json();
      return Number(body.seconds_left);
    } catch {
      return null; // offline: keep to the last estimate
    }
  }

  async function check() {
    const left = await secondsLeft(() =>
      fetch(dialog.dataset.timeLeft, { headers: { Accept: "application/json" }, credentials: "same-origin" }),
    );
    const ms = left === null ? deadline - now() : left * 1000;
    if (ms <= 0) {
      hide();
      reload();
      return;
    }
    deadline = now() + ms;
    if (ms > warnMs) {
      hide();
      schedule(ms - warnMs, check);
      return;
    }
    show();
    schedule(ms, check);
  }

  async function stay() {
    const left = await secondsLeft(() =>
      fetch(dialog.dataset.extend, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
      }),
    );
    if (left === 0) {
      reload();
      return;
    }
    if (left !== null) deadline = now() + left * 1000;
    hide();
    schedule(deadline - now() - warnMs, check);
  }

  dialog.querySelector("[data-stay]").addEventListener("click", stay);
  dialog.querySelector("[data-log-out]").addEventListener("click", () => logOut());
  // Escape is someone at the screen: keep them signed in rather than just hide it.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });
  schedule(Number(dialog.dataset.firstCheck) * 1000, check);
  return { check, stay };
}

const found = document.getElementById("idle-warning");
if (found) {
  watchIdle({
    dialog: found,
    fetch: (...args) => window.fetch(...args),
    csrf: document.querySelector('meta[name="csrf-token"]')?.content || "",
    reload: () => window.location.reload(),
    logOut: () => document.querySelector("form.logout")?.requestSubmit(),
  });
}
