import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils import models
from course_utils.exercises.lesson01 import param_count as count_params


@pytest.mark.parametrize("cfg", [[1, 10, 1], [1, 20, 50, 100, 500, 100, 50, 20, 1], [784, 256, 256, 10]])
def test_mlp_builds_the_course_cfgs(cfg):
    net = models.mlp(cfg)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert [(lin.in_features, lin.out_features) for lin in linears] == list(zip(cfg[:-1], cfg[1:]))
    assert isinstance(net[-1], nn.Linear), "no activation after the last layer"
    assert sum(isinstance(m, nn.ReLU) for m in net) == len(cfg) - 2
    assert models.n_params(net) == count_params(cfg)
    assert net(torch.zeros(3, cfg[0])).shape == (3, cfg[-1])


@given(st.lists(st.integers(1, 12), min_size=2, max_size=7), st.sampled_from(sorted(models.ACTIVATIONS)))
@settings(max_examples=40, deadline=None)
def test_mlp_any_valid_cfg(cfg, activation):
    net = models.mlp(cfg, activation)
    assert net(torch.randn(5, cfg[0])).shape == (5, cfg[-1])
    assert models.n_params(net) == count_params(cfg) == models.summary(net).total


def test_flatten_option_takes_images():
    net = models.mlp([784, 8, 10], flatten=True)
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_summary_lists_each_layer():
    s = models.summary(models.mlp([1, 20, 50, 20, 1]))
    assert [(r[1], r[2]) for r in s.rows] == [((20, 1), (20,)), ((50, 20), (50,)), ((20, 50), (20,)), ((1, 20), (1,))]
    assert s.total == 20 + 20 + 1000 + 50 + 1000 + 20 + 20 + 1
    text = str(s)
    assert "(20, 1)" in text and f"{s.total:,}" in text.splitlines()[-1]


def test_dropout_is_active_in_train_and_off_in_eval():
    net = models.mlp([20, 50, 50, 3], dropout=0.5)
    drops = [m for m in net if isinstance(m, nn.Dropout)]
    assert len(drops) == 2 and all(d.p == 0.5 for d in drops), "one Dropout after each hidden activation"
    assert isinstance(net[-1], nn.Linear), "never after the output layer"
    x = torch.randn(64, 20)
    net.train()
    assert not torch.equal(net(x), net(x)), "training: a new random mask each pass"
    net.eval()
    assert torch.equal(net(x), net(x))
    plain = models.mlp([20, 50, 50, 3])
    plain.load_state_dict({k.replace("6.", "4.").replace("3.", "2."): v for k, v in net.state_dict().items()})
    assert torch.allclose(plain(x), net(x)), "in eval mode dropout changes nothing"


def test_evaluating_restores_the_mode_and_records_no_graph():
    net = models.mlp([2, 4, 1], dropout=0.2)
    net.train()
    with models.evaluating(net):
        assert not net.training
        out = net(torch.randn(3, 2))
    assert net.training and not out.requires_grad
    with pytest.raises(ZeroDivisionError), models.evaluating(net):
        raise ZeroDivisionError
    assert net.training, "restored even when the block raises"


def test_seeded_gives_the_same_weights_and_leaves_the_learners_generator_alone():
    from course_utils import runtime
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    with runtime.seeded(7):
        a = models.mlp([3, 5, 2])
    with runtime.seeded(7):
        b = models.mlp([3, 5, 2])
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert torch.equal(torch.random.get_rng_state(), state)
