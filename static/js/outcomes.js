// Live score and sliders for the outcome forms. The form works without this file;
// it only adds a running score (computed by the server's own scoring) and, for
// each numeric item, a slider kept in step with the number the form submits.
(() => {
  "use strict";
  const form = document.querySelector("form.assessment-form[data-preview]");
  if (!form) return;
  const live = document.getElementById("live-score");
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";

  for (const number of form.querySelectorAll('input[type="number"][min][max]')) {
    const slider = document.createElement("input");
    slider.type = "range";
    slider.min = number.min;
    slider.max = number.max;
    slider.step = "1";
    slider.value = number.value || String((Number(number.min) + Number(number.max)) / 2);
    slider.className = "item-range";
    // The number input is the named, submitted field; the slider is a second way in.
    slider.setAttribute("aria-label", `${number.labels[0]?.textContent || "Value"} (slider)`);
    slider.addEventListener("input", () => {
      number.value = slider.value;
      number.dispatchEvent(new Event("input", { bubbles: true }));
    });
    number.addEventListener("input", () => {
      if (number.value !== "") slider.value = number.value;
    });
    number.insertAdjacentElement("beforebegin", slider);
  }

  let timer = null;
  let latest = 0;
  async function preview() {
    const ticket = ++latest;
    const items = {};
    for (const [key, value] of new FormData(form).entries()) {
      if (!["csrf_token", "instrument", "timepoint"].includes(key)) items[key] = value;
    }
    try {
      const response = await fetch(form.dataset.preview, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        credentials: "same-origin",
        body: JSON.stringify({ items }),
      });
      const body = await response.json();
      if (ticket !== latest) return;
      live.hidden = false;
      if (!response.ok) {
        live.textContent = "Check the highlighted answers to see the score.";
      } else if (!body.complete) {
        const left = body.missing.length;
        live.textContent = `Score: answer ${left} more item${left === 1 ? "" : "s"} to see it.`;
      } else if (body.total === null) {
        live.textContent = "Score: not enough scorable answers.";
      } else {
        live.textContent = `Score so far: ${Math.round(body.total * 10) / 10}`;
      }
    } catch {
      // Offline or the server is busy: the form still saves normally.
    }
  }
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(preview, 200);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(preview, 200);
  });
})();
