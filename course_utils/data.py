"""Data: the toy sets of the lessons, the data folder, and MNIST loaded once into memory.

The data folder is ``$COURSE_DATA`` when set, else ``<repository>/data`` (git-ignored).
Nothing is read or downloaded at import time.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .i18n import _

__all__ = ["FASHION_CLASSES", "MNIST_FILES", "TOY_SETS", "CorruptDataError", "DataNotFoundError", "ImageSet",
           "check_idx", "data_dir", "load_mnist", "regression_data", "sine_data", "toy_2d"]

_REPO = Path(__file__).resolve().parents[1]

MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]


class DataNotFoundError(FileNotFoundError):
    """A data set is neither in the data folder nor downloadable."""


class CorruptDataError(ValueError):
    """A data file exists but is truncated or not in the expected format."""


def data_dir() -> Path:
    """The data folder: ``$COURSE_DATA``, else ``<repository>/data``."""
    env = os.environ.get("COURSE_DATA")
    if env:
        return Path(env).expanduser()
    if (_REPO / "pyproject.toml").exists():
        return _REPO / "data"
    return Path.cwd() / "data"


def regression_data(n: int = 100, noise: float = 0.2, seed: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Lesson 01's set: ``x = linspace(-1, 1, n)``, ``y = x**2 + noise * U(0, 1)``; both ``(n, 1)``."""
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    x = torch.linspace(-1, 1, n).unsqueeze(1)
    y = x.pow(2) + noise * torch.rand(x.shape, generator=gen)
    return x, y


def sine_data(n: int = 1000, low: float = -10.0, high: float = 10.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Lesson 02's set: ``x = linspace(low, high, n)``, ``y = sin(x)``; both ``(n, 1)``."""
    x = torch.linspace(low, high, n).unsqueeze(1)
    return x, torch.sin(x)


TOY_SETS = ("circles", "moons", "xor", "gaussians", "spiral")


def toy_2d(name: str, n: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A 2-D, two-class toy set (as in TensorFlow Playground): X ``(n, 2)`` float32, y ``(n,)`` int64.

    ``name`` is one of ``circles``, ``moons``, ``xor``, ``gaussians``, ``spiral``; ``noise`` is the
    standard deviation of the Gaussian jitter, relative to a unit-sized pattern.
    """
    from sklearn import datasets as skd
    if name not in TOY_SETS:
        raise ValueError(_("data set {name!r} is unknown: use one of {toy_sets}.",
                           name=name, toy_sets=', '.join(TOY_SETS)))
    if n < 2:
        raise ValueError(_("n must be at least 2 points, not {n!r}.", n=n))
    rng = np.random.default_rng(seed)
    if name == "circles":
        X, y = skd.make_circles(n_samples=n, factor=0.4, noise=noise, random_state=seed)
    elif name == "moons":
        X, y = skd.make_moons(n_samples=n, noise=noise, random_state=seed)
        X = (X - [0.5, 0.25]) / 1.2
    elif name == "gaussians":
        X, y = skd.make_blobs(n_samples=n, centers=[[-0.5, -0.5], [0.5, 0.5]], cluster_std=0.2 + noise,
                              random_state=seed)
    elif name == "xor":
        X = rng.uniform(-1, 1, (n, 2))
        y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
        X = X + rng.normal(0, noise, X.shape)
    else:  # two interleaved spiral arms
        t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
        y = np.arange(n) % 2
        r = t / (3 * np.pi)
        X = np.c_[r * np.cos(t + np.pi * y), r * np.sin(t + np.pi * y)] + rng.normal(0, noise, (n, 2))
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.long)


@dataclass
class ImageSet:
    """Images held in memory: ``X`` normalised ``(N, 784)`` floats, ``y`` labels, ``images`` raw bytes."""

    X: torch.Tensor
    y: torch.Tensor
    images: torch.Tensor
    classes: list[str]
    mean: float
    std: float

    def __len__(self) -> int:
        return len(self.y)

    def split(self, size: int | float, seed: int = 0) -> tuple[ImageSet, ImageSet]:
        """Hold out ``size`` examples (a count, or a fraction such as 0.1) at random: ``(rest, held_out)``.

        The usual use: ``train_set, val_set = train_set.split(0.1, seed=SEED)`` for a validation set
        taken from the training data. Both keep this set's normalisation (mean, std).
        """
        n = len(self)
        k = round(size * n) if isinstance(size, float) else size
        if isinstance(size, bool) or not isinstance(k, int) or not 0 < k < n:
            raise ValueError(_("size must be a count from 1 to {n} or a fraction between 0 and 1 of the {n2:,} "
                               "examples, not {size!r}.", n=n - 1, n2=n, size=size))
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        return self._subset(perm[k:]), self._subset(perm[:k])

    def _subset(self, idx: torch.Tensor) -> ImageSet:
        return ImageSet(X=self.X[idx], y=self.y[idx], images=self.images[idx], classes=self.classes,
                        mean=self.mean, std=self.std)


def check_idx(path: Path) -> tuple[int, ...]:
    """Check an IDX file's header against its size; return its shape or raise ``CorruptDataError``."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(4)
        if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] != 0x08 or not 1 <= head[3] <= 4:
            raise CorruptDataError(_("{path} is not an IDX file of bytes (bad header): delete it and download it "
                                     "again.", path=path))
        dims_raw = f.read(4 * head[3])
    if len(dims_raw) < 4 * head[3]:
        raise CorruptDataError(_("{path} is truncated inside its header: delete it and download it again.",
                                 path=path))
    shape = tuple(int.from_bytes(dims_raw[i:i + 4], "big") for i in range(0, len(dims_raw), 4))
    expected = 4 + 4 * len(shape) + int(np.prod(shape))
    size = path.stat().st_size
    if size != expected:
        raise CorruptDataError(_("{path} has {size:,} bytes but its header announces {expected:,} (shape {shape}): "
                                 "the file is truncated or corrupt; delete it and download it again.",
                                 path=path, size=size, expected=expected, shape=shape))
    return shape


def _torchvision_set(name: str, root: Path, train: bool, download: bool):
    from torchvision import datasets
    cls = {"mnist": datasets.MNIST, "fashion": datasets.FashionMNIST}[name]
    raw = root / cls.__name__ / "raw"
    present = all((raw / f).exists() for f in MNIST_FILES)
    if present:
        for f in MNIST_FILES:
            check_idx(raw / f)
    elif not download:
        raise DataNotFoundError(_("{name} is not in {raw}: put the four IDX files there, or set COURSE_DATA to a "
                                  "folder that has {name}/raw/, or pass download=True.", name=cls.__name__, raw=raw))
    try:  # torchvision prints its download progress itself; with the files present it prints nothing
        return cls(root=str(root), train=train, download=download)
    except (RuntimeError, OSError) as exc:
        if present:
            raise
        raise DataNotFoundError(
            _("{name} is not in {raw} and could not be downloaded ({name2}): connect to the internet, or copy the "
              "four IDX files there, or set COURSE_DATA to a folder that has {name}/raw/.",
              name=cls.__name__, raw=raw, name2=type(exc).__name__)) from None


def load_mnist(root: str | Path | None = None, *, fashion: bool = False, download: bool = True,
               normalize: bool = True) -> tuple[ImageSet, ImageSet]:
    """MNIST (or Fashion-MNIST) train and test sets, read once into tensors.

    Downloads through torchvision (with its checksums) when the files are missing. ``X`` is
    flattened to ``(N, 784)`` and normalised with the training set's pixel mean and std.
    """
    root = Path(root) if root is not None else data_dir()
    name = "fashion" if fashion else "mnist"
    train_raw = _torchvision_set(name, root, True, download)
    test_raw = _torchvision_set(name, root, False, download)
    classes = FASHION_CLASSES if fashion else [str(i) for i in range(10)]
    train_f = train_raw.data.reshape(len(train_raw.data), -1).float().div_(255)
    mean, std = (float(train_f.mean()), float(train_f.std())) if normalize else (0.0, 1.0)

    def make(raw, flat: torch.Tensor | None) -> ImageSet:
        x = flat if flat is not None else raw.data.reshape(len(raw.data), -1).float().div_(255)
        return ImageSet(X=x.sub_(mean).div_(std), y=raw.targets.long(), images=raw.data,
                        classes=classes, mean=mean, std=std)
    return make(train_raw, train_f), make(test_raw, None)
