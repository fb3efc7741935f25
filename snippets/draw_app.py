"""Draw a digit: a small Flask app that reads a drawing with the CNN
chapter's network.

Run it from the project's folder (it finds its files from its own place), then
open http://127.0.0.1:5000 ::

    python snippets/draw_app.py
    # or: flask --app snippets/draw_app.py run

The page (``draw_app.html``) is the same drawing pad as the site's demo page,
whose JavaScript it serves from ``docs/javascripts/draw/``; here the drawing
goes to the server. ``POST /predict`` takes the pad as a PNG
(``Content-Type: image/png``, 280 x 280 pixels) and answers JSON:
``{"digit", "probabilities", "image28"}``, or ``{"error"}`` with a 4xx status
for a request it cannot use. The network is read from
``models/digit-cnn.json`` by ``digit_net.py``: numbers only, no pickle, nothing
in the file can run code.
"""

import argparse
import io
import logging
import time
from pathlib import Path

import numpy as np
from flask import Flask, jsonify, request, send_file, send_from_directory
from PIL import Image, UnidentifiedImageError
from werkzeug.exceptions import HTTPException

from digit_net import DigitNet
from mnist_like import (DrawingError, EmptyDrawingError, ink_from_rgba,
                        to_mnist_like)

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "digit-cnn.json"
# shared with the site's demo page
WIDGET = ROOT / "docs" / "javascripts" / "draw"
SIZE = 280  # the pad's width and height, in pixels
# a 280 x 280 PNG of a drawing is about 10 kB; noise, under 320 kB
MAX_BYTES = 512 * 1024


class Unusable(Exception):
    """A request the app cannot use: answered with this status and message,
    as JSON."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class QueueWarnings(logging.Filter):
    """Under waitress, each request that waits for a free thread logs "Task
    queue depth is N": thousands of lines under load. This lets the first
    through, then one every ``every`` seconds, saying how many it held back."""

    def __init__(self, every=10.0):
        super().__init__()
        self.every, self.last, self.held = every, None, 0

    def filter(self, record):
        now = time.monotonic()
        if self.last is not None and now - self.last < self.every:
            self.held += 1
            return False
        if self.held:
            record.msg += f" ({self.held} more such warnings since the last)"
        self.last, self.held = now, 0
        return True


def create_app(model_path=MODEL):
    # a broken model stops the app here, not at a request
    net = DigitNet.load(model_path)
    queue = logging.getLogger("waitress.queue")
    if not any(isinstance(f, QueueWarnings) for f in queue.filters):
        queue.addFilter(QueueWarnings())
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BYTES  # Flask then answers 413

    @app.get("/")
    def page():
        return send_file(Path(__file__).with_name("draw_app.html"))

    @app.get("/draw/<name>")
    def widget(name):
        return send_from_directory(WIDGET, name)

    @app.post("/predict")
    def predict():
        if request.mimetype != "image/png":
            sent = (f"not {request.mimetype}" if request.mimetype
                    else "the request named no Content-Type")
            raise Unusable(415, f"send the drawing as image/png ({sent})")
        try:
            image = to_mnist_like(ink_from_rgba(read_png(request.get_data())))
        except EmptyDrawingError:
            raise Unusable(422, "the drawing is empty: "
                                "draw a digit first") from None
        except DrawingError as problem:
            raise Unusable(422, str(problem)) from None
        probabilities = net.predict_proba(image[None])[0].astype(float)
        return jsonify(digit=int(probabilities.argmax()),
                       probabilities=probabilities.tolist(),
                       image28=image.astype(float).tolist())

    @app.errorhandler(Unusable)
    def unusable(problem):
        return jsonify(error=str(problem)), problem.status

    @app.errorhandler(HTTPException)
    def http_error(problem):  # 404, 405, 413...: JSON too, not an HTML page
        return jsonify(error=problem.description), problem.code

    return app


def read_png(data):
    """The pixels, RGBA, of a PNG of the pad's size."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise Unusable(400, f"the body is a {image.format} image, "
                                    "not a PNG")
            # checked before decoding: a huge image costs nothing
            if image.size != (SIZE, SIZE):
                raise Unusable(422, f"expected a {SIZE} x {SIZE} drawing, "
                                    f"got {image.size[0]} x {image.size[1]}")
            return np.asarray(image.convert("RGBA"))
    except Image.DecompressionBombError:
        raise Unusable(422, f"expected a {SIZE} x {SIZE} drawing, "
                            "got a far larger image") from None
    except (UnidentifiedImageError, OSError, SyntaxError,
            ValueError) as problem:
        # Pillow reports a damaged PNG as any of these
        raise Unusable(400, "the body is not a readable PNG image "
                            f"({type(problem).__name__})") from None


if __name__ == "__main__":
    # the docstring's first paragraph (argparse rewraps it)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=MODEL,
                        help="the network's .json (default: %(default)s)")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    # Only this computer can reach it; Flask's debugger is off, as it must be
    # (it runs code).
    create_app(args.model).run(host="127.0.0.1", port=args.port)
