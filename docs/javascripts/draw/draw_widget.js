// The drawing pad and its results, shared by the site's in-page demo and the Flask app:
// a canvas to draw on (mouse, pen or finger: pointer events), Predict and Clear, the
// predicted digit, the ten probabilities as bars, and the 28 x 28 image the network sees.
// Where the prediction is made is the caller's: `predict(canvas)` resolves to
// {digit, probabilities: [10 numbers], image28: [28 rows of 28 numbers]} or throws an
// Error whose message is shown.

export const CANVAS_SIZE = 280;  // the Flask app accepts exactly this size
const LINE_WIDTH = 18;  // scaled to MNIST's 20-pixel box, about MNIST's stroke width

export function mountDrawWidget(root, predict) {
  root.classList.add("digit-draw");
  root.innerHTML = `
    <div class="digit-draw__input">
      <canvas class="digit-draw__pad" width="${CANVAS_SIZE}" height="${CANVAS_SIZE}"
              aria-label="Drawing pad: draw one digit, 0 to 9"></canvas>
      <div class="digit-draw__buttons">
        <button type="button" class="digit-draw__predict">Predict</button>
        <button type="button" class="digit-draw__clear">Clear</button>
      </div>
    </div>
    <div class="digit-draw__output">
      <p class="digit-draw__answer" aria-live="polite">Draw a digit, then press Predict.</p>
      <figure class="digit-draw__seen-figure">
        <canvas class="digit-draw__seen" width="28" height="28"
                aria-label="The 28 by 28 image the network sees"></canvas>
        <figcaption>What the network sees: 28 × 28</figcaption>
      </figure>
      <ol class="digit-draw__bars" start="0" aria-label="Probability of each digit">
        ${[...Array(10).keys()].map((digit) => `<li><span>${digit}</span>
          <span class="digit-draw__bar"></span><span class="digit-draw__value"></span></li>`).join("")}
      </ol>
    </div>`;
  const pad = root.querySelector(".digit-draw__pad");
  const ink = pad.getContext("2d", { willReadFrequently: true });
  const answer = root.querySelector(".digit-draw__answer");
  const predictButton = root.querySelector(".digit-draw__predict");

  let last = null;  // the previous point of the stroke being drawn
  const at = (event) => {
    const box = pad.getBoundingClientRect();  // the canvas may be shown smaller than 280 px
    return [(event.clientX - box.left) * CANVAS_SIZE / box.width,
            (event.clientY - box.top) * CANVAS_SIZE / box.height];
  };
  pad.addEventListener("pointerdown", (event) => {
    pad.setPointerCapture(event.pointerId);
    last = at(event);
    stroke(ink, last, last);  // a tap is a dot
  });
  pad.addEventListener("pointermove", (event) => {
    if (!last) return;
    const points = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const point of points.length ? points : [event]) {
      const next = at(point);
      stroke(ink, last, next);
      last = next;
    }
  });
  for (const type of ["pointerup", "pointercancel"]) pad.addEventListener(type, () => { last = null; });

  const clear = () => {
    ink.fillStyle = "#fff";  // paper: an opaque PNG, the same pixels here and on the server
    ink.fillRect(0, 0, CANVAS_SIZE, CANVAS_SIZE);
    show(root, null);
    answer.textContent = "Draw a digit, then press Predict.";
  };
  root.querySelector(".digit-draw__clear").addEventListener("click", clear);
  predictButton.addEventListener("click", async () => {
    predictButton.disabled = true;
    root.dataset.state = "busy";
    try {
      const result = await predict(pad);
      show(root, result);
      const sure = Math.round(100 * result.probabilities[result.digit]);
      answer.textContent = `It looks like a ${result.digit} (${sure} %).`;
      root.dataset.state = "done";
    } catch (error) {
      show(root, null);
      answer.textContent = error.message;
      root.dataset.state = "error";
    } finally {
      predictButton.disabled = false;
    }
  });
  clear();
  root.dataset.state = "ready";
  return { pad, clear };
}

function stroke(ink, [x0, y0], [x1, y1]) {
  ink.strokeStyle = "#000";
  ink.lineWidth = LINE_WIDTH;
  ink.lineCap = ink.lineJoin = "round";
  ink.beginPath();
  ink.moveTo(x0, y0);
  ink.lineTo(x1, y1);
  ink.stroke();
}

// Shows a result (or clears it, for null); keeps it on the element for tests and scripts.
function show(root, result) {
  root.lastResult = result;
  root.dataset.digit = result ? result.digit : "";
  const bars = root.querySelectorAll(".digit-draw__bars li");
  bars.forEach((bar, digit) => {
    const p = result ? result.probabilities[digit] : 0;
    bar.style.setProperty("--p", p);
    bar.classList.toggle("digit-draw__top", Boolean(result) && digit === result.digit);
    bar.querySelector(".digit-draw__value").textContent = result ? `${(100 * p).toFixed(1)} %` : "";
  });
  const seen = root.querySelector(".digit-draw__seen").getContext("2d");
  const pixels = seen.createImageData(28, 28);  // white ink on black, as MNIST stores digits
  (result ? result.image28.flat() : []).forEach((v, i) => {
    pixels.data.fill(Math.round(255 * v), 4 * i, 4 * i + 3);
  });
  for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
  seen.putImageData(pixels, 0, 0);
}
