// Turn a drawing into the 28 x 28 input a network trained on MNIST expects: crop to the ink,
// scale the longer side to 20 pixels by area averaging, centre by mass in 28 x 28.
// The same code as snippets/mnist_like.py, which explains the steps. Both add the same
// numbers in the same order, so both give the same image to the last bit: keep them in step.

const FIELD = 28;
const BOX = 20;
const CENTRE = 14;
const MAX_SIDE = 4096;

export class DrawingError extends Error {
  constructor(message) { super(message); this.name = "DrawingError"; }
}

export class EmptyDrawingError extends DrawingError {
  constructor(message) { super(message); this.name = "EmptyDrawingError"; }
}

// Ink in [0, 1] of RGBA bytes (a canvas's ImageData.data), with Pillow's luma for grey and
// a transparent pixel counted as paper.
export function inkFromRgba(rgba, width, height) {
  if (rgba.length !== width * height * 4) {
    throw new DrawingError(`expected ${width} x ${height} RGBA pixels, got ${rgba.length} bytes`);
  }
  const ink = new Float64Array(width * height);
  for (let i = 0; i < ink.length; i++) {
    const [r, g, b, a] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]];
    const grey = Math.floor((19595 * r + 38470 * g + 7471 * b + 32768) / 65536);
    ink[i] = ((255 - grey) * a) / 65025;
  }
  return ink;
}

// The 28 x 28 image (a Float32Array, row by row) of ink in [0, 1] given row by row.
export function toMnistLike(ink, width, height) {
  check(ink, width, height);
  let [top, bottom, left, right] = [height, -1, width, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > 0) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) throw new EmptyDrawingError("the drawing is empty: it has no ink");
  const [cropH, cropW] = [bottom - top + 1, right - left + 1];
  const scale = BOX / Math.max(cropH, cropW);
  const newH = Math.max(1, roundHalfUp(cropH * scale));
  const newW = Math.max(1, roundHalfUp(cropW * scale));

  // Rows first, then columns, adding old pixels in order, as the Python version does.
  const rowWeights = areaWeights(newH, cropH);
  const tall = new Float64Array(newH * cropW);  // newH x cropW
  for (let i = 0; i < newH; i++) {
    for (const [j, weight] of rowWeights[i]) {
      for (let x = 0; x < cropW; x++) {
        tall[i * cropW + x] += weight * ink[(top + j) * width + left + x];
      }
    }
  }
  const colWeights = areaWeights(newW, cropW);
  const small = new Float64Array(newH * newW);
  for (let i = 0; i < newH; i++) {
    for (let k = 0; k < newW; k++) {
      let sum = 0;
      for (const [j, weight] of colWeights[k]) sum += weight * tall[i * cropW + j];
      small[i * newW + k] = Math.min(sum, 1);
    }
  }

  let [mass, sumY, sumX] = [0, 0, 0];
  for (let y = 0; y < newH; y++) {
    for (let x = 0; x < newW; x++) {
      const v = small[y * newW + x];
      mass += v; sumY += y * v; sumX += x * v;
    }
  }
  const first = place(CENTRE - sumY / mass, newH);
  const firstX = place(CENTRE - sumX / mass, newW);
  const image = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < newH; y++) {
    for (let x = 0; x < newW; x++) image[(first + y) * FIELD + firstX + x] = small[y * newW + x];
  }
  return image;
}

function check(ink, width, height) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || Math.min(width, height) < 1
      || Math.max(width, height) > MAX_SIDE) {
    throw new DrawingError(`expected each side between 1 and ${MAX_SIDE} pixels, got ${width} x ${height}`);
  }
  if (ink.length !== width * height) {
    throw new DrawingError(`expected ${width} x ${height} = ${width * height} values, got ${ink.length}`);
  }
  for (const v of ink) {
    if (!(v >= 0 && v <= 1)) throw new DrawingError(`ink must be in [0, 1], got ${v}`);
  }
}

function roundHalfUp(x) { return Math.floor(x + 0.5); }

// The first row (or column) of the digit: centred by mass, but never cut off.
function place(offset, size) { return Math.min(Math.max(roundHalfUp(offset), 0), FIELD - size); }

// For each new pixel, [old pixel, its share]: overlap / new pixel's width.
function areaWeights(newSize, size) {
  const step = size / newSize;
  const weights = [];
  for (let i = 0; i < newSize; i++) {
    const [start, end] = [(i * size) / newSize, ((i + 1) * size) / newSize];
    const row = [];
    for (let j = Math.floor(start); j < Math.min(Math.ceil(end), size); j++) {
      row.push([j, (Math.min(end, j + 1) - Math.max(start, j)) / step]);
    }
    weights.push(row);
  }
  return weights;
}
