"""Reproducibility and device choice."""
from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from .i18n import _

__all__ = ["check_seed", "device", "seeded", "set_seed"]


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU).

    This is the learner's own seed cell. Library code never calls it: it uses :func:`seeded`
    or a local generator, so it never reseeds the learner's session.
    """
    seed = check_seed(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


def check_seed(seed: int) -> int:
    """Return ``seed`` as an int, or raise a one-sentence ``TypeError``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(_("seed must be a whole number such as 0 or 42, not {seed!r}.", seed=seed))
    return int(seed)


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block with torch's CPU generator seeded, then give the learner's generator back.

    ``with seeded(0): net = models.mlp([2, 8, 2])`` draws the same initial weights every time,
    and the random numbers the learner's session draws afterwards are the ones it would have
    drawn without the block.
    """
    seed = check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def device(prefer: str | None = None) -> torch.device:
    """The fastest available device: CUDA, then Apple's MPS, then the CPU.

    ``prefer`` (or the environment variable ``COURSE_DEVICE``) forces one, e.g. ``"cpu"``.
    """
    prefer = prefer or os.environ.get("COURSE_DEVICE")
    if prefer:
        return torch.device(prefer)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
