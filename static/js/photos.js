// Photographs at the chair: the live camera on the capture page, and tap-to-mark
// with a magnifier on the marking page. Both pages work without this file: the
// capture form takes a file (the tablet's camera through `capture`, or a clinic
// camera's photo) and the marking form takes typed x and y values. This module
// only adds the faster way in; the server checks and stores everything.

// ---------------------------------------------------------------- the camera

export async function startCamera(root, media = navigator.mediaDevices) {
  const form = document.querySelector("form[data-upload]");
  if (!root || !form || !media?.getUserMedia) return null;
  let stream;
  try {
    stream = await media.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 4000 }, height: { ideal: 3000 } },
      audio: false,
    });
  } catch {
    return null; // no camera, or permission refused: the file input still works
  }
  const video = root.querySelector("video");
  const still = root.querySelector("canvas.still");
  const shoot = root.querySelector("[data-shoot]");
  const retake = root.querySelector("[data-retake]");
  const use = root.querySelector("[data-use]");
  const input = form.querySelector('input[type="file"]');
  video.srcObject = stream;
  root.hidden = false;
  await video.play().catch(() => {});

  const showing = (taken) => {
    still.hidden = !taken;
    video.hidden = taken;
    shoot.hidden = taken;
    retake.hidden = !taken;
    use.hidden = !taken;
  };
  shoot.addEventListener("click", () => {
    still.width = video.videoWidth;
    still.height = video.videoHeight;
    still.getContext("2d").drawImage(video, 0, 0);
    showing(true);
    use.focus();
  });
  retake.addEventListener("click", () => {
    showing(false);
    shoot.focus();
  });
  use.addEventListener("click", () => {
    still.toBlob(
      (blob) => {
        if (!blob) return;
        // Hand the still to the ordinary form, so it is checked and saved the same way.
        const files = new DataTransfer();
        files.items.add(new File([blob], "photo.jpg", { type: "image/jpeg" }));
        input.files = files.files;
        form.requestSubmit();
      },
      "image/jpeg",
      0.92,
    );
  });
  window.addEventListener("pagehide", () => stream.getTracks().forEach((t) => t.stop()));
  return stream;
}

// ---------------------------------------------------------------- the marks

const ZOOM = 3;
const LENS = 180;

export function photoPoint(rect, size, clientX, clientY) {
  // Display coordinates -> the photo's own pixels, kept on the photo.
  const clamp = (value, high) => Math.min(Math.max(value, 0), high);
  return [
    clamp(((clientX - rect.left) / rect.width) * size.width, size.width),
    clamp(((clientY - rect.top) / rect.height) * size.height, size.height),
  ];
}

export function startMarking(stage, form) {
  if (!stage || !form) return null;
  const size = { width: Number(stage.dataset.width), height: Number(stage.dataset.height) };
  const img = stage.querySelector("img");
  const lens = stage.querySelector("canvas.magnifier");
  const keys = [...form.querySelectorAll("[data-point]")].map((f) => f.dataset.point);
  const field = (key, axis) => form.elements[`${key}_${axis}`];
  const value = (key, axis) => {
    const text = field(key, axis).value.trim();
    return text === "" ? null : Number(text);
  };
  const placed = (key) => value(key, "x") !== null && value(key, "y") !== null;

  const draw = (key) => {
    const mark = stage.querySelector(`[data-mark="${key}"]`);
    const x = value(key, "x");
    const y = value(key, "y");
    // SVG elements ignore `hidden`: a class hides an unplaced mark.
    const unset = x === null || y === null || Number.isNaN(x) || Number.isNaN(y);
    mark.classList.toggle("unset", unset);
    if (!unset) mark.setAttribute("transform", `translate(${x} ${y})`);
  };

  let active = keys.find((key) => !placed(key)) || keys[0];
  const activate = (key) => {
    active = key;
    for (const button of form.querySelectorAll("[data-place]")) {
      const on = button.dataset.place === key;
      button.setAttribute("aria-pressed", String(on));
      button.closest("[data-point]").classList.toggle("active", on);
    }
    for (const mark of stage.querySelectorAll("[data-mark]")) {
      mark.classList.toggle("active", mark.dataset.mark === key);
    }
  };

  const place = (key, x, y) => {
    // Tenths of a pixel, without a trailing ".0".
    field(key, "x").value = String(Math.round(x * 10) / 10);
    field(key, "y").value = String(Math.round(y * 10) / 10);
    draw(key);
  };

  const magnify = (x, y, rect) => {
    const context = lens.getContext("2d");
    const perPixel = img.naturalWidth / size.width; // photo pixel -> image pixel
    const span = (LENS / ZOOM) * (img.naturalWidth / rect.width);
    context.fillStyle = "#000";
    context.fillRect(0, 0, LENS, LENS);
    context.drawImage(img, x * perPixel - span / 2, y * perPixel - span / 2, span, span, 0, 0, LENS, LENS);
    context.strokeStyle = "#ff3b7f";
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(LENS / 2, 0);
    context.lineTo(LENS / 2, LENS);
    context.moveTo(0, LENS / 2);
    context.lineTo(LENS, LENS / 2);
    context.stroke();
    // Above the finger, so the finger does not hide what it points at.
    const left = Math.min(Math.max((x / size.width) * rect.width - LENS / 2, 0), rect.width - LENS);
    const top = (y / size.height) * rect.height - LENS - 40;
    lens.style.transform = `translate(${left}px, ${top < 0 ? (y / size.height) * rect.height + 40 : top}px)`;
    lens.hidden = false;
  };

  let dragging = false;
  const at = (event) => {
    const rect = img.getBoundingClientRect();
    const [x, y] = photoPoint(rect, size, event.clientX, event.clientY);
    place(active, x, y);
    magnify(x, y, rect);
  };
  stage.addEventListener("pointerdown", (event) => {
    dragging = true;
    stage.setPointerCapture(event.pointerId);
    at(event);
    event.preventDefault();
  });
  stage.addEventListener("pointermove", (event) => {
    if (dragging) at(event);
  });
  const release = () => {
    if (!dragging) return;
    dragging = false;
    lens.hidden = true;
    // On to the next point still to place, so a clinician can tap them in turn.
    const next = keys.slice(keys.indexOf(active) + 1).find((key) => !placed(key));
    if (next) activate(next);
  };
  stage.addEventListener("pointerup", release);
  stage.addEventListener("pointercancel", release);

  const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  stage.addEventListener("keydown", (event) => {
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    const by = event.shiftKey ? 10 : 1;
    const x = placed(active) ? value(active, "x") : size.width / 2;
    const y = placed(active) ? value(active, "y") : size.height / 2;
    const nx = Math.min(Math.max(x + step[0] * by, 0), size.width);
    const ny = Math.min(Math.max(y + step[1] * by, 0), size.height);
    place(active, nx, ny);
    magnify(nx, ny, img.getBoundingClientRect());
  });
  stage.addEventListener("blur", () => {
    lens.hidden = true;
  });

  for (const button of form.querySelectorAll("[data-place]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      activate(button.dataset.place);
      stage.focus();
    });
  }
  for (const button of form.querySelectorAll("[data-clear]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      field(button.dataset.clear, "x").value = "";
      field(button.dataset.clear, "y").value = "";
      draw(button.dataset.clear);
    });
  }
  for (const key of keys) {
    for (const axis of ["x", "y"]) field(key, axis).addEventListener("input", () => draw(key));
  }
  for (const hint of document.querySelectorAll("[data-js-hint]")) hint.hidden = false;
  activate(active);
  return { activate, place, get active() { return active; } };
}

startCamera(document.querySelector("[data-camera]"));
startMarking(document.querySelector("[data-stage]"), document.querySelector("form[data-marks]"));
