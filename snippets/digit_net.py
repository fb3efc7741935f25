"""Run the convolutional network exported by the CNN chapter, with NumPy alone.

The network is two files: ``digit-cnn.json`` lists the layers, and the
``.bin`` file it names holds every weight as little-endian float32, one array
after another; each layer says where its arrays start (``offset``, counted in
numbers, not bytes) and their ``shape``. Reading them takes ``json`` and
``np.frombuffer``, which build numbers and lists and nothing else: unlike a
pickle, a file made by someone else cannot run code here.

The layers (the only ones the export writes):

- ``conv2d``: 3 x 3 (or any) kernel, stride 1, ``padding`` "same" (zeros
  around, so the output is as large as the input) or "valid"; kernel shape
  ``[kh, kw, in, out]`` (Keras's)
- ``maxpool2d``: the largest of each ``size`` x ``size`` block, stride
  ``size``; a last row or column that does not fill a block is dropped
- ``flatten``: channels last, row by row, as Keras flattens
- ``dense``: ``x @ kernel + bias``

each followed by its ``activation``: relu, softmax or linear.
``docs/javascripts/draw/digit_net.js`` is the same network in JavaScript for
the in-page demo.

    net = DigitNet.load("models/digit-cnn.json")
    # images: (n, 28, 28), ink in [0, 1]
    probabilities = net.predict_proba(images)
"""

import json
from pathlib import Path

import numpy as np


BATCH = 500  # images per forward pass


class ModelFileError(ValueError):
    """The model files are missing, malformed or do not fit together; the
    message says how."""


class DigitNet:
    def __init__(self, input_shape, layers):
        self.input_shape = tuple(input_shape)  # (height, width, channels)
        # dicts as in the .json, with arrays in place of offsets
        self.layers = layers

    @classmethod
    def load(cls, json_path):
        json_path = Path(json_path)
        spec = _read_json(json_path)
        weights_name = spec.get("weights")
        if (not isinstance(weights_name, str)
                or Path(weights_name).name != weights_name):
            raise ModelFileError(
                f"{json_path}: 'weights' must name a file beside it, "
                f"got {weights_name!r}")
        if spec.get("dtype") != "float32":
            raise ModelFileError(
                f"{json_path}: 'dtype' must be float32, "
                f"got {spec.get('dtype')!r}")
        bin_path = json_path.with_name(weights_name)
        try:
            weights = np.frombuffer(bin_path.read_bytes(), dtype="<f4")
        except OSError as error:
            raise ModelFileError(
                f"cannot read the weights {bin_path}: {error.strerror}"
            ) from None
        except ValueError:
            raise ModelFileError(
                f"{bin_path}: its size is not a whole number of float32"
            ) from None

        shape, layers, used = spec.get("input"), [], 0
        if not (isinstance(shape, list) and len(shape) == 3 and shape[2] == 1
                and all(isinstance(n, int) and n > 0 for n in shape)):
            raise ModelFileError(
                f"{json_path}: 'input' must be [height, width, 1], "
                f"got {shape!r}")
        input_shape = shape = tuple(shape)
        if not isinstance(spec.get("layers"), list) or not spec["layers"]:
            raise ModelFileError(
                f"{json_path}: 'layers' must be a list of layers")
        for number, layer in enumerate(spec["layers"], start=1):
            where = f"{json_path}: layer {number}"
            layer, shape = _checked_layer(layer, shape, weights, where)
            used += sum(layer[k].size for k in ("kernel", "bias")
                        if k in layer)
            layers.append(layer)
        if shape != (10,) or layers[-1].get("activation") != "softmax":
            raise ModelFileError(
                f"{json_path}: the last layer must give 10 softmax "
                f"probabilities, it gives {shape}")
        # e.g. a .bin left from another export, beside this .json
        if used != weights.size:
            raise ModelFileError(
                f"{bin_path} holds {weights.size} numbers, the layers in "
                f"{json_path.name} use {used}: the two files do not match")
        return cls(input_shape, layers)

    def predict_proba(self, images):
        """Ten probabilities for each image.

        (n, 28, 28) floats in [0, 1] -> (n, 10).
        """
        images = np.asarray(images)
        height, width, channels = self.input_shape
        if images.ndim != 3 or images.shape[1:] != (height, width):
            raise ValueError(
                f"expected images of shape (n, {height}, {width}), "
                f"got {images.shape}")
        if images.size and not (np.isfinite(images).all()
                                and 0 <= images.min() and images.max() <= 1):
            raise ValueError(
                "expected grey levels in [0, 1]; for MNIST's 0-255 pixels, "
                "divide by 255")
        x = images.astype(np.float32).reshape(
            len(images), height, width, channels)
        # A few hundred images at a time: 10,000 at once would need gigabytes
        # of activations.
        return np.concatenate(
            [self._forward(x[i:i + BATCH]) for i in range(0, len(x), BATCH)]
            or [np.zeros((0, 10), np.float32)])

    def _forward(self, x):
        for layer in self.layers:
            x = _ACTIVATIONS[layer.get("activation", "linear")](
                _OPS[layer["op"]](x, layer))
        return x

    def predict(self, images):
        return self.predict_proba(images).argmax(axis=1)


def _read_json(path):
    try:
        spec = json.loads(path.read_text())
    except OSError as error:
        raise ModelFileError(
            f"cannot read the model {path}: {error.strerror}") from None
    except ValueError as error:
        raise ModelFileError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(spec, dict):
        raise ModelFileError(
            f"{path}: expected a JSON object, got {type(spec).__name__}")
    return spec


def _checked_layer(layer, shape, weights, where):
    """The layer with its arrays cut out of ``weights``, and the shape of what
    it outputs."""
    if not isinstance(layer, dict):
        raise ModelFileError(f"{where}: expected a JSON object")
    op, layer = layer.get("op"), dict(layer)
    if op not in _OPS:
        raise ModelFileError(
            f"{where}: unknown op {op!r}; known: {', '.join(_OPS)}")
    where = f"{where} ({op})"
    if layer.get("activation", "linear") not in _ACTIVATIONS:
        raise ModelFileError(
            f"{where}: unknown activation {layer['activation']!r}")
    if op == "conv2d":
        layer["kernel"] = _array(layer, "kernel", weights, where, ndim=4)
        kh, kw, cin, cout = layer["kernel"].shape
        layer["bias"] = _array(layer, "bias", weights, where, shape=(cout,))
        if len(shape) != 3 or shape[2] != cin:
            raise ModelFileError(
                f"{where}: kernel takes {cin} channels, input is {shape}")
        if layer.get("padding") == "same":
            if kh % 2 == 0 or kw % 2 == 0:
                raise ModelFileError(
                    f"{where}: 'same' padding needs an odd kernel size")
            return layer, (shape[0], shape[1], cout)
        if layer.get("padding") != "valid":
            raise ModelFileError(f"{where}: padding must be same or valid")
        return layer, (shape[0] - kh + 1, shape[1] - kw + 1, cout)
    if op == "maxpool2d":
        size = layer.get("size")
        if not isinstance(size, int) or size < 1 or len(shape) != 3:
            raise ModelFileError(
                f"{where}: needs a whole 'size' and an image input")
        return layer, (shape[0] // size, shape[1] // size, shape[2])
    if op == "flatten":
        return layer, (int(np.prod(shape)),)
    layer["kernel"] = _array(layer, "kernel", weights, where, ndim=2)  # dense
    n_in, n_out = layer["kernel"].shape
    layer["bias"] = _array(layer, "bias", weights, where, shape=(n_out,))
    if shape != (n_in,):
        raise ModelFileError(
            f"{where}: kernel takes {n_in} inputs, input is {shape}")
    return layer, (n_out,)


def _array(layer, key, weights, where, ndim=None, shape=None):
    entry = layer.get(key)
    try:
        offset, dims = (int(entry["offset"]),
                        tuple(int(n) for n in entry["shape"]))
    except (TypeError, KeyError, ValueError):
        raise ModelFileError(
            f"{where}: '{key}' needs an 'offset' and a 'shape'") from None
    if ((ndim and len(dims) != ndim) or (shape and dims != shape)
            or min(dims, default=0) < 1):
        raise ModelFileError(
            f"{where}: '{key}' has shape {list(dims)}, expected "
            f"{list(shape) if shape else f'{ndim} dimensions'}")
    size = int(np.prod(dims))
    if offset < 0 or offset + size > weights.size:
        raise ModelFileError(
            f"{where}: '{key}' reads numbers {offset} to {offset + size}, "
            f"the weights file has {weights.size}")
    return weights[offset:offset + size].reshape(dims)


def _conv2d(x, layer):
    kernel, bias = layer["kernel"], layer["bias"]
    kh, kw = kernel.shape[:2]
    if layer["padding"] == "same":
        x = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    n, height, width, _ = x.shape
    out_h, out_w = height - kh + 1, width - kw + 1
    # One matrix product per kernel position: the input shifted by (dy, dx)
    # times that position's (in, out) weights. Lighter on memory than
    # unfolding every 3 x 3 patch.
    out = np.broadcast_to(bias, (n, out_h, out_w, len(bias))).copy()
    for dy in range(kh):
        for dx in range(kw):
            out += x[:, dy:dy + out_h, dx:dx + out_w, :] @ kernel[dy, dx]
    return out


def _maxpool2d(x, layer):
    size = layer["size"]
    n, height, width, channels = x.shape
    height, width = height // size, width // size
    x = x[:, :height * size, :width * size, :]
    return x.reshape(n, height, size, width, size, channels).max(axis=(2, 4))


def _flatten(x, layer):
    return x.reshape(len(x), -1)


def _dense(x, layer):
    return x @ layer["kernel"] + layer["bias"]


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


_OPS = {"conv2d": _conv2d, "maxpool2d": _maxpool2d, "flatten": _flatten,
        "dense": _dense}
_ACTIVATIONS = {"relu": lambda x: np.maximum(x, 0), "softmax": _softmax,
                "linear": lambda x: x}
