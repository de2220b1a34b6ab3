"""Every live view keeps its data in view: in every frame and in the final picture, each drawn point (the
vertices of lines, the offsets of scatter points) lies inside its axes' view limits.

The blitting tests compare a blitted frame with a full draw, so a view that is wrong both ways passes
them; these tests look at the limits themselves.
"""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D

from course_utils import data, models, train, widgets
from course_utils.live import LivePlot


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _outside(fig) -> tuple[int, list[str]]:
    """How many finite points the figure's axes draw, and a line for each artist with points outside its view."""
    shown, bad = 0, []
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        for artist in [*ax.lines, *ax.collections]:
            if isinstance(artist, Line2D):
                pts = artist.get_xydata()
            elif isinstance(artist, PathCollection):
                pts = artist.get_offsets()
            else:
                continue
            pts = np.asarray(pts, dtype=float).reshape(-1, 2)
            pts = pts[np.isfinite(pts).all(axis=1)]
            if ax.get_yscale() == "log":
                pts = pts[pts[:, 1] > 0]
            shown += len(pts)
            out = pts[(pts[:, 0] < x0) | (pts[:, 0] > x1) | (pts[:, 1] < y0) | (pts[:, 1] > y1)]
            if len(out):
                bad.append(f"{ax.get_title() or ax.get_ylabel()!r}: {artist.get_label()!r} has {len(out)} points "
                           f"outside x {x0:g}..{x1:g}, y {y0:g}..{y1:g}, e.g. {out[0].tolist()}")
    return shown, bad


def _check(fig, frame: str) -> int:
    shown, bad = _outside(fig)
    assert not bad, f"{frame}: " + "; ".join(bad)
    return shown


def test_the_playgrounds_loss_curves_stay_in_view_as_the_loss_falls_below_the_first_view():
    pg = widgets.playground(n=200, resolution=20, epochs_per_frame=10, lr=0.1, batch_size=None)
    _check(pg.fig, "before the first step")
    for frame in range(15):
        pg.step()
        assert _check(pg.fig, f"frame {frame}, epoch {pg.epoch}") > 200, "the points and both curves are checked"
    assert min(pg.history.loss) < 0.05, "the training loss fell well below the first view (0.1 to 1)"
    pg.run(1, draw=False)  # the final picture, drawn once
    _check(pg.fig, "the final picture")
    pg.reset()
    _check(pg.fig, "after reset")
    assert pg.ax_l.get_ylim() == (0.1, 1)


class _CheckedLivePlot(LivePlot):
    """A LivePlot that checks the view of every frame it draws."""

    def draw(self, model, history, final=False):
        super().draw(model, history, final)
        self.checked = getattr(self, "checked", 0) + 1
        _check(self.fig, f"{'final' if final else 'frame'} at epoch {history.epochs}")


def test_live_plot_keeps_losses_and_accuracies_in_view():
    X, y = data.toy_2d("circles", 200, 0.05, 0)
    live = _CheckedLivePlot(metrics=("loss", "val_loss", "train_acc", "val_acc"), every=4, fps=1000)
    torch.manual_seed(0)
    h = train.fit(models.mlp([2, 16, 2]), X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=40,
                  batch_size=50, val=(X, y), seed=0, callbacks=[live])
    assert live.checked == 40 // 4 + 1 and h.loss[-1] < 0.1 * h.loss[0]


def test_live_plot_keeps_the_models_curve_in_view_when_it_starts_far_from_the_data():
    x, y = data.regression_data(seed=0)   # y from 0 to about 1.2
    torch.manual_seed(0)
    net = models.mlp([1, 8, 1])
    with torch.no_grad():
        net[-1].bias.fill_(10.0)          # a model that starts well above the data
    live = _CheckedLivePlot(x, y, every=1, fps=1000)
    train.fit(net, x, y, lr=0.1, epochs=20, callbacks=[live])
    assert live.checked == 20 + 1


def test_fit_explorer_keeps_the_curve_in_view_before_it_reaches_the_data():
    x = torch.linspace(-1, 1, 50)[:, None]
    ex = widgets.FitExplorer(x, x ** 2 + 3, hidden="8", epochs=10, lr=0.01)  # 10 small steps from outputs near 0
    assert _check(ex.fig, "10 epochs") == 100
    assert abs(float(ex.line.get_ydata().mean()) - 3.3) > 1, "the curve is still far from the data"
    ex.epochs_w.value = 1000
    _check(ex.fig, "1000 epochs")
