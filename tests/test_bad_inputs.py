"""Every bad input gets one clear sentence: table-driven, one row per mistake a learner makes."""
import re

import numpy as np
import pytest
import torch

from course_utils import checkpoint, data, models, plot, train

MLP_CASES = [
    ([], "at least 2 sizes"),
    ([5], "at least 2 sizes"),
    ([1, 0, 1], r"cfg\[1\] is 0"),
    ([1, -3, 1], r"cfg\[1\] is -3"),
    ([1, 2.5, 1], r"cfg\[1\] is 2\.5 \(float\)"),
    ([1, "10", 1], r"cfg\[1\] is '10' \(str\)"),
    ([1, True, 1], r"cfg\[1\] is True \(bool\)"),
    ("1,10,1", "list of layer sizes"),
    (None, "list of layer sizes"),
]


@pytest.mark.parametrize("cfg,msg", MLP_CASES)
def test_mlp_bad_cfg(cfg, msg):
    with pytest.raises(ValueError, match=msg) as err:
        models.mlp(cfg)
    assert "\n" not in str(err.value)


def test_mlp_unknown_activation_lists_allowed():
    with pytest.raises(ValueError, match="activation 'swish' is unknown: use one of .*relu"):
        models.mlp([1, 2, 1], activation="swish")


def _reg():
    return models.mlp([1, 4, 1]), torch.randn(20, 1), torch.randn(20, 1)


def _clf():
    return models.mlp([2, 4, 3]), torch.randn(20, 2), torch.randint(0, 3, (20,))


FIT_CASES = [
    ("lengths differ", lambda: (*_reg()[:2], torch.randn(19, 1)), {}, ValueError, "X has 20 rows but y has 19"),
    ("empty", lambda: (models.mlp([1, 2, 1]), torch.zeros(0, 1), torch.zeros(0, 1)), {}, ValueError, "empty"),
    ("NaN in X", lambda: (_reg()[0], torch.tensor([[1.0], [float("nan")]]), torch.zeros(2, 1)), {}, ValueError, "NaN or infinite values in 1 rows"),
    ("inf in y", lambda: (_reg()[0], torch.zeros(2, 1), torch.tensor([[1.0], [float("inf")]])), {}, ValueError, "y contains NaN or infinite values in 1 rows"),
    ("float labels for CE", lambda: (*_clf()[:2], torch.rand(20)), {"loss": "cross_entropy"}, TypeError, r"integer class labels .*y\.long\(\)"),
    ("int targets for MSE", lambda: (*_reg()[:2], torch.ones(20, 1, dtype=torch.long)), {}, TypeError, r"float targets.*y\.float\(\)"),
    ("int X", lambda: (_reg()[0], torch.ones(20, 1, dtype=torch.long), torch.zeros(20, 1)), {}, TypeError, r"X has dtype torch.int64.*X\.float\(\)"),
    ("y shape (N,) vs output (N,1)", lambda: (*_reg()[:2], torch.randn(20)), {}, ValueError, r"outputs shape \('N', 1\) but y has shape \('N',\)"),
    ("labels beyond outputs", lambda: (_clf()[0], torch.randn(20, 2), torch.arange(20) % 5), {"loss": "cross_entropy"}, ValueError, "labels run from 0 to 4, but the model outputs 3 scores"),
    ("wrong input width", lambda: (models.mlp([3, 4, 1]), torch.randn(20, 2), torch.randn(20, 1)), {}, ValueError, r"cannot take X of shape \(20, 2\) \(its first layer expects 3 features\)"),
    ("unknown loss", lambda: _reg(), {"loss": "hinge"}, ValueError, "loss 'hinge' is unknown"),
    ("unknown optimizer", lambda: _reg(), {"optimizer": "rmsgrad"}, ValueError, "optimizer 'rmsgrad' is unknown"),
    ("negative lr", lambda: _reg(), {"lr": -0.1}, ValueError, "lr must be a positive number"),
    ("zero epochs", lambda: _reg(), {"epochs": 0}, ValueError, "epochs must be a whole number"),
    ("bad batch size", lambda: _reg(), {"batch_size": 0}, ValueError, r"batch_size \(None for the full batch\) must be a whole"),
    ("X as a string", lambda: (_reg()[0], "data.csv", torch.zeros(3, 1)), {}, TypeError, "X must be a torch tensor or a NumPy array"),
]


@pytest.mark.parametrize("name,make,kwargs,exc,msg", FIT_CASES, ids=[c[0] for c in FIT_CASES])
def test_fit_rejects_bad_input_before_training(name, make, kwargs, exc, msg):
    model, X, y = make()
    kwargs = {"epochs": 3, **kwargs}  # a copy: the case table itself is never changed
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(exc, match=msg) as err:
        train.fit(model, X, y, **kwargs)
    assert "\n" not in str(err.value)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters())), "no step before the check"


def test_decision_boundary_needs_2d_points():
    with pytest.raises(ValueError, match=r"2-D points, X of shape \(N, 2\); got \(10, 3\)"):
        plot.plot_decision_boundary(np.zeros((10, 3)), None, lambda X: X[:, 0] > 0)


def test_decision_boundary_predict_fn_wrong_shape():
    with pytest.raises(ValueError, match=r"the model returned shape \(7,\) for 40000 points"):
        plot.plot_decision_boundary(np.random.randn(10, 2), None, lambda X: np.zeros(7))


def test_decision_boundary_predict_fn_not_callable():
    with pytest.raises(TypeError, match="model must be a torch model or a function"):
        plot.plot_decision_boundary(np.random.randn(10, 2), None, 42)


def _mnist_raw(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    return raw


def test_offline_without_files_says_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    with pytest.raises(data.DataNotFoundError, match=re.escape(str(tmp_path / "MNIST" / "raw")) + ".*COURSE_DATA"):
        data.load_mnist(download=False)


def test_failed_download_is_one_sentence(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    def no_network(self):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")
    monkeypatch.setattr(MNIST, "download", no_network)
    with pytest.raises(data.DataNotFoundError, match="could not be downloaded.*COURSE_DATA") as err:
        data.load_mnist(tmp_path)
    assert "\n" not in str(err.value)


def test_truncated_idx_file_is_named(tmp_path, write_idx):
    raw = _mnist_raw(tmp_path)
    for f, shape in zip(data.MNIST_FILES, [(3, 28, 28), (3,), (2, 28, 28), (2,)]):
        write_idx(raw / f, np.zeros(shape))
    (raw / "train-images-idx3-ubyte").write_bytes((raw / "train-images-idx3-ubyte").read_bytes()[:-100])
    with pytest.raises(data.CorruptDataError, match="train-images-idx3-ubyte has 2,268 bytes but its header announces 2,368"):
        data.load_mnist(tmp_path)


def test_garbage_idx_file_is_named(tmp_path):
    raw = _mnist_raw(tmp_path)
    for f in data.MNIST_FILES:
        (raw / f).write_bytes(b"<html>not found</html>")
    with pytest.raises(data.CorruptDataError, match="train-images-idx3-ubyte is not an IDX file"):
        data.load_mnist(tmp_path)


def test_checkpoint_of_another_shape_names_both(tmp_path):
    path = checkpoint.save(models.mlp([4, 8, 2]), tmp_path / "m.pt")
    with pytest.raises(ValueError, match=r"0.weight has shape \(8, 4\) in the checkpoint but \(16, 4\) in the model"):
        checkpoint.load(models.mlp([4, 16, 2]), path)


def test_checkpoint_of_another_architecture(tmp_path):
    path = checkpoint.save(models.mlp([4, 8, 2]), tmp_path / "m.pt")
    with pytest.raises(ValueError, match="does not fit this model: missing"):
        checkpoint.load(models.mlp([4, 8, 8, 2]), path)


def test_corrupt_checkpoint(tmp_path):
    (tmp_path / "m.pt").write_bytes(b"\x80\x04garbage")
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        checkpoint.load(models.mlp([4, 8, 2]), tmp_path / "m.pt")


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        checkpoint.load(models.mlp([4, 8, 2]), tmp_path / "nope.pt")


def test_importing_data_downloads_nothing(tmp_path):
    import subprocess
    import sys
    code = "import course_utils.data as d; import sys; print('torchvision' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"COURSE_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert out.stdout.strip() == "False" and list(tmp_path.iterdir()) == []


def test_checkpoint_that_cannot_be_read_is_not_called_corrupt(tmp_path, monkeypatch):
    path = checkpoint.save(models.mlp([4, 8, 2]), tmp_path / "m.pt")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(torch, "load", refuse)
    with pytest.raises(PermissionError, match="cannot read the checkpoint .*m.pt: Permission denied; check") as err:
        checkpoint.load(models.mlp([4, 8, 2]), path)
    assert "not a readable checkpoint" not in str(err.value)


def _images(n):
    return data.ImageSet(torch.zeros(n, 784), torch.zeros(n).long(), torch.zeros(n, 28, 28), [], 0.0, 1.0)


@pytest.mark.parametrize("call,msg", [
    (lambda: models.mlp([2, 4, 1], dropout=1.0), "dropout must be a probability from 0"),
    (lambda: models.mlp([2, 4, 1], dropout="0.2"), "dropout must be a probability from 0"),
    (lambda: _images(5).split(5), "size must be a count from 1 to 4 or a fraction"),
    (lambda: _images(5).split(1.5), "size must be a count from 1 to 4 or a fraction"),
    (lambda: _images(5).split(0.01), "size must be a count from 1 to 4 or a fraction"),
])
def test_package_arguments_get_one_sentence(call, msg):
    with pytest.raises(ValueError, match=msg) as err:
        call()
    assert "\n" not in str(err.value)


def test_asking_for_the_checkpoint_folder_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CHECKPOINTS", str(tmp_path / "ck"))
    assert checkpoint.checkpoint_dir() == tmp_path / "ck" and not (tmp_path / "ck").exists()
    checkpoint.save(models.mlp([2, 2]), checkpoint.checkpoint_dir() / "m.pt")
    assert (tmp_path / "ck" / "m.pt").is_file(), "saving creates the folder"


def test_torch_side_of_the_gradient_check_refuses_an_unknown_loss_name():
    from course_utils import gradcheck, scratch
    model = scratch.MLP([2, 1], ["sigmoid"], seed=0)
    with pytest.raises(ValueError, match="loss 'ce' is unknown: use one of sse, mse, bce"):
        gradcheck.torch_grads(model, np.ones((3, 2)), np.ones(3), "ce")
