import time

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_utils import data, models, plot, train
from course_utils.live import LivePlot


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_plot_helpers_take_ax_and_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    fig, axes = plt.subplots(1, 3)
    x, y = data.regression_data(seed=0)
    net = models.mlp([1, 4, 1])
    h = train.fit(net, x, y, epochs=5)
    assert plot.plot_loss(h, ax=axes[0]) is axes[0]
    assert plot.plot_fit(x, y, net, ax=axes[1]) is axes[1]
    points = np.random.default_rng(0).normal(size=(20, 2))
    assert plot.plot_decision_boundary(points, None, lambda X: (X[:, 0] > 0).astype(int), ax=axes[2]) is axes[2]
    assert len(axes[0].lines[0].get_xdata()) == 5
    assert dict(matplotlib.rcParams) == before


def test_decision_boundary_from_torch_model_and_numpy_fn_agree():
    torch.manual_seed(0)
    net = models.mlp([2, 8, 2])
    X = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    _, _, from_model = plot.grid_predictions(X, net, resolution=30)
    _, _, from_fn = plot.grid_predictions(X, lambda G: net(torch.as_tensor(G)).argmax(1).numpy(), resolution=30)
    assert np.array_equal(from_model, from_fn) and len(np.unique(from_model)) == 2


def test_decision_boundary_regions_follow_predict_fn():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    xx, yy, labels = plot.grid_predictions(X, lambda G: (G[:, 0] > 0).astype(int), resolution=11, pad=0)
    assert np.array_equal(labels, (xx > 0).astype(int))
    # a single probability column is class 1 where it exceeds the threshold the caller names
    _, _, labels = plot.grid_predictions(X, lambda G: 1 / (1 + np.exp(-G[:, :1] * 5)), threshold=0.5,
                                         resolution=11, pad=0)
    assert np.array_equal(labels, (xx > 0).astype(int))
    with pytest.raises(ValueError, match="pass threshold=0.5 if it is a probability, or threshold=0 if it is a logit"):
        plot.grid_predictions(X, lambda G: G[:, :1], resolution=11)


def test_a_logit_model_whose_outputs_lie_in_0_1_gets_the_logit_boundary():
    # one logit z = 0.3 + 0.2·x₁: every output on this grid lies in [0, 1], yet z > 0 everywhere
    # except x₁ < -1.5, and that is where the boundary must be (not at z = 0.5, i.e. x₁ = 1).
    net = torch.nn.Linear(2, 1)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[0.2, 0.0]]))
        net.bias.fill_(0.3)
    X = np.array([[-2.0, 0.0], [2.0, 0.0]])
    xx, _, labels = plot.grid_predictions(X, net, resolution=41, pad=0)
    assert np.array_equal(labels, (0.3 + 0.2 * xx > 0).astype(int))


def test_decision_boundary_draws_a_class_legend_outside_the_data():
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    ax = plot.plot_decision_boundary(X, np.array([0, 1, 1]), lambda G: (G[:, 0] > 0).astype(int),
                                     classes=["outer", "inner"])
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["outer", "inner"]
    ax.figure.canvas.draw()
    box, frame = legend.get_window_extent(), ax.get_window_extent()
    assert box.x0 >= frame.x1, "the legend sits to the right of the axes, over no data"
    assert ax.get_xlabel() and ax.get_ylabel()


def test_show_images_marks_mistakes():
    axes = plot.show_images(np.zeros((3, 784)), labels=[1, 2, 3], preds=[1, 5, 3], ncols=3)
    titles = [ax.get_title() for ax in axes]
    assert titles == ["1", "2→5", "3"]
    assert axes[1].title.get_color() == "red" and axes[0].title.get_color() == "black"


def test_live_plot_throttles_redraws():
    x, y = data.sine_data(200)
    x = x / 10
    live = LivePlot(x, y, fps=20)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    train.fit(models.mlp([1, 16, 1]), x, y, optimizer="adam", lr=0.01, epochs=1500, callbacks=[live])
    seconds = time.perf_counter() - t0
    assert 1 <= live.frames <= seconds * 20 + 2, (live.frames, seconds)
    curve = live._fit_line.get_ydata()
    assert len(curve) == 200 and np.isfinite(curve).all()
    assert len(live._lines["loss"].get_xdata()) == 1500, "the final frame shows every epoch"


def test_live_plot_every_k_epochs():
    x, y = data.regression_data(seed=0)
    live = LivePlot(x, y, every=10, fps=1000)
    train.fit(models.mlp([1, 4, 1]), x, y, epochs=50, callbacks=[live])
    assert live.frames == 5 + 1  # every 10th epoch, plus the final frame


def test_live_plot_metric_panels():
    live = LivePlot(metrics=("loss", "val_loss", "val_acc"))
    assert len(live.axes) == 2 and set(live._lines) == {"loss", "val_loss", "val_acc"}
    with pytest.raises(ValueError, match="fps must be positive"):
        LivePlot(fps=0)


def _full_draw(canvas) -> np.ndarray:
    blitted = np.asarray(canvas.buffer_rgba()).copy()
    canvas.draw()
    return blitted, np.asarray(canvas.buffer_rgba())


def test_live_plot_frames_are_the_pixels_of_full_draws_and_mostly_blitted():
    X, y = data.toy_2d("circles", 200, 0.1, 0)
    live = LivePlot(metrics=("loss", "val_loss", "val_acc"))
    model, h = models.mlp([2, 8, 2]), train.History()
    for _ in range(12):
        h = train.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=10, val=(X, y),
                      history=h)
        live.draw(model, h)
        live.blitter.png()
        blitted, full = _full_draw(live.canvas)
        assert np.array_equal(blitted, full), f"epoch {h.epochs}"
    assert live.blitter.full_draws < 12


def test_live_fit_plot_is_blitted_between_view_changes():
    x, y = data.regression_data(seed=0)
    live = LivePlot(x, y)
    model, h = models.mlp([1, 10, 1]), train.History()
    for _ in range(10):
        h = train.fit(model, x, y, lr=0.2, epochs=7, history=h)
        live.draw(model, h)
        live.blitter.png()
        blitted, full = _full_draw(live.canvas)
        assert np.array_equal(blitted, full), f"epoch {h.epochs}"
    assert live.blitter.full_draws <= 5   # the view grows at 10, 20, 50, 100 epochs (and its decades)


def test_grow_view_steps_x_through_1_2_5_and_y_through_whole_decades():
    from course_utils.drawing import grow_view
    ax = plt.figure().subplots()
    ax.set_yscale("log")
    (line,) = ax.plot([], [])
    grow_view(ax, 0)
    assert ax.get_xlim() == (0, 1)
    tops = []
    for epochs in (1, 3, 5, 11, 20, 21, 140, 501):
        line.set_data(np.arange(1, epochs + 1), np.geomspace(0.7, 0.0031, epochs))
        grow_view(ax, epochs)
        tops.append(ax.get_xlim()[1])
    assert tops == [1, 5, 5, 20, 20, 50, 200, 1000]
    assert ax.get_ylim() == pytest.approx((1e-3, 1.0))
    for bad in (float("nan"), -1, float("inf"), "10"):
        with pytest.raises(ValueError, match="x_max must be a finite number"):
            grow_view(ax, bad)


def test_live_plot_names_a_metric_the_run_does_not_record():
    x, y = data.regression_data(seed=0)
    with pytest.raises(ValueError, match="records no 'val_acc'.*val=\\(X_val, y_val\\)"):
        train.fit(models.mlp([1, 4, 1]), x, y, epochs=2, callbacks=[LivePlot(metrics=("loss", "val_acc"))])


def test_the_picture_that_stays_ends_at_the_last_epoch():
    x, y = data.regression_data(seed=0)
    live = LivePlot(x, y, every=5, fps=1000)
    train.fit(models.mlp([1, 4, 1]), x, y, epochs=30, callbacks=[live])
    assert live.axes[1].get_xlim() == (0, 30)      # while training the view had grown to 50
    live.blitter.png()
    blitted, full = _full_draw(live.canvas)
    assert np.array_equal(blitted, full)


def test_blitter_redraws_a_changed_static_artist_only_after_invalidate():
    x, y = data.regression_data(seed=0)
    live = LivePlot(x, y, title="before")
    live.blitter.png()
    live.fig.suptitle("after")                     # static: kept in the cached picture
    live.blitter.png()
    blitted, full = _full_draw(live.canvas)
    assert not np.array_equal(blitted, full), "the cached picture still shows the old title"
    live.blitter.invalidate()
    live.blitter.png()
    blitted, full = _full_draw(live.canvas)
    assert np.array_equal(blitted, full)
