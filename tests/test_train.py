import copy
import math

import pytest
import torch
import torch.nn.functional as F

from course_utils import data, models, runtime, set_seed, train


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




# --- evaluate, outputs, predict, predict_proba: checked against torch's own functions ----------------------

def _classifier(seed=0, n=50, classes=3):
    gen = torch.Generator().manual_seed(seed)
    with runtime.seeded(seed):
        net = models.mlp([2, 5, classes])
    return net, torch.randn(n, 2, generator=gen), torch.randint(0, classes, (n,), generator=gen)


def test_evaluate_averages_uneven_batches_like_cross_entropy_on_the_whole_set():
    net, X, y = _classifier()
    r = train.evaluate(net, X, y, "cross_entropy", batch_size=7)  # 7 batches of 7, one of 1
    with torch.no_grad():
        logits = net(X)
    assert r["loss"] == pytest.approx(F.cross_entropy(logits, y).item(), rel=1e-6)
    assert r["acc"] == pytest.approx((logits.argmax(1) == y).float().mean().item())


def test_evaluate_bce_is_binary_cross_entropy_with_logits():
    with runtime.seeded(1):
        net = models.mlp([2, 4, 1])
    X, y = torch.randn(33, 2), (torch.rand(33, 1) > 0.5).float()
    r = train.evaluate(net, X, y, "bce", batch_size=8)
    with torch.no_grad():
        z = net(X)
    assert r["loss"] == pytest.approx(F.binary_cross_entropy_with_logits(z, y).item(), rel=1e-6)
    assert r["acc"] == pytest.approx(((z > 0).float() == y).float().mean().item())


def test_outputs_predict_and_predict_proba_follow_scikit_learn_meanings():
    net, X, _ = _classifier()
    with torch.no_grad():
        logits = net(X)
    assert torch.allclose(models.outputs(net, X.numpy(), batch_size=8), logits)
    assert torch.equal(models.predict(net, X), logits.argmax(1))
    assert torch.allclose(models.predict_proba(net, X), logits.softmax(1))
    with runtime.seeded(2):
        binary = models.mlp([2, 4, 1])
    with torch.no_grad():
        z = binary(X)
    p = models.predict_proba(binary, X)
    assert p.shape == (50, 2) and torch.allclose(p[:, 1], torch.sigmoid(z[:, 0]))
    assert torch.allclose(p.sum(1), torch.ones(50))
    assert torch.equal(models.predict(binary, X), (z[:, 0] > 0).long())


def test_evaluate_and_outputs_take_numpy_like_fit():
    net, X, y = _classifier()
    assert train.evaluate(net, X.numpy().astype("float64"), y.numpy(), "cross_entropy") == \
        train.evaluate(net, X, y, "cross_entropy")


def test_evaluation_restores_training_mode_even_when_it_raises():
    net, X, y = _classifier()
    net.train()
    with pytest.raises(RuntimeError):
        train.evaluate(net, torch.randn(10, 3), y[:10], "cross_entropy")  # the wrong width
    assert net.training
    with pytest.raises(RuntimeError):
        models.outputs(net, torch.randn(10, 3))
    assert net.training
    net.eval()
    models.outputs(net, X)
    assert not net.training, "an eval-mode model stays in eval mode"


@pytest.mark.parametrize("call", [lambda net: train.evaluate(net, torch.zeros(0, 2), torch.zeros(0).long(),
                                                             "cross_entropy"),
                                  lambda net: models.outputs(net, torch.zeros(0, 2)),
                                  lambda net: models.predict(net, torch.zeros(0, 2))])
def test_empty_input_is_one_sentence(call):
    net, _, _ = _classifier()
    with pytest.raises(ValueError, match="empty|at least one example") as err:
        call(net)
    assert "\n" not in str(err.value)


# --- fit: losses, optimizers, schedules, evaluation, continuing ----------------------------------------------

def test_fit_bce_trains_on_logits_and_records_accuracy():
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(200, 2, generator=gen)
    y = (X[:, :1] + X[:, 1:] > 0).float()
    with runtime.seeded(0):
        net = models.mlp([2, 8, 1])
    h = train.fit(net, X, y, loss="bce", optimizer="adam", lr=0.05, epochs=100)
    assert h.final_loss < 0.5 * h.loss[0]
    assert h.last("train_acc") > 0.95
    z = models.outputs(net, X)
    assert h.final_loss == pytest.approx(F.binary_cross_entropy_with_logits(z, y).item(), rel=0.05)


def _lrs(schedule_for, epochs=12, steps_per_epoch=1):
    """The learning rates fit uses at each step, next to those of torch's scheduler on a twin optimizer."""
    x, y = data.regression_data(seed=0)
    net = models.mlp([1, 4, 1])
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    h = train.fit(net, x, y, optimizer=opt, epochs=epochs, schedule=schedule_for(opt))
    twin = torch.optim.SGD(models.mlp([1, 4, 1]).parameters(), lr=0.1)
    ref_sched = schedule_for(twin, reference=True)
    ref = []
    for _ in range(epochs):
        ref.append(twin.param_groups[0]["lr"])
        twin.step()
        ref_sched.step()
    return h.lr, ref


def test_cosine_schedule_is_torch_cosine_annealing():
    def schedule(opt, reference=False):
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=12) if reference else "cosine"
    ours, ref = _lrs(schedule)
    assert ours == pytest.approx(ref) and ours[-1] < 0.01


def test_onecycle_schedule_is_torch_one_cycle():
    def schedule(opt, reference=False):
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=12) if reference else "onecycle"
    ours, ref = _lrs(schedule)
    assert ours == pytest.approx(ref) and max(ours) == pytest.approx(0.1, rel=0.05)


def test_a_torch_scheduler_of_ones_own_is_stepped_every_step():
    def schedule(opt, reference=False):
        return torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    ours, ref = _lrs(schedule)
    assert ours == pytest.approx(ref) and ours[:4] == pytest.approx([0.1, 0.1, 0.1, 0.05])


def test_adamw_decays_weights_apart_from_the_gradient():
    x, y = data.regression_data(seed=0)
    with runtime.seeded(0):
        a = models.mlp([1, 8, 1])
    b = copy.deepcopy(a)
    train.fit(a, x, y, optimizer="adamw", lr=0.01, weight_decay=0.5, epochs=20)
    ref = torch.optim.AdamW(b.parameters(), lr=0.01, weight_decay=0.5)
    for _ in range(20):
        ref.zero_grad()
        F.mse_loss(b(x), y).backward()
        ref.step()
    assert all(torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters()))
    with pytest.raises(ValueError, match="weight_decay must be a number of at least 0"):
        train.fit(a, x, y, optimizer="adamw", weight_decay=-1.0, epochs=1)


def test_eval_every_sets_when_metrics_are_recorded():
    X, y = torch.randn(60, 2), torch.randint(0, 2, (60,))
    h = train.fit(models.mlp([2, 4, 2]), X, y, loss="cross_entropy", epochs=10, eval_every=4, val=(X, y))
    assert h.metrics["epoch"] == [4, 8, 10], "every 4th epoch, and always the last"
    assert set(h.metrics) == {"epoch", "train_acc", "val_loss", "val_acc"}
    assert h.metric_names == ("train_acc", "val_loss", "val_acc")
    h = train.fit(models.mlp([2, 4, 2]), X, y, loss="cross_entropy", epochs=300)
    assert len(h.metrics["epoch"]) == 100, "full-batch default: 100 evaluations per run"


def test_continuing_a_history_is_one_longer_run():
    x, y = data.regression_data(seed=0)
    with runtime.seeded(0):
        a = models.mlp([1, 10, 1])
    b = copy.deepcopy(a)
    h = train.fit(a, x, y, lr=0.1, epochs=10)
    h = train.fit(a, x, y, lr=0.1, epochs=5, history=h)
    whole = train.fit(b, x, y, lr=0.1, epochs=15)
    assert h.epoch == list(range(1, 16)) and h.loss == whole.loss
    assert h.time == sorted(h.time) and len(h.lr) == 15


def test_val_must_be_a_pair():
    x, y = data.regression_data(seed=0)
    with pytest.raises(ValueError, match=r"val must be a pair \(X_val, y_val\)"):
        train.fit(models.mlp([1, 4, 1]), x, y, epochs=1, val=x)


# --- early stopping --------------------------------------------------------------------------------------------

class _Scripted(train.Callback):
    """Writes a scripted val_loss into the history each epoch, and the epoch into a weight, so the
    restored weights show which epoch they came from."""

    def __init__(self, values):
        self.values = values

    def on_epoch_end(self, model, history):
        e = history.epoch[-1]
        history.metrics.setdefault("epoch", []).append(e)
        history.metrics.setdefault("val_loss", []).append(self.values[e - 1])
        with torch.no_grad():
            model[0].bias[0] = e


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    x, y = data.regression_data(seed=0)
    net = models.mlp([1, 4, 1])
    stop = train.EarlyStopping("val_loss", patience=3)
    values = [5, 4, 3, 2.5, 2.6, 2.7, 2.8, 1.0, 1.0, 1.0]
    h = train.fit(net, x, y, epochs=10, val=(x, y), eval_every=100,
                  callbacks=[_Scripted(values), stop])
    assert stop.best == 2.5 and stop.best_epoch == 4 and stop.stopped_epoch == 7
    assert h.epochs == 7
    assert float(net[0].bias[0].detach()) == 4, "the weights of the best epoch are back"


def test_early_stopping_without_restore_and_for_accuracy():
    X = torch.randn(80, 2)
    y = (X[:, 0] > 0).long()
    stop = train.EarlyStopping("val_acc", patience=2, restore_best=False)
    net = models.mlp([2, 8, 2])
    h = train.fit(net, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=200, val=(X, y),
                  eval_every=1, callbacks=[stop])
    assert stop.best == max(h.metrics["val_acc"]) and stop.best_epoch == h.metrics["epoch"][
        h.metrics["val_acc"].index(stop.best)]
    assert h.epochs == stop.stopped_epoch == stop.best_epoch + 2 < 200


def test_early_stopping_on_a_metric_fit_does_not_record_says_so():
    x, y = data.regression_data(seed=0)
    with pytest.raises(ValueError, match="EarlyStopping watches 'val_loss', but this fit records only loss: pass val="):
        train.fit(models.mlp([1, 4, 1]), x, y, epochs=5, callbacks=[train.EarlyStopping()])


def test_minibatch_epoch_loss_is_the_mean_over_examples():
    X, y = torch.randn(10, 3), torch.randn(10, 1)
    net = models.mlp([3, 4, 1])
    frozen = torch.optim.SGD(net.parameters(), lr=0.0)   # the weights stay put, so every batch sees the same net
    h = train.fit(net, X, y, optimizer=frozen, epochs=1, batch_size=4, seed=0)   # batches of 4, 4 and 2
    with torch.no_grad():
        assert h.loss[0] == pytest.approx(F.mse_loss(net(X), y).item(), rel=1e-6)


def test_a_bad_row_is_named_and_finite_values_whose_sum_overflows_are_accepted():
    X, y = torch.zeros(8, 3), torch.zeros(8, 1)
    X[5, 1] = float("inf")
    X[6, 2] = float("nan")
    with pytest.raises(ValueError, match=r"X contains NaN or infinite values in 2 rows \(the first is row 5\)"):
        train.fit(models.mlp([3, 1]), X, y, epochs=1)
    y[3, 0] = float("nan")
    with pytest.raises(ValueError, match=r"y contains NaN or infinite values in 1 rows \(the first is row 3\)"):
        train.fit(models.mlp([3, 1]), torch.zeros(8, 3), y, epochs=1)
    # every value finite, but their float32 sum is infinite: the fast check alone would refuse good data
    big = torch.full((8, 3), 3e38)
    assert not big.sum().isfinite()
    train.check_data(models.mlp([3, 1]), big, torch.zeros(8, 1), "mse")  # no error


def test_train_acc_is_the_accuracy_of_the_model_after_the_epoch_in_eval_mode():
    X, y = data.toy_2d("moons", 300, 0.2, 0)
    torch.manual_seed(0)
    net = models.mlp([2, 16, 2], dropout=0.5)    # dropout: the accuracy must be measured in eval mode
    h = train.fit(net, X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=3, batch_size=64, seed=0)
    assert net.training, "fit leaves the model in training mode"
    assert h.metrics["train_acc"][-1] == train.evaluate(net, X, y, "cross_entropy")["acc"]
    assert train._accuracy(net, X, y, "cross_entropy", batch_size=7) == h.metrics["train_acc"][-1]
    assert net.training, "the accuracy pass gives the mode back"
    logit = models.mlp([2, 8, 1])
    yb = y.float().view(-1, 1)
    hb = train.fit(logit, X, yb, loss="bce", lr=0.5, epochs=5)
    assert hb.metrics["train_acc"][-1] == train.evaluate(logit, X, yb, "bce")["acc"]


def test_train_acc_on_a_large_set_is_measured_on_a_fixed_sample_of_its_rows():
    X, y = data.toy_2d("moons", 2_500, 0.3, 0)
    torch.manual_seed(0)
    net = models.mlp([2, 8, 2])
    h = train.fit(net, X, y, loss="cross_entropy", lr=0.5, epochs=2, batch_size=500, train_acc_rows=1_000)
    sample = train.evaluate(net, X[::3], y[::3], "cross_entropy")["acc"]     # every 3rd row: 834 of 2,500
    assert h.metrics["train_acc"][-1] == sample != train.evaluate(net, X, y, "cross_entropy")["acc"]
    h = train.fit(net, X, y, loss="cross_entropy", lr=0.5, epochs=1, batch_size=500, train_acc_rows=None)
    assert h.metrics["train_acc"][-1] == train.evaluate(net, X, y, "cross_entropy")["acc"]
    h = train.fit(net, X, y, loss="cross_entropy", lr=0.5, epochs=1, batch_size=500)   # the default: 10,000 rows
    assert h.metrics["train_acc"][-1] == train.evaluate(net, X, y, "cross_entropy")["acc"]
    with pytest.raises(ValueError, match="train_acc_rows"):
        train.fit(net, X, y, loss="cross_entropy", epochs=1, train_acc_rows=0)


def test_wall_time_covers_the_whole_call():
    import time

    class SlowStart(train.Callback):   # stands for fit's one-off work before the first epoch
        def on_train_begin(self, model, history):
            time.sleep(0.05)
    X, y = data.toy_2d("circles", 200, 0.1, 0)
    h = train.fit(models.mlp([2, 8, 2]), X, y, loss="cross_entropy", epochs=3, batch_size=50,
                  callbacks=[SlowStart()])
    assert h.wall_time >= h.train_time + 0.05 and h.train_time > 0
    before = h.wall_time
    train.fit(models.mlp([2, 8, 2]), X, y, loss="cross_entropy", epochs=2, batch_size=50, history=h)
    assert h.wall_time > before and h.wall_time >= h.train_time
