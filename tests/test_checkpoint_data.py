
import numpy as np
import pytest
import torch

from course_utils import checkpoint, data, models


def test_checkpoint_round_trip(tmp_path):
    a, b = models.mlp([3, 5, 2]), models.mlp([3, 5, 2])
    path = checkpoint.save(a, tmp_path / "sub" / "a.pt")
    checkpoint.load(b, path)
    x = torch.randn(4, 3)
    assert torch.equal(a(x), b(x))
    assert [p.name for p in path.parent.iterdir()] == ["a.pt"], "no temporary file left behind"


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = checkpoint.save(models.mlp([3, 5, 2]), tmp_path / "a.pt")
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save(models.mlp([3, 5, 2]), path)
    assert path.read_bytes() == before and len(list(tmp_path.iterdir())) == 1


def test_data_dir_follows_env(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    assert data.data_dir() == tmp_path
    monkeypatch.delenv("COURSE_DATA")
    assert data.data_dir().name == "data"
    monkeypatch.setenv("COURSE_CHECKPOINTS", str(tmp_path / "ck"))
    assert checkpoint.checkpoint_dir() == tmp_path / "ck"


def test_regression_and_sine_data():
    x, y = data.regression_data(n=100, noise=0.2, seed=1)
    assert x.shape == y.shape == (100, 1)
    r = y - x ** 2
    assert 0 <= float(r.min()) and float(r.max()) <= 0.2
    x, y = data.sine_data()
    assert x.shape == (1000, 1) and float(x.min()) == -10 and torch.allclose(y, torch.sin(x))


def _fake_mnist(root, write_idx, n_train, n_test):
    """Random digits in MNIST's four IDX files under root/MNIST/raw; training labels cycle 0-9."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    write_idx(raw / "train-images-idx3-ubyte", rng.integers(0, 256, (n_train, 28, 28)))
    write_idx(raw / "train-labels-idx1-ubyte", np.arange(n_train) % 10)
    write_idx(raw / "t10k-images-idx3-ubyte", rng.integers(0, 256, (n_test, 28, 28)))
    write_idx(raw / "t10k-labels-idx1-ubyte", np.arange(n_test))


def test_load_mnist_from_idx_files_any_size(tmp_path, write_idx):
    _fake_mnist(tmp_path, write_idx, 30, 7)
    train, test = data.load_mnist(tmp_path, download=False)
    assert train.X.shape == (30, 784) and test.X.shape == (7, 784) and train.y.dtype == torch.long
    assert abs(float(train.X.mean())) < 1e-5 and abs(float(train.X.std()) - 1) < 1e-3
    assert test.mean == train.mean and test.y.tolist() == list(range(7))


@pytest.mark.skipif(not (data.data_dir() / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").exists(),
                    reason="no MNIST in the data folder (set COURSE_DATA)")
def test_real_mnist_offline():
    train, test = data.load_mnist(download=False)
    assert len(test) == 10_000 and len(train) >= 10_000 and train.images.shape[1:] == (28, 28)
    assert 0.12 < train.mean < 0.14


def test_split_holds_out_a_seeded_random_part(tmp_path, write_idx):
    _fake_mnist(tmp_path, write_idx, 50, 5)
    full, _ = data.load_mnist(tmp_path, download=False)
    rest, held = full.split(0.2, seed=3)
    assert len(rest) == 40 and len(held) == 10
    rows = {tuple(r.tolist()) for r in full.images.reshape(50, -1)}
    parts = [tuple(r.tolist()) for r in torch.cat([rest.images, held.images]).reshape(50, -1)]
    assert set(parts) == rows and len(set(parts)) == 50, "every example in exactly one part"
    assert torch.equal(held.X[0], full.X[(full.images == held.images[0]).all(dim=(1, 2))][0])
    again, held_again = full.split(10, seed=3)
    assert torch.equal(held_again.y, held.y) and not torch.equal(full.split(10, seed=4)[1].y, held.y)
    assert rest.mean == full.mean and held.classes == full.classes


def test_download_progress_reaches_the_learner(tmp_path, capsys, monkeypatch):
    from torchvision.datasets import MNIST

    def fake_download(self):
        print("Downloading https://example.org/train-images-idx3-ubyte.gz")
        raise RuntimeError("no network in this test")
    monkeypatch.setattr(MNIST, "download", fake_download)
    with pytest.raises(data.DataNotFoundError):
        data.load_mnist(tmp_path)
    assert "Downloading https://example.org" in capsys.readouterr().out, "torchvision's own progress is shown"
