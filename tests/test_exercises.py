import torch

from course_utils import exercises as ex


def _say(capsys, fn, *args):
    fn(*args)
    return capsys.readouterr().out


def test_unanswered_is_neutral(capsys):
    assert _say(capsys, ex.check_param_count, [1, 10, 1], None).startswith("⏳")
    assert ex.check_shape(None, (1, 10), what="w", why="") is None
    assert capsys.readouterr().out.startswith("⏳")


def test_param_count(capsys):
    assert _say(capsys, ex.check_param_count, [1, 10, 1], 31).startswith("✅")
    out = _say(capsys, ex.check_param_count, [1, 10, 1], 20)
    assert out.startswith("❌") and "bias" in out


def test_shape_detects_transposed(capsys):
    out = _say(capsys, lambda a: ex.check_shape(a, (1, 10), what="w", why="."), (10, 1))
    assert out.startswith("❌") and "transposed" in out
    assert _say(capsys, lambda a: ex.check_shape(a, (1, 10), what="w", why="."), torch.Size([1, 10])).startswith("✅")


def test_value_and_choice(capsys):
    assert _say(capsys, lambda a: ex.check_value(a, 0.5, what="x", why=""), 0.5004).startswith("✅")
    assert _say(capsys, lambda a: ex.check_value(a, 0.5, what="x", why=""), 0.6).startswith("❌")
    assert _say(capsys, lambda a: ex.check_value(a, 0.5, what="x", why=""), "half").startswith("❌")
    assert _say(capsys, lambda a: ex.check_choice(a, "adam", ["sgd", "adam"], why=""), "Adam").startswith("✅")
    assert _say(capsys, lambda a: ex.check_choice(a, "adam", ["sgd", "adam"], why=""), "sgd").startswith("❌")


def test_train_step_check(capsys):
    def right(net, opt, x, y):
        loss = torch.nn.functional.mse_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    def no_zero_grad(net, opt, x, y):
        loss = torch.nn.functional.mse_loss(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def skeleton(net, opt, x, y):
        return None
    assert _say(capsys, ex.check_train_step, right).startswith("✅")
    out = _say(capsys, ex.check_train_step, no_zero_grad)
    assert out.startswith("❌") and "zero_grad" in out
    assert _say(capsys, ex.check_train_step, skeleton).startswith("⏳")


def test_cfg_check(capsys):
    def say(a):
        return _say(capsys, lambda: ex.check_cfg(a, n_in=1, n_out=1, hidden=3, width=32))
    assert say([1, 32, 32, 32, 1]).startswith("✅")
    assert say([32, 32, 32]).startswith("❌")
    assert say([1, 32, 32, 1]).startswith("❌")
    assert "cfg[1] is 0" in say([1, 0, 1])
    assert say(None).startswith("⏳")


def test_accuracy_fn_check(capsys):
    assert _say(capsys, ex.check_accuracy_fn, lambda l, y: (l.argmax(1) == y).float().mean().item()).startswith("✅")
    assert "percentage" in _say(capsys, ex.check_accuracy_fn, lambda l, y: 100 * (l.argmax(1) == y).float().mean().item())
    assert _say(capsys, ex.check_accuracy_fn, lambda l, y: (l.argmin(1) == y).float().mean().item()).startswith("❌")


def test_predict_fn_check(capsys):
    from course_utils import models
    torch.manual_seed(0)
    net = models.mlp([2, 4, 2])
    good = lambda X: net(torch.as_tensor(X)).argmax(1).numpy()  # noqa: E731
    assert _say(capsys, ex.check_predict_fn, good, net).startswith("✅")
    assert "NumPy" in _say(capsys, ex.check_predict_fn, lambda X: net(torch.as_tensor(X)).argmax(1), net)
    assert "shape" in _say(capsys, ex.check_predict_fn, lambda X: net(torch.as_tensor(X)).detach().numpy(), net)


def test_tanh_backward_check(capsys):
    import numpy as np

    from course_utils import scratch

    class Good(scratch.Layer):
        def forward(self, x):
            return np.tanh(x)

        def backward(self, x, g):
            return g * (1 - np.tanh(x) ** 2)

    class Wrong(Good):
        def backward(self, x, g):
            return g * (1 - np.tanh(x))

    class Todo(Good):
        def backward(self, x, g):
            raise NotImplementedError
    assert _say(capsys, ex.check_tanh_backward, Good).startswith("✅")
    assert _say(capsys, ex.check_tanh_backward, Wrong).startswith("❌")
    assert _say(capsys, ex.check_tanh_backward, Todo).startswith("⏳")
