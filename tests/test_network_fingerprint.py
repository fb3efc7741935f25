"""scripts/network_fingerprint.py: one epoch of the CNN chapter's network, fingerprinted,
with the MKL branch it asks for actually taken (on a few images, to stay quick)."""

import importlib.util
import platform
import re
import sys

import pytest

from site_support import ROOT

sys.path.insert(0, str(ROOT / "scripts"))


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs PyTorch")
def test_the_fingerprint_names_the_weights_and_the_mkl_branch_that_ran():
    import network_fingerprint

    found = network_fingerprint.fingerprint(images=64, mkl_cbwr="COMPATIBLE")

    assert found["mkl_cbwr"] == "COMPATIBLE" and found["images"] == 64
    assert re.fullmatch(r"[0-9a-f]{64}", found["weights"])
    assert set(found["metrics"]) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    if platform.machine() in ("x86_64", "AMD64"):  # PyTorch's x86-64 builds bring MKL,
        assert found["mkl_branch"] == 3  # which honours COMPATIBLE on Intel and AMD alike
