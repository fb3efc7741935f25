// The site's demo: the network runs in this page. Nothing leaves the browser; the only
// requests are for this site's own files (this code and the model's two files).
import { DigitNet } from "./digit_net.js";
import { inkFromRgba, toMnistLike } from "./mnist_like.js";
import { mountDrawWidget } from "./draw_widget.js";

const MODEL = new URL("../../assets/models/digit-cnn.json", import.meta.url);

// One prediction from a canvas: its pixels, the MNIST-like image, the network.
export function predictCanvas(net, canvas) {
  const { width, height } = canvas;
  const rgba = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  return predictInk(net, inkFromRgba(rgba, width, height), width, height);
}

export function predictInk(net, ink, width, height) {
  const image = toMnistLike(ink, width, height);
  const probabilities = Array.from(net.predictProba(image));
  const digit = probabilities.indexOf(Math.max(...probabilities));
  const image28 = Array.from({ length: 28 }, (_, y) => Array.from(image.subarray(28 * y, 28 * y + 28)));
  return { digit, probabilities, image28 };
}

const root = document.getElementById("digit-draw");
try {
  const net = await DigitNet.load(MODEL);
  mountDrawWidget(root, async (canvas) => predictCanvas(net, canvas));
  window.digitDemo = { net, predictInk, inkFromRgba, toMnistLike };  // for the tests, and the curious
} catch (error) {
  root.textContent = `The network could not be loaded: ${error.message}`;
  throw error;  // and into the console
}
