/* The error explorer under a confusion matrix (the error_explorer() directive in
   hooks/site_content.py): choosing a cell draws the test digits the chapter kept for it.
   Each image is 28 x 28 greys 0-7, zlib-compressed and base64-encoded by the chapter's
   script; a grey g is drawn as ink of opacity round(g * 255 / 7) in the palette's text
   colour, so the digits follow the light and dark palettes. No network: the data is in
   the page. */
(function () {
  "use strict";

  const SIDE = 28;
  const GREYS = 7;

  async function inflate(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream()
      .pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  function inkColour(element) {
    const rgb = getComputedStyle(element).color.match(/[\d.]+/g).map(Number);
    return rgb.slice(0, 3);
  }

  function draw(canvas, greys, ink) {
    const context = canvas.getContext("2d");
    const image = context.createImageData(SIDE, SIDE);
    greys.forEach((grey, i) => {
      image.data.set([ink[0], ink[1], ink[2], Math.round(grey * 255 / GREYS)], 4 * i);
    });
    context.putImageData(image, 0, 0);
  }

  function plural(count) {
    return `${count.toLocaleString("en")} test image${count === 1 ? "" : "s"}`;
  }

  function setUp(root) {
    const data = JSON.parse(root.querySelector(".error-explorer__data").textContent);
    const heading = root.querySelector(".error-explorer__heading");
    const note = root.querySelector(".error-explorer__note");
    const digits = root.querySelector(".error-explorer__digits");
    const buttons = [...root.querySelectorAll(".error-explorer__cell")];
    let shown = null;  // the cell on display
    let drawing = 0;   // a later choice makes an earlier, unfinished drawing stop

    async function show(cell) {
      const run = ++drawing;
      shown = cell;
      const greys = await Promise.all(cell.images.map(inflate));
      if (run !== drawing) return;
      // heading, note and digits change together: never one cell's title on another's
      const kept = cell.images.length;
      heading.textContent = `True ${cell.true}, read as ${cell.predicted}: ` +
        plural(cell.count);
      note.textContent = cell.count === 0 ? "No test image falls in this cell." :
        kept < cell.count ? `The first ${kept}, in test order.` :
        "All of them.";
      const ink = inkColour(digits);
      digits.replaceChildren(...greys.map((g, k) => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = SIDE;
        canvas.className = "error-explorer__digit";
        canvas.setAttribute("role", "img");
        const label = `test image ${cell.indices[k]}, a ${cell.true} read as ` +
          `${cell.predicted}`;
        canvas.setAttribute("aria-label", label);
        canvas.title = label;
        draw(canvas, g, ink);
        return canvas;
      }));
    }

    buttons.forEach((button) => {
      button.addEventListener("click", () => {
        buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
        const t = Number(button.dataset.true);
        const p = Number(button.dataset.predicted);
        show(data.cells.find((c) => c.true === t && c.predicted === p));
      });
    });

    // The palette toggle changes the text colour: redraw in the new ink.
    new MutationObserver(() => shown && show(shown)).observe(document.body, {
      attributes: true, attributeFilter: ["data-md-color-scheme"],
    });
  }

  function start() {
    document.querySelectorAll(".error-explorer:not([data-ready])").forEach((root) => {
      root.dataset.ready = "";
      setUp(root);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
