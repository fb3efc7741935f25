"""Train the CNN chapter's small network for one epoch; print a fingerprint of its weights.

Where a pin does not take, the CPU that trains a network changes its weights (How this site
works, "The networks on an AMD processor"). Two machines that print the same fingerprint
here, from the same lock, train the same weights. The script runs the `setup` and `simple`
sections of snippets/convolutional-network.py, then trains that network for one epoch as
its `train-simple` section does (seed 0, batches of 32), in a fresh process with the
engine's pins. It prints the epoch's metrics, the branch MKL
actually runs (2: its automatic choice, 3: COMPATIBLE, 10: AVX2) and a SHA-256 of the
trained weights.

    .venv/bin/python scripts/network_fingerprint.py                        # the pins
    .venv/bin/python scripts/network_fingerprint.py --mkl-cbwr COMPATIBLE  # another branch
    .venv/bin/python scripts/network_fingerprint.py --images 2000          # fewer, quicker

Measured on 2026-12-04 on an AMD EPYC (Zen 4), 60,000 images, about 40 s each, with the
chapter's version of that day (it has 50,000 training images since): with the pinned
MKL_CBWR=AVX2 (which MKL runs as its automatic choice there) 3457f365ee33c9c0…, with
COMPATIBLE 216abde0999ab3d7….
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from snippet_engine import Project, numerics  # noqa: E402
from snippet_engine.sections import parse_sections  # noqa: E402

CHAPTER = "convolutional-network"
TRAIN = '''
import hashlib
import json

from snippet_engine.numerics import mkl_branch

x_train, y_train = x_train[:{images}], y_train[:{images}]
keras.utils.set_random_seed(0)
history = simple.fit(x_train, y_train, epochs=1, batch_size=32,
                     validation_data=(x_val, y_val), verbose=0).history
weights = hashlib.sha256(b"".join(w.tobytes() for w in simple.get_weights()))
branch = mkl_branch(torch)  # the branch MKL runs, which MKL_CBWR only requests
print(json.dumps({{"metrics": {{k: v[0] for k, v in history.items()}},
                  "mkl_branch": branch, "weights": weights.hexdigest()}}))
'''


def fingerprint(images: int, mkl_cbwr: str | None = None) -> dict:
    project = Project(ROOT)
    sections = {s.name: s for s in parse_sections(project.script(CHAPTER), CHAPTER)}
    code = sections["setup"].code + sections["simple"].code + TRAIN.format(images=images)
    env = {**os.environ, **numerics.pinned_environment(project.config.threads)}
    if mkl_cbwr:
        env["MKL_CBWR"] = mkl_cbwr
    # from the project's folder: the chapter reads data/mnist.npz, the script the engine
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the training stopped:\n{result.stderr[-3000:]}")
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return {"mkl_cbwr": env.get("MKL_CBWR"), "images": images, **found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=50_000, help="training images used")
    parser.add_argument("--mkl-cbwr", help="MKL_CBWR instead of the pinned one")
    args = parser.parse_args()
    print(json.dumps(fingerprint(args.images, args.mkl_cbwr), indent=1))


if __name__ == "__main__":
    main()
