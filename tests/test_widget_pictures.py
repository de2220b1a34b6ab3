"""A widget's display bundle carries a PNG of its view, for pages that have no kernel (the website)."""
import base64

import ipywidgets as W
import pytest
import torch
from IPython.core.formatters import DisplayFormatter

from course_utils import widgets

VIEW = "application/vnd.jupyter.widget-view+json"


def _bundle(obj) -> dict:
    data, _ = DisplayFormatter().format(obj)  # what display(obj) sends to the notebook
    return data


def _explorer():
    x = torch.linspace(-1, 1, 40)[:, None]
    return widgets.FitExplorer(x, x ** 2, hidden="4", epochs=20, max_epochs=100)


def _browser():
    probs = torch.softmax(torch.arange(30.0).reshape(3, 10), 1)
    return widgets.DigitBrowser(torch.zeros(3, 28, 28), torch.tensor([1, 2, 3]), probs)


def _playground():
    return widgets.playground(n=60, resolution=12)


@pytest.mark.parametrize("make", [_explorer, _browser, _playground], ids=["FitExplorer", "DigitBrowser", "Playground"])
def test_bundle_holds_the_live_widget_and_a_picture_of_its_view(make):
    shown = make()
    data = _bundle(shown)
    assert data[VIEW]["model_id"], "the live widget view is still there for JupyterLab"
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == shown.view_w.value


def test_picture_is_the_view_at_display_time():
    explorer = _explorer()
    first = base64.b64decode(_bundle(explorer)["image/png"])
    explorer.epochs_w.value = 100  # retrains and redraws
    second = base64.b64decode(_bundle(explorer)["image/png"])
    assert second != first and second == explorer.view_w.value


def test_no_picture_without_a_rendered_view():
    class Bare(widgets._Shown):
        def __init__(self):
            self.view_w = W.Image(format="png")  # nothing drawn yet

        def widget(self):
            return W.VBox([self.view_w])

    bare = Bare()
    data = _bundle(bare)
    assert VIEW in data and "image/png" not in data and bare.picture() is None
