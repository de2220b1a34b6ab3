import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils import models
from course_utils.exercises import count_params


@pytest.mark.parametrize("cfg", [[1, 10, 1], [1, 20, 50, 100, 500, 100, 50, 20, 1], [784, 256, 256, 10]])
def test_mlp_builds_the_course_cfgs(cfg):
    net = models.mlp(cfg)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == list(zip(cfg[:-1], cfg[1:]))
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


def test_numpy_predictor_matches_model():
    torch.manual_seed(0)
    net = models.mlp([2, 4, 3])
    X = torch.randn(7, 2)
    out = models.numpy_predictor(net)(X.numpy())
    assert out.shape == (7, 3)
    assert torch.allclose(torch.from_numpy(out), net(X).detach())
