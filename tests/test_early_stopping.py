"""train.EarlyStopping beyond the basics in tests/test_train.py: restoring when training runs to the end,
min_delta, and patience counted in epochs when the metric is evaluated only every few epochs.

A scripted callback writes a chosen val_loss into the history each epoch (before EarlyStopping reads it)
and stamps the epoch into a bias, so the restored weights say which epoch they came from.
"""
import pytest
import torch

from course_utils import data, models, train


class _Scripted(train.Callback):
    def __init__(self, values, every=1):
        self.values, self.every = values, every

    def on_epoch_end(self, model, history):
        e = history.epoch[-1]
        with torch.no_grad():
            model[0].bias[0] = e
        if e % self.every == 0:
            history.metrics.setdefault("epoch", []).append(e)
            history.metrics.setdefault("val_loss", []).append(self.values[e - 1])


def _stamp(net):
    return float(net[0].bias[0].detach())


def _run(values, stop, every=1):
    x, y = data.regression_data(seed=0)
    net = models.mlp([1, 4, 1])
    h = train.fit(net, x, y, epochs=len(values), val=(x, y), eval_every=1000,
                  callbacks=[_Scripted(values, every), stop])
    return net, h


def test_restores_the_best_weights_also_when_training_runs_to_the_end():
    stop = train.EarlyStopping("val_loss", patience=10)
    net, h = _run([3, 1, 2, 2.5, 2.2], stop)
    assert h.epochs == 5 and stop.stopped_epoch is None and stop.best_epoch == 2
    assert _stamp(net) == 2


def test_restore_best_false_keeps_the_last_weights():
    stop = train.EarlyStopping("val_loss", patience=2, restore_best=False)
    net, h = _run([3, 1, 2, 2.5, 2.2], stop)
    assert h.epochs == stop.stopped_epoch == 4 and _stamp(net) == 4


def test_min_delta_ignores_improvements_that_are_too_small():
    values = [1.0, 0.99, 0.98, 0.97, 0.5, 0.4]
    stop = train.EarlyStopping("val_loss", patience=3, min_delta=0.05)
    net, h = _run(values, stop)
    assert stop.best_epoch == 1 and stop.stopped_epoch == 4 and _stamp(net) == 1
    plain = train.EarlyStopping("val_loss", patience=3)
    _run(values, plain)
    assert plain.best_epoch == 6 and plain.stopped_epoch is None


def test_patience_counts_epochs_when_the_metric_is_evaluated_every_few():
    # evaluated at epochs 2, 4, 6, ...: best at 4; no evaluation beats it; 3 epochs later (7) it stops
    values = [9, 5, 9, 2, 9, 3, 9, 4, 9, 1]
    stop = train.EarlyStopping("val_loss", patience=3)
    net, h = _run(values, stop, every=2)
    assert stop.best_epoch == 4 and stop.stopped_epoch == 7 and _stamp(net) == 4


def test_the_kept_weights_are_a_copy_that_later_training_does_not_change():
    X = torch.randn(64, 2)
    y = (X[:, 0] > 0).long()
    net = models.mlp([2, 8, 2])
    seen = {}

    class Record(train.Callback):
        def on_epoch_end(self, model, history):
            seen[history.epoch[-1]] = {k: v.clone() for k, v in model.state_dict().items()}

    stop = train.EarlyStopping("val_loss", patience=3)
    train.fit(net, X, y, loss="cross_entropy", optimizer="sgd", lr=0.5, epochs=12, val=(X, y), eval_every=1000,
              callbacks=[_Scripted([1.0, 0.5] + [0.9] * 10), Record(), stop])
    assert stop.best_epoch == 2 and stop.stopped_epoch == 5
    assert not torch.equal(seen[2]["2.weight"], seen[5]["2.weight"]), "SGD moved the weights after epoch 2"
    assert all(torch.equal(v, seen[2][k]) for k, v in net.state_dict().items()), "epoch 2's weights, all of them"


@pytest.mark.parametrize("monitor", ["val_acc", "train_acc"])
def test_accuracy_monitors_are_higher_is_better(monitor):
    assert not train.EarlyStopping(monitor).lower_is_better
    assert train.EarlyStopping("val_loss").lower_is_better and train.EarlyStopping("loss").lower_is_better


def test_callbacks_after_an_early_stopping_see_the_epoch_it_stops_at():
    # a progress bar or PrintEvery placed after EarlyStopping must get its last tick/line too
    seen = []

    class Record(train.Callback):
        def on_epoch_end(self, model, history):
            seen.append(history.epoch[-1])

    stop = train.EarlyStopping("val_loss", patience=2)
    x, y = data.regression_data(seed=0)
    h = train.fit(models.mlp([1, 4, 1]), x, y, epochs=10, val=(x, y), eval_every=1000,
                  callbacks=[_Scripted([3, 1, 2, 2.5, 2.2, 2, 2, 2, 2, 2]), stop, Record()])
    assert stop.stopped_epoch == h.epochs == 4
    assert seen == [1, 2, 3, 4], "the callback after EarlyStopping saw every epoch, the last included"
