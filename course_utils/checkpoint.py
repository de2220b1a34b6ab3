"""Saving and loading weights: where they go, atomic saves, safe loads, clear shape errors."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch
from torch import nn

from .data import data_dir
from .i18n import _

__all__ = ["checkpoint_dir", "load", "save"]


def checkpoint_dir() -> Path:
    """Where lessons save weights: ``$COURSE_CHECKPOINTS``, else ``<data folder>/checkpoints``.

    Asking creates nothing: :func:`save` makes the folder when it writes a file.
    """
    env = os.environ.get("COURSE_CHECKPOINTS")
    return Path(env).expanduser() if env else data_dir() / "checkpoints"


def save(model: nn.Module, path: str | Path) -> Path:
    """Save ``model.state_dict()`` to ``path`` atomically (a temporary file, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(model.state_dict(), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(model: nn.Module, path: str | Path, map_location: str | torch.device | None = "cpu") -> nn.Module:
    """Load weights saved by :func:`save` into ``model`` (``weights_only=True``); return the model.

    Raises a ``ValueError`` naming both shapes when the checkpoint belongs to another architecture.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(_("no checkpoint at {path}: train and save the model first.", path=path))
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except OSError as exc:  # the file system said no: not the file's fault, so don't call it corrupt
        raise type(exc)(exc.errno, _("cannot read the checkpoint {path}: {strerror}; check that it is a file you "
                                     "may read", path=path, strerror=exc.strerror)) from None
    except Exception as exc:  # a truncated or foreign file: unpickling or zip errors of every kind
        raise ValueError(_("{path} is not a readable checkpoint ({name}): save it again.",
                           path=path, name=type(exc).__name__)) from None
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    extra = [k for k in state if k not in own]
    if missing or extra:
        raise ValueError(_("{path} does not fit this model: missing {missing}, unexpected {extra}.",
                           path=path, missing=missing or _('nothing'), extra=extra or _('nothing')))
    for k, v in own.items():
        if tuple(state[k].shape) != tuple(v.shape):
            raise ValueError(_("{path} does not fit this model: {k} has shape {tuple_state} in the checkpoint but "
                               "{tuple_v} in the model.",
                               path=path, k=k, tuple_state=tuple(state[k].shape), tuple_v=tuple(v.shape)))
    model.load_state_dict(state)
    return model
