"""Shared test setup: inline figures in notebook kernels, and no display for unit tests."""
import os

import matplotlib

# A notebook kernel inherits this environment: MPLBACKEND=Agg would hide every inline figure.
os.environ.pop("MPLBACKEND", None)
matplotlib.use("Agg")  # this pytest process only (unit tests draw off-screen)


def pytest_collectstart(collector):
    # Progress bars write changing rates to stderr; what matters in those cells is asserted in code.
    if getattr(collector, "fspath", None) is not None and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
