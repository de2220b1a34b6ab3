"""Shared test setup: inline figures in notebook kernels, and no display for unit tests."""
import os

import matplotlib
import numpy as np
import pytest
from hypothesis import settings

# CI checks the same generated examples on every run (derandomised, no example database), so a red run
# is reproducible from its log; a local run keeps searching new examples and remembers the failing ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# A notebook kernel inherits this environment: MPLBACKEND=Agg would hide every inline figure.
os.environ.pop("MPLBACKEND", None)
matplotlib.use("Agg")  # this pytest process only (unit tests draw off-screen)


def pytest_collectstart(collector):
    # Progress bars write changing rates to stderr; what matters in those cells is asserted in code.
    if getattr(collector, "fspath", None) is not None and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)


@pytest.fixture
def write_idx():
    """Write an array as an IDX file of bytes (MNIST's format)."""
    def write(path, arr):
        arr = np.asarray(arr, dtype=np.uint8)
        head = bytes([0, 0, 8, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
        path.write_bytes(head + arr.tobytes())
    return write
