// The CNN chapter's network in plain JavaScript: the same layers as snippets/digit_net.py,
// which describes the two files (the layers in .json, the float32 weights in .bin).
// A few loops over Float32Arrays: for a network this small, lighter than any runtime.

export class ModelFileError extends Error {
  constructor(message) { super(message); this.name = "ModelFileError"; }
}

export class DigitNet {
  constructor(inputShape, layers) {
    this.inputShape = inputShape;  // [height, width, channels]
    this.layers = layers;  // as in the .json, with Float32Arrays in place of offsets
  }

  // Fetch the .json and the .bin it names (a file beside it) and check they fit together.
  static async load(jsonUrl) {
    const spec = await (await fetchOk(jsonUrl)).json();
    if (typeof spec.weights !== "string" || /[\/\\]/.test(spec.weights) || spec.dtype !== "float32") {
      throw new ModelFileError(`${jsonUrl}: 'weights' must name a float32 file beside it`);
    }
    const binUrl = new URL(spec.weights, new URL(jsonUrl, location.href));
    const bytes = await (await fetchOk(binUrl)).arrayBuffer();
    if (bytes.byteLength % 4) throw new ModelFileError(`${binUrl}: not a whole number of float32`);
    const view = new DataView(bytes);
    const weights = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < weights.length; i++) weights[i] = view.getFloat32(4 * i, true);

    let shape = spec.input;
    if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== 1) {
      throw new ModelFileError(`${jsonUrl}: 'input' must be [height, width, 1]`);
    }
    if (!Array.isArray(spec.layers)) throw new ModelFileError(`${jsonUrl}: 'layers' must be a list`);
    const layers = [];
    let used = 0;
    for (const [number, raw] of spec.layers.entries()) {
      const layer = { ...raw };
      const where = `${jsonUrl}: layer ${number + 1} (${layer.op})`;
      if (!(layer.op in OPS) || !((layer.activation || "linear") in ACTIVATIONS)) {
        throw new ModelFileError(`${where}: unknown op or activation ${layer.activation}`);
      }
      for (const key of ["kernel", "bias"]) {
        if (!layer[key]) continue;
        const { offset, shape: dims } = layer[key];
        if (!Array.isArray(dims) || !dims.every((n) => Number.isInteger(n) && n > 0)) {
          throw new ModelFileError(`${where}: '${key}' needs a shape`);
        }
        const size = dims.reduce((a, b) => a * b, 1);
        if (!(Number.isInteger(offset) && offset >= 0 && offset + size <= weights.length)) {
          throw new ModelFileError(`${where}: '${key}' lies outside the weights file`);
        }
        layer[key] = weights.subarray(offset, offset + size);
        layer[key + "Shape"] = dims;
        used += size;
      }
      shape = outputShape(layer, shape, where);
      layers.push(layer);
    }
    if (shape.length !== 1 || shape[0] !== 10 || layers.at(-1)?.activation !== "softmax") {
      throw new ModelFileError(`${jsonUrl}: the last layer must give 10 softmax probabilities`);
    }
    if (used !== weights.length) {
      throw new ModelFileError(`${binUrl} holds ${weights.length} numbers, the layers use `
                               + `${used}: the two files do not match`);
    }
    return new DigitNet(spec.input, layers);
  }

  // Ten probabilities (a Float32Array) for one image: 28 x 28 values in [0, 1], row by row.
  predictProba(image) {
    const [height, width] = this.inputShape;
    if (image.length !== height * width) {
      throw new Error(`expected ${height} x ${width} = ${height * width} values, got ${image.length}`);
    }
    let x = { data: Float32Array.from(image), shape: [height, width, 1] };
    for (const layer of this.layers) {
      x = OPS[layer.op](x, layer);
      ACTIVATIONS[layer.activation || "linear"](x.data);
    }
    return x.data;
  }
}

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new ModelFileError(`cannot load ${url}: HTTP ${response.status}`);
  return response;
}

function outputShape(layer, [h, w, c], where) {
  const fail = (why) => { throw new ModelFileError(`${where}: ${why}`); };
  if (layer.op === "conv2d") {
    const [kh, kw, cin, cout] = layer.kernelShape;
    if (cin !== c) fail(`kernel takes ${cin} channels, input has ${c}`);
    if (layer.padding === "same") return [h, w, cout];
    if (layer.padding === "valid") return [h - kh + 1, w - kw + 1, cout];
    fail("padding must be same or valid");
  }
  if (layer.op === "maxpool2d") return [Math.floor(h / layer.size), Math.floor(w / layer.size), c];
  if (layer.op === "flatten") return [h * w * c];
  if (layer.op === "dense") {
    if (layer.kernelShape[0] !== h) fail(`kernel takes ${layer.kernelShape[0]} inputs, input has ${h}`);
    return [layer.kernelShape[1]];
  }
  fail("unknown op");
}

// Arrays are channels last, row by row: pixel (y, x), channel c is at (y * width + x) * channels + c.
const OPS = {
  conv2d({ data, shape: [h, w, cin] }, { kernel, kernelShape: [kh, kw, , cout], bias, padding }) {
    const [padY, padX] = padding === "same" ? [(kh - 1) / 2, (kw - 1) / 2] : [0, 0];
    const [outH, outW] = [h + 2 * padY - kh + 1, w + 2 * padX - kw + 1];
    const out = new Float32Array(outH * outW * cout);
    const sum = new Float64Array(cout);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        sum.set(bias);
        for (let dy = 0; dy < kh; dy++) {
          const inY = y + dy - padY;
          if (inY < 0 || inY >= h) continue;  // zero padding adds nothing
          for (let dx = 0; dx < kw; dx++) {
            const inX = x + dx - padX;
            if (inX < 0 || inX >= w) continue;
            const input = (inY * w + inX) * cin;
            const weights = (dy * kw + dx) * cin * cout;
            for (let c = 0; c < cin; c++) {
              const v = data[input + c];
              if (v === 0) continue;  // after a ReLU, most inputs are: skip their products
              const row = weights + c * cout;
              for (let o = 0; o < cout; o++) sum[o] += v * kernel[row + o];
            }
          }
        }
        out.set(sum, (y * outW + x) * cout);
      }
    }
    return { data: out, shape: [outH, outW, cout] };
  },

  maxpool2d({ data, shape: [h, w, c] }, { size }) {
    const [outH, outW] = [Math.floor(h / size), Math.floor(w / size)];
    const out = new Float32Array(outH * outW * c).fill(-Infinity);
    for (let y = 0; y < outH * size; y++) {
      for (let x = 0; x < outW * size; x++) {
        const [from, to] = [(y * w + x) * c, (Math.floor(y / size) * outW + Math.floor(x / size)) * c];
        for (let k = 0; k < c; k++) out[to + k] = Math.max(out[to + k], data[from + k]);
      }
    }
    return { data: out, shape: [outH, outW, c] };
  },

  flatten({ data, shape }) {
    return { data, shape: [shape.reduce((a, b) => a * b, 1)] };
  },

  dense({ data, shape: [n] }, { kernel, kernelShape: [, m], bias }) {
    const sum = Float64Array.from(bias);
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v === 0) continue;
      for (let o = 0; o < m; o++) sum[o] += v * kernel[i * m + o];
    }
    return { data: Float32Array.from(sum), shape: [m] };
  },
};

const ACTIVATIONS = {
  relu(data) { for (let i = 0; i < data.length; i++) data[i] = Math.max(data[i], 0); },
  linear() {},
  softmax(data) {
    const top = Math.max(...data);
    let total = 0;
    for (let i = 0; i < data.length; i++) { data[i] = Math.exp(data[i] - top); total += data[i]; }
    for (let i = 0; i < data.length; i++) data[i] /= total;
  },
};
