"""The draw-a-digit app under load and bad input, served as the README says (`make app`).

The Makefile's `app` recipe (waitress, a production WSGI server) runs in a subprocess on a
free port of 127.0.0.1 with the real network; 8 clients then send 2,000 requests that mix
real drawings with bad bodies. Every answer must be the expected status with a JSON body,
never a 5xx; the server must still read a drawing right afterwards, and its memory (VmRSS)
must not grow by more than 50 MB from the warm-up to the end. Requests per second and the
latencies are measured, printed and written to test-artifacts/load-test.json, never
asserted. The test stops by itself within a minute, whatever the server does. Then 150 idle
connections (more than waitress's default limit of 100) are held open beside a real
client, which must still be answered within a second each time, until the server closes
them (its channel timeout): about 15 s more.
"""

import http.client
import io
import json
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

import mnist_like
from digit_net import DigitNet
from draw_app import MODEL
from draw_support import DIGIT_STROKES, SIZE, stroke_image
from test_draw_app import png, png_claiming

ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = ROOT / "test-artifacts" / "load-test.json"
CLIENTS = 8
BLOCKS = 80  # of 25 requests each (BLOCK below): 2,000 requests
WARM_UP_BLOCKS = 3
MAX_GROWTH_MB = 50
# Seconds from the server's start: it must listen by START_S, and every request be answered
# by LOAD_S; a socket waits TIMEOUT_S for an answer before its request counts as hung. The
# last answers, the last check and stopping the server add at most 11 s: 56 s in all.
START_S, LOAD_S, TIMEOUT_S = 10, 45, 4


def white_png(size=(SIZE, SIZE)):
    return png(np.full((*size, 4), 255, dtype=np.uint8))


def text_chunk_bomb():
    """A 280 x 280 PNG of 6 kB whose compressed text chunk inflates to 5 MB."""
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "x" * 5_000_000, zip=True)
    return png(np.full((SIZE, SIZE, 4), 255, dtype=np.uint8), pnginfo=info)


def jpeg():
    out = io.BytesIO()
    Image.fromarray(stroke_image(DIGIT_STROKES[7])[..., :3]).save(out, format="JPEG")
    return out.getvalue()


DRAWINGS = {digit: png(stroke_image(strokes)) for digit, strokes in DIGIT_STROKES.items()}
NOT_A_PNG = "not a readable PNG"
# kind: (content type, body or a function of a random generator, status, what the error says)
BAD = {
    "empty body": ("image/png", b"", 400, NOT_A_PNG),
    "blank pad": ("image/png", white_png(), 422, "empty"),
    "truncated PNG": ("image/png", DRAWINGS[7][:len(DRAWINGS[7]) // 2], 400, NOT_A_PNG),
    "wrong size": ("image/png", white_png((28, 28)), 422, "280 x 280.*28 x 28"),
    "JPEG as PNG": ("image/png", jpeg(), 400, "a JPEG image, not a PNG"),
    "JSON": ("application/json", b'{"digit": 7}', 415, "not application/json"),
    "text": ("text/plain", b"seven", 415, "not text/plain"),
    "10 MB": ("image/png", b"\x89PNG" + bytes(10_000_000 - 4), 413, "exceeds"),
    "decompression bomb": ("image/png", png_claiming(100_000, 100_000), 422, "far larger"),
    "text-chunk bomb": ("image/png", text_chunk_bomb(), 400, NOT_A_PNG),
    "random bytes": ("image/png", lambda rng: rng.randbytes(rng.randrange(1, 20_000)), 400,
                     NOT_A_PNG),
}
# one block of 25: 9 drawings (3 of each digit), each bad kind once, and five more of the
# kinds a broken client sends most
BLOCK = ([("drawing", digit) for digit in DRAWINGS for _ in range(3)]
         + [(kind, None) for kind in BAD]
         + [(kind, None) for kind in ("random bytes", "random bytes", "truncated PNG",
                                      "blank pad", "wrong size")])


def plan(blocks, seed):
    """(kind, digit, content type, body) of every request, shuffled."""
    rng = random.Random(seed)
    requests = []
    for kind, digit in BLOCK * blocks:
        if kind == "drawing":
            requests.append((kind, digit, "image/png", DRAWINGS[digit]))
        else:
            content_type, body = BAD[kind][:2]
            requests.append((kind, None, content_type, body(rng) if callable(body) else body))
    rng.shuffle(requests)
    return requests


def app_command(listen):
    """The Makefile's `app` recipe: environment and argv, with this Python's scripts."""
    recipe = re.search(r"^app:.*\n((?:\t.*\\\n)*\t.*)", (ROOT / "Makefile").read_text(), re.M)[1]
    recipe = re.sub(r"\\\n\s*", " ", recipe)  # continued lines joined
    recipe = (recipe.replace("$(BIN)", str(Path(sys.executable).parent))
              .replace("$(APP_LISTEN)", listen))
    words = shlex.split(recipe)
    env = dict(os.environ)
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert Path(words[0]).name == "waitress-serve", recipe
    return env, words


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(process, port, log, start time) of the app under waitress, with the real network."""
    if not (MODEL.exists() and MODEL.with_suffix(".bin").exists()):
        pytest.fail(f"the trained network is missing ({MODEL}): run the "
                    "convolutional-network chapter (make outputs), which exports it")
    env, argv = app_command("127.0.0.1:0")  # the system picks a free port
    log_path = tmp_path_factory.mktemp("waitress") / "log.txt"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    try:
        deadline = started + START_S
        while not (found := re.search(r"Serving on http://127\.0\.0\.1:(\d+)",
                                      log_path.read_text())):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start ({process.poll() = }):\n"
                            + server_log(log_path))
            time.sleep(0.1)
        yield process, int(found[1]), log_path, started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=TIMEOUT_S / 2)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def server_log(path):
    """The end of the server's log, less waitress's warnings that requests queue."""
    lines = path.read_text().splitlines()
    return "\n".join([line for line in lines if "Task queue depth" not in line][-40:])


def rss_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)[1]) / 1024


def ask(port, content_type, body, connection=None):
    """POST body to /predict: (status, content type, body), or (None, None, what failed).

    On its own connection, or on a given keep-alive one (closed if the request fails, so
    that the next opens a new one).
    """
    connection = connection or http.client.HTTPConnection("127.0.0.1", port,
                                                          timeout=TIMEOUT_S)
    try:
        connection.request("POST", "/predict", body=body,
                           headers={"Content-Type": content_type})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    except (OSError, http.client.HTTPException) as problem:
        connection.close()
        return None, None, f"{type(problem).__name__}: {problem}"


def send_all(port, requests, deadline):
    """Send the requests from CLIENTS threads, each on its own keep-alive connection.

    Returns (results, seconds): a result is (index, status, content type, body, latency) or
    (index, None, None, the exception's text, latency); requests not sent by the deadline
    have none.
    """
    results, lock, next_index = [], threading.Lock(), iter(range(len(requests)))

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
        while time.monotonic() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            started = time.perf_counter()
            answer = ask(port, *requests[index][2:], connection)
            with lock:
                results.append((index, *answer, time.perf_counter() - started))
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    end = deadline + TIMEOUT_S + 1  # a request sent just before the deadline, answered
    for thread in threads:
        thread.join(timeout=max(0, end - time.monotonic()))
    seconds = time.perf_counter() - started
    with lock:
        return list(results), seconds


def problems(requests, results, reference):
    """What is wrong with each answer: a list of strings, empty if all are right."""
    wrong = [f"{len(requests) - len(results)} of {len(requests)} requests got no answer "
             "in time"] if len(results) < len(requests) else []
    for index, status, content_type, body, _ in results:
        kind, digit = requests[index][:2]
        expected = 200 if kind == "drawing" else BAD[kind][2]
        where = f"request {index} ({kind}): "
        if status is None:
            wrong.append(where + body)
            continue
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if (status != expected or content_type != "application/json"
                or not isinstance(answer, dict)):
            wrong.append(where + f"{status} {content_type} {body[:200]!r}, "
                         f"expected {expected} and JSON")
        elif kind == "drawing":
            probabilities = answer["probabilities"]
            if answer["digit"] != digit or not np.allclose(probabilities, reference[digit],
                                                           rtol=1e-6, atol=0):
                wrong.append(where + f"read {answer['digit']}, {probabilities}")
        elif not re.search(BAD[kind][3], str(answer.get("error"))):
            wrong.append(where + f"{status} {answer} does not say {BAD[kind][3]!r}")
    return wrong


def mnist_like_image(png_bytes):
    """What the app makes of a PNG before its network reads it."""
    rgba = np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGBA"))
    return mnist_like.to_mnist_like(mnist_like.ink_from_rgba(rgba))


def latency_ms(results):
    """The 50th and 95th percentiles and the largest, in milliseconds (None: no answers)."""
    seconds = [result[-1] for result in results]
    if not seconds:
        return None
    p50, p95 = np.percentile(seconds, [50, 95])
    return {name: round(1000 * float(value), 1)
            for name, value in (("p50", p50), ("p95", p95), ("max", max(seconds)))}


def test_the_app_under_waitress_answers_2000_mixed_requests_from_8_clients(server):
    process, port, log_path, started = server
    net = DigitNet.load(MODEL)  # what create_app() serves, whatever DIGIT_CNN says
    reference = {digit: net.predict_proba(mnist_like_image(body)[None])[0]
                 for digit, body in DRAWINGS.items()}

    warm_up = plan(WARM_UP_BLOCKS, seed=1)
    results, _ = send_all(port, warm_up, started + LOAD_S)
    assert not (wrong := problems(warm_up, results, reference)), "\n".join(wrong[:20])
    rss_before = rss_mb(process.pid)

    requests = plan(BLOCKS, seed=2)
    results, seconds = send_all(port, requests, started + LOAD_S)
    assert process.poll() is None, (f"the server died (exit {process.poll()}):\n"
                                    + server_log(log_path))
    rss_after = rss_mb(process.pid)

    # alive afterwards: a drawing still read right
    after = [("drawing", 7, "image/png", DRAWINGS[7])]
    results_after = [(0, *ask(port, *after[0][2:]), 0)]
    figures = {
        "server": "waitress " + " ".join(app_command("127.0.0.1:0")[1][1:]),
        "requests": len(requests), "answered": len(results), "clients": CLIENTS,
        "drawings": sum(kind == "drawing" for kind, *_ in requests),
        "bad bodies": {kind: sum(k == kind for k, *_ in requests) for kind in BAD},
        "seconds": round(seconds, 2),
        "requests per second": round(len(results) / seconds, 1),
        "latency ms": latency_ms(results),
        "drawing latency ms": latency_ms([r for r in results
                                          if requests[r[0]][0] == "drawing"]),
        "rss MB": {"after warm-up": round(rss_before, 1), "after load": round(rss_after, 1),
                   "growth": round(rss_after - rss_before, 1)},
        "queue warnings logged": sum("Task queue depth" in line
                                     for line in log_path.read_text().splitlines()),
    }
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=1) + "\n")
    print("\nload test:", json.dumps(figures, indent=1))

    # waitress's warning for each queued request, summarised (draw_app.QueueWarnings): the
    # first, then at most one every 10 s
    queue_lines = [line for line in log_path.read_text().splitlines()
                   if "Task queue depth" in line]
    assert len(queue_lines) <= (time.monotonic() - started) / 10 + 1, queue_lines[:5]

    wrong = problems(requests, results, reference)
    assert not wrong, f"{len(wrong)} wrong answers:\n" + "\n".join(wrong[:20])
    assert not (wrong := problems(after, results_after, reference)), wrong
    assert rss_after - rss_before <= MAX_GROWTH_MB, figures["rss MB"]



IDLE_CONNECTIONS = 150  # more than waitress's default connection limit, 100
CLOSED_WITHIN_S = 20  # the recipe's channel timeout (10 s), checked every 5 s, and slack


def test_idle_connections_neither_lock_other_clients_out_nor_stay_open(server):
    process, port, log_path, _ = server
    idle = [socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
            for _ in range(IDLE_CONNECTIONS)]  # connected, never sending a byte
    try:
        for _ in range(5):  # a real client beside them
            started = time.perf_counter()
            status, _, body = ask(port, "image/png", DRAWINGS[7])
            seconds = time.perf_counter() - started
            assert status == 200 and seconds < 1, (status, body, seconds,
                                                   server_log(log_path))
        for connection in idle[:3] + idle[-3:]:  # the server hangs up on them
            connection.settimeout(CLOSED_WITHIN_S)
            assert connection.recv(1) == b""
    finally:
        for connection in idle:
            connection.close()
    assert process.poll() is None
