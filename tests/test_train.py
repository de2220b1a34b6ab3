import math

import pytest
import torch

from course_utils import data, models, set_seed, train


def _bare_loop(net, X, y, lr, steps):
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_fit_is_the_bare_loop():
    x, y = data.regression_data(seed=0)
    set_seed(0)
    a = models.mlp([1, 10, 1])
    set_seed(0)
    b = models.mlp([1, 10, 1])
    h = train.fit(a, x, y, lr=0.2, epochs=50)
    assert h.loss == _bare_loop(b, x, y, 0.2, 50)
    assert h.epoch == list(range(1, 51)) and len(h.time) == 50
    assert all(t1 <= t2 for t1, t2 in zip(h.time, h.time[1:]))


def test_fit_learns_regression():
    set_seed(0)
    x, y = data.regression_data(seed=0)
    h = train.fit(models.mlp([1, 10, 1]), x, y, lr=0.2, epochs=100)
    assert h.final_loss < 0.02 < h.loss[0]


def test_minibatch_classification_records_metrics():
    set_seed(0)
    X = torch.randn(300, 2)
    y = (X[:, 0] * X[:, 1] > 0).long()
    h = train.fit(models.mlp([2, 16, 2]), X, y, loss="cross_entropy", optimizer="adam", lr=0.03,
                  epochs=40, batch_size=32, val=(X[:100], y[:100]), seed=1)
    assert h.metrics["epoch"] == list(range(1, 41))
    assert h.last("train_acc") > 0.9 and h.last("val_acc") > 0.9
    assert h.time_to("val_acc", 0.9) is not None and h.time_to("val_acc", 1.01) is None


def test_minibatch_runs_are_reproducible_with_seed():
    X = torch.randn(200, 3)
    y = X.sum(1, keepdim=True)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        runs.append(train.fit(models.mlp([3, 8, 1]), X, y, lr=0.05, epochs=5, batch_size=16, seed=3).loss)
    assert runs[0] == runs[1]


def test_history_continues():
    x, y = data.regression_data(seed=0)
    net = models.mlp([1, 10, 1])
    h = train.fit(net, x, y, lr=0.1, epochs=10)
    h = train.fit(net, x, y, lr=0.1, epochs=5, history=h)
    assert h.epoch == list(range(1, 16))


def test_onecycle_schedule_changes_lr():
    x, y = data.regression_data(seed=0)
    h = train.fit(models.mlp([1, 10, 1]), x, y, optimizer="adam", lr=0.01, epochs=20, schedule="onecycle")
    assert h.lr[0] == pytest.approx(0.01 / 25) and max(h.lr) > 0.009 and h.lr[-1] < 0.001
    assert h.lr.index(max(h.lr)) in range(4, 9), "warm-up over the first 30 % of the steps"


def test_callbacks_are_called_and_can_stop():
    class StopAt(train.Callback):
        def __init__(self):
            self.seen = []

        def on_epoch_end(self, model, history):
            self.seen.append(history.epoch[-1])
            return history.epoch[-1] == 7
    cb = StopAt()
    x, y = data.regression_data(seed=0)
    h = train.fit(models.mlp([1, 4, 1]), x, y, epochs=100, callbacks=[cb])
    assert cb.seen == list(range(1, 8)) and h.epochs == 7


def test_print_every_prints(capsys):
    x, y = data.regression_data(seed=0)
    train.fit(models.mlp([1, 4, 1]), x, y, epochs=20, callbacks=[train.PrintEvery(10)])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch     10  loss")


def test_progress_bar_counts_epochs():
    bar = train.ProgressBar(total=12)
    x, y = data.regression_data(seed=0)
    train.fit(models.mlp([1, 4, 1]), x, y, epochs=12, callbacks=[bar])
    assert bar.bar.n == 12


def test_divergence_stops_and_keeps_history():
    x, y = data.regression_data(seed=0)
    set_seed(0)
    with pytest.raises(train.TrainingDiverged, match=r"at step \d+ with learning rate 50.*lower the learning rate") as err:
        train.fit(models.mlp([1, 10, 1]), x * 100, y, lr=50.0, epochs=200)
    h = err.value.history
    assert h.epochs >= 1 and not math.isfinite(h.loss[-1]) and all(math.isfinite(v) for v in h.loss[:-1])


def test_evaluate_and_predict():
    net = models.mlp([2, 3, 2])
    X, y = torch.randn(50, 2), torch.randint(0, 2, (50,))
    r = train.evaluate(net, X, y, "cross_entropy", batch_size=7)
    assert set(r) == {"loss", "acc"} and 0 <= r["acc"] <= 1
    assert r["acc"] == pytest.approx(float((train.predict(net, X).argmax(1) == y).float().mean()))
