import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import gradcheck, scratch, scratch_fast

LAYERS = ["dense", "relu", "sigmoid", "tanh"]


def _layer(kind, d_in, d_out, seed):
    if kind == "dense":
        return scratch.Dense(d_in, d_out, init="xavier", rng=np.random.default_rng(seed))
    return scratch.MLP.activation_classes[kind]()


@given(st.sampled_from(LAYERS), st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.integers(0, 10_000))
@settings(max_examples=60, deadline=None)
def test_every_layer_matches_central_differences(kind, n, d_in, d_out, seed):
    x = np.random.default_rng(seed).standard_normal((n, d_in))
    if kind == "relu":
        x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink, where the derivative is undefined
    errors = gradcheck.check_layer(_layer(kind, d_in, d_out, seed), x, seed)
    assert max(errors.values()) < 1e-6, errors


@given(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.integers(0, 1000),
       st.sampled_from(["sse", "mse", "bce"]))
@settings(max_examples=25, deadline=None)
def test_mlp_backprop_matches_numeric_and_autograd(cfg, seed, loss):
    cfg = [2, *cfg[1:-1], 1]
    acts = ["tanh"] * (len(cfg) - 2) + ["sigmoid"]
    model = scratch.MLP(cfg, acts, init="xavier", seed=seed)
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((8, 2)), rng.integers(0, 2, (8, 1)).astype(float)
    assert max(gradcheck.check_numeric(model, X, y, loss).values()) < 1e-5  # finite differences: ~1e-10 absolute noise
    assert max(gradcheck.check_torch(model, X, y, loss).values()) < 1e-9


def test_repeated_backward_gives_the_same_gradients():
    model = scratch.MLP([2, 8, 4, 1], ["relu", "sigmoid", "sigmoid"], seed=0)
    X, y = np.random.default_rng(0).standard_normal((10, 2)), np.ones((10, 1))
    grads = []
    for _ in range(3):
        _, g = scratch.mse_loss(model.forward(X), y)
        model.backward(g)
        grads.append([gr.copy() for _, _, gr in model.parameters()])
    for a, b in zip(grads[0], grads[2]):
        assert np.array_equal(a, b), "gradients must be overwritten, not accumulated"


def test_backward_does_not_update_weights():
    model = scratch.MLP([2, 4, 1], ["relu", "sigmoid"], seed=0)
    before = [v.copy() for _, v, _ in model.parameters()]
    X = np.ones((3, 2))
    model.backward(scratch.mse_loss(model.forward(X), np.zeros((3, 1)))[1])
    assert all(np.array_equal(a, v) for a, (_, v, _) in zip(before, model.parameters()))


def test_eight_layer_cfg_trains():
    cfg = [2, 16, 16, 16, 16, 16, 16, 16, 1]
    model = scratch.MLP(cfg, ["tanh"] * 7 + ["sigmoid"], init="xavier", seed=0)
    assert sum(isinstance(layer, scratch.Dense) for layer in model.layers) == 8
    X = np.random.default_rng(0).standard_normal((64, 2))
    y = (X[:, :1] > 0).astype(float)
    losses = scratch.gradient_descent(model, X, y, lr=0.5, epochs=200, loss="bce")
    assert losses[-1] < 0.5 * losses[0]
    assert max(gradcheck.check_torch(model, X, y, "bce").values()) < 1e-9


def test_numpy_and_torch_trajectories_coincide():
    from sklearn.datasets import make_moons
    X, y = make_moons(n_samples=200, noise=0.2, random_state=666)
    y = y.reshape(-1, 1).astype(float)
    model = scratch.MLP([2, 16, 8, 1], ["relu", "sigmoid", "sigmoid"], rng=np.random.RandomState(0))
    net = gradcheck.to_torch(model)
    ours = scratch.gradient_descent(model, X, y, lr=0.8, epochs=200, loss="mse")
    opt = torch.optim.SGD(net.parameters(), lr=0.8)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    theirs = []
    for _ in range(200):
        loss = ((net(Xt) - yt) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        theirs.append(loss.item())
    assert np.allclose(ours, theirs, rtol=1e-6, atol=0)


SHAPE_CASES = [
    (lambda: scratch.Dense(3, 4).forward(np.ones((5, 2))), r"Dense expects inputs with 3 features, got shape \(5, 2\)"),
    (lambda: scratch.Dense(3, 4).backward(np.ones((5, 3)), np.ones((5, 2))), r"Dense\(3, 4\)\.backward got grad_out of shape \(5, 2\), expected \(N, 4\)"),
    (lambda: scratch.ReLU().backward(np.ones((5, 3)), np.ones((4, 3))), r"ReLU\.backward got grad_out for 4 examples but an input of 5"),
    (lambda: scratch.Sigmoid().backward(np.ones(3), np.ones(3)), r"Sigmoid expects a 2-D input \(N, D\), got shape \(3,\)"),
    (lambda: scratch.sse_loss(np.ones((5, 1)), np.ones(5)), r"predictions have shape \(5, 1\) but targets \(5,\)"),
    (lambda: scratch.MLP([2, 4, 1], ["relu"]), "makes 2 Dense layers, so give 2 activations, not 1"),
    (lambda: scratch.MLP([2, 4, 1], ["relu", "softmax"]), "activation 'softmax' is unknown"),
    (lambda: scratch.MLP([2, 0, 1], ["relu", None]), r"cfg\[1\] is 0"),
    (lambda: scratch.Dense(2, 3, init="zeros"), "init 'zeros' is unknown"),
    (lambda: scratch.MLP([2, 1], [None]).backward(np.ones((1, 1))), "call forward before backward"),
    (lambda: scratch.gradient_descent(scratch.MLP([2, 1], [None]), np.ones((3, 2)), np.ones(3), lr=0.1, epochs=1, loss="hinge"),
     "loss 'hinge' is unknown: use one of sse, mse, bce"),
    (lambda: gradcheck.check_torch(scratch.MLP([2, 1], ["sigmoid"]), np.ones((3, 2)), np.ones(3), "ce"),
     "loss 'ce' is unknown"),
    (lambda: gradcheck.check_numeric(scratch.MLP([2, 1], ["sigmoid"]), np.ones((3, 2)), np.ones(3), "ce"),
     "loss 'ce' is unknown"),
]


@pytest.mark.parametrize("call,msg", SHAPE_CASES)
def test_scratch_bad_shapes_name_layer_and_shapes(call, msg):
    with pytest.raises((ValueError, RuntimeError), match=msg):
        call()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_stays_finite_when_the_output_saturates(dtype):
    p = np.array([[1.0], [0.0], [0.5]], dtype=dtype)   # a saturated sigmoid rounds to exactly 1 or 0
    y = np.array([[0.0], [1.0], [1.0]], dtype=dtype)
    loss, grad = scratch.bce_loss(p, y)
    assert np.isfinite(loss) and np.isfinite(grad).all()
    assert loss > 5, "confidently wrong answers cost a lot"
    q = np.array([[0.9], [0.2]], dtype=dtype)
    t = np.array([[1.0], [0.0]], dtype=dtype)
    expected = -np.mean(np.log([0.9, 0.8]))
    assert scratch.bce_loss(q, t)[0] == pytest.approx(expected, rel=1e-6)


def test_predict_and_predict_proba_follow_scikit_learn():
    model = scratch.MLP([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    X = np.random.default_rng(0).standard_normal((7, 2))
    p = model.forward(X)
    proba = model.predict_proba(X)
    assert proba.shape == (7, 2) and np.allclose(proba[:, 1], p[:, 0]) and np.allclose(proba.sum(1), 1)
    assert np.array_equal(model.predict(X), (p[:, 0] > 0.5).astype(int))


# --- the speed-tuned twin: scratch_fast computes what scratch computes --------------------------------------

FAST_LAYERS = {"dense": scratch_fast.Dense, "relu": scratch_fast.ReLU, "sigmoid": scratch_fast.Sigmoid,
               "tanh": scratch_fast.Tanh}


@given(st.sampled_from(LAYERS), st.integers(1, 7), st.integers(1, 5), st.integers(1, 5), st.integers(0, 10_000),
       st.sampled_from([np.float64, np.float32]))
@settings(max_examples=80, deadline=None)
def test_fast_layers_equal_the_plain_ones(kind, n, d_in, d_out, seed, dtype):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, d_in)) * 3).astype(dtype)
    if kind == "dense":
        plain = scratch.Dense(d_in, d_out, rng=np.random.default_rng(seed), dtype=dtype)
        fast = scratch_fast.Dense(d_in, d_out, rng=np.random.default_rng(seed), dtype=dtype)
    else:
        plain, fast = scratch.MLP.activation_classes[kind](), FAST_LAYERS[kind]()
    out = plain.forward(x)
    g = rng.standard_normal(out.shape).astype(dtype)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert np.allclose(fast.forward(x), out, rtol=rtol, atol=rtol)
    assert np.allclose(fast.backward(x, g), plain.backward(x, g), rtol=rtol, atol=rtol)
    for k in plain.grads:
        assert np.allclose(fast.grads[k], plain.grads[k], rtol=rtol, atol=rtol), k


@given(st.lists(st.integers(1, 8), min_size=2, max_size=6), st.integers(0, 1000),
       st.sampled_from(["relu", "sigmoid", "tanh"]))
@settings(max_examples=30, deadline=None)
def test_fast_mlp_trains_like_the_plain_one(cfg, seed, act):
    """float64: the same numbers to rounding; float32: the same gradients to float32 rounding."""
    cfg = [2, *cfg[1:-1], 1]
    acts = [act] * (len(cfg) - 2) + ["sigmoid"]
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((16, 2)), rng.integers(0, 2, (16, 1)).astype(float)
    plain = scratch.MLP(cfg, acts, init="xavier", seed=seed)
    fast64 = scratch_fast.MLP(cfg, acts, init="xavier", seed=seed, dtype=np.float64)
    assert np.allclose(scratch.gradient_descent(fast64, X, y, lr=0.5, epochs=5, loss="mse"),
                       scratch.gradient_descent(plain, X, y, lr=0.5, epochs=5, loss="mse"), rtol=1e-12)
    fast32 = scratch_fast.MLP(cfg, acts, init="xavier", seed=seed)
    for (_, a, _), (_, b, _) in zip(plain.parameters(), fast32.parameters()):
        b[...] = a
    plain.backward(scratch.mse_loss(plain.forward(X), y)[1])
    fast32.backward(scratch.mse_loss(fast32.forward(X), y.astype(np.float32))[1])
    # float32 rounds each product and sum to ~6e-8 of the values flowing backwards, not of the result: a
    # gradient that is a nearly cancelling sum (an output bias of 4e-5 from terms of 1e-2) keeps an absolute
    # error of that size, so the tolerance is scaled by the largest gradient in the network.
    scale = max(np.abs(g).max() for _, _, g in plain.parameters())
    for (name, _, ga), (_, _, gb) in zip(plain.parameters(), fast32.parameters()):
        assert gb.dtype == np.float32
        assert np.allclose(gb, ga, rtol=1e-4, atol=1e-4 * scale), (name, gradcheck.rel_error(ga, gb))


def test_fast_mlp_skips_only_the_first_layers_input_gradient():
    X = np.ones((3, 2), dtype=np.float32)
    fast = scratch_fast.MLP([2, 4, 1], ["relu", "sigmoid"], seed=0)
    assert fast.backward(scratch.mse_loss(fast.forward(X), np.zeros((3, 1), np.float32))[1]) is None
    plain = scratch.MLP([2, 4, 1], ["relu", "sigmoid"], seed=0)
    assert plain.backward(scratch.mse_loss(plain.forward(X), np.zeros((3, 1)))[1]).shape == (3, 2)


def test_fast_mlp_passes_the_gradient_checks():
    model = scratch_fast.MLP([2, 5, 4, 1], ["relu", "sigmoid", "sigmoid"], seed=3, dtype=np.float64)
    X, y = np.random.default_rng(3).standard_normal((10, 2)), np.ones((10, 1))
    assert max(gradcheck.check_numeric(model, X, y, "mse").values()) < 1e-6
    assert max(gradcheck.check_torch(model, X, y, "mse").values()) < 1e-9


def test_one_loss_table_serves_numpy_and_torch():
    p = np.array([[0.2], [0.7], [0.99]])
    y = np.array([[0.0], [1.0], [1.0]])
    for name, loss in scratch.LOSSES.items():
        value, _ = loss.numpy(p, y)
        assert loss.torch(torch.as_tensor(p), torch.as_tensor(y)).item() == pytest.approx(value, rel=1e-12), name


def test_torch_twin_of_a_network_built_from_ones_own_layers():
    """gradcheck.to_torch / check_torch accept a learner's own layers (lesson 04): Dense by W and b, the rest by name."""
    class Dense(scratch.Layer):
        def __init__(self, n_in, n_out, init="randn", rng=None, dtype=np.float64):
            super().__init__()
            self.params = {"W": rng.standard_normal((n_in, n_out)), "b": np.zeros(n_out)}
            self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

        forward, backward = scratch.Dense.forward, scratch.Dense.backward
        _check_dense = scratch.Dense._check_dense

    class Sigmoid(scratch.Layer):
        forward, backward = scratch.Sigmoid.forward, scratch.Sigmoid.backward

    class Net(scratch.MLP):
        dense = Dense
        activation_classes = {"sigmoid": Sigmoid}

    model = Net([2, 5, 1], ["sigmoid", "sigmoid"], seed=0)
    X, y = np.random.default_rng(0).standard_normal((6, 2)), np.ones((6, 1))
    assert not isinstance(model.layers[0], scratch.Dense)
    assert max(gradcheck.check_torch(model, X, y, "mse").values()) < 1e-9
    model.layers.append(scratch.Layer())
    with pytest.raises(ValueError, match="no torch twin"):
        gradcheck.to_torch(model)
