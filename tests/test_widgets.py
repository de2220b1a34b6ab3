"""Drive the widgets through their traits and buttons, as a learner's clicks would."""
import asyncio
import dataclasses

import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba

from course_utils import widgets


@pytest.mark.parametrize("text,expected", [("8,8", [8, 8]), (" 4 ", [4]), ("", []), ("16, 8,4", [16, 8, 4])])
def test_parse_hidden(text, expected):
    assert widgets.parse_hidden(text) == expected


@pytest.mark.parametrize("text,msg", [("8,,a", "entry 2 is empty"), ("0", "entry 1 is 0"), ("8,a", r"entry 2 \('a'\) is not a whole number"),
                                      ("-3", "not a whole number"), ("999", "256 units or fewer"), ("1,1,1,1,1,1,1", "at most 6")])
def test_parse_hidden_rejects(text, msg):
    with pytest.raises(ValueError, match=msg):
        widgets.parse_hidden(text)


@pytest.fixture
def pg():
    return widgets.playground(n=200, resolution=30, epochs_per_frame=3)


def _params(model):
    return [p.detach().clone() for p in model.parameters()]


def test_step_trains_and_redraws(pg):
    before, image = _params(pg.model), pg.view_w.value
    pg.step_w.click()
    assert pg.epoch == 3 and "epoch 3" in pg.epoch_w.value
    assert any(not torch.equal(a, b) for a, b in zip(before, pg.model.parameters()))
    assert pg.view_w.value != image and len(pg.neurons_w.value) > 100
    assert len(pg.l_train.get_xdata()) == 3 and len(pg.l_test.get_xdata()) == 1
    pg.run(4)
    assert pg.epoch == 15 and pg.history.metrics["epoch"] == [3, 6, 9, 12, 15]


def test_training_improves_the_fit(pg):
    pg.run(30)
    assert pg.history.loss[-1] < 0.5 * pg.history.loss[0]
    assert pg.history.last("val_acc") > 0.9


def test_bad_hidden_sizes_keep_the_last_good_model(pg):
    pg.run(2)
    model, epoch = pg.model, pg.epoch
    pg.hidden_w.value = "8,,a"
    assert "entry 2 is empty" in pg.message_w.value and "last good network is kept" in pg.message_w.value
    assert pg.model is model and pg.epoch == epoch and pg.cfg == [2, 8, 8, 2]
    pg.hidden_w.value = "0"
    assert "at least 1 unit" in pg.message_w.value and pg.model is model
    pg.hidden_w.value = "4"
    assert pg.message_w.value == "" and pg.cfg == [2, 4, 2] and pg.epoch == 0
    assert pg.hidden_maps().shape == (4, 30, 30)


def test_controls_change_model_and_data(pg):
    pg.run(1)
    weights = _params(pg.model)
    pg.lr_w.value = 0.1
    assert pg.optimizer.param_groups[0]["lr"] == pytest.approx(0.1)
    assert all(torch.equal(a, b) for a, b in zip(weights, pg.model.parameters())), "lr keeps the weights"
    pg.opt_w.value = "sgd"
    assert isinstance(pg.optimizer, torch.optim.SGD)
    pg.decay_w.value = 1e-3
    assert pg.optimizer.param_groups[0]["weight_decay"] == 1e-3
    pg.act_w.value = "relu"
    assert isinstance(pg.model[1], torch.nn.ReLU) and pg.epoch == 0
    X = pg.X_train.clone()
    pg.data_w.value = "spiral"
    assert not torch.equal(X, pg.X_train)
    n_train = len(pg.X_train)
    pg.split_w.value = 0.8
    assert len(pg.X_train) > n_train
    seed = pg.seed
    pg.regen_w.click()
    assert pg.seed == seed + 1
    pg.run(1)
    pg.reset_w.click()
    assert pg.epoch == 0 and "epoch 0" in pg.epoch_w.value


def test_code_line_recreates_the_settings(pg):
    pg.data_w.value, pg.hidden_w.value, pg.act_w.value, pg.batch_w.value = "xor", "6,3", "relu", None
    pg.decay_w.value = 1e-2
    line = pg.code_line
    assert line.startswith("playground(data_set='xor'") and "hidden='6,3'" in line and "batch_size=None" in line
    again = eval(line, {"playground": lambda **kw: widgets.playground(n=200, resolution=30, **kw)})
    assert again.cfg == [2, 6, 3, 2] and again.batch_w.value is None and again.code_line == line
    assert again.decay_w.value == 1e-2 and again.optimizer.param_groups[0]["weight_decay"] == 1e-2


def test_divergence_is_reported_and_stops_play(pg):
    pg.act_w.value, pg.opt_w.value = "relu", "sgd"   # unbounded units, plain steps
    pg.optimizer.param_groups[0]["lr"] = 1e30   # far beyond the slider, to force a blow-up
    pg.play_w.value = True                       # no kernel loop here: play is refused at once
    pg.step()
    assert "Training diverged" in pg.message_w.value and "lower the learning rate" in pg.message_w.value
    assert pg.play_w.value is False


def test_play_runs_in_the_background_and_pause_stops_it(pg):
    async def session():
        pg.play_w.value = True
        assert pg.play_w.description == "pause"
        for _ in range(400):              # the kernel would be reading widget messages meanwhile
            await asyncio.sleep(0.05)
            if pg.epoch >= 3 * 3:
                break
        pg.play_w.value = False
        await asyncio.wait_for(pg._task, 5)
        return pg.epoch
    epoch = asyncio.run(session())
    assert epoch >= 3 * 3, "several frames trained while playing"
    assert pg.epoch == epoch and pg.play_w.description == "play"


def test_play_without_event_loop_explains(pg):
    pg.play_w.value = True
    assert pg.play_w.value is False and "running Jupyter kernel" in pg.message_w.value


def test_widget_tree_builds(pg):
    tree = pg.widget()
    assert tree.children and np.frombuffer(pg.view_w.value[:8], np.uint8).tolist()[1:4] == [80, 78, 71]


def test_fit_explorer_retrains_on_change():
    from course_utils import data
    x, y = data.regression_data(seed=0)
    ex = widgets.FitExplorer(x, y, hidden="10", epochs=50)
    first_mse, image = ex.mse, ex.view_w.value
    assert "31</b> parameters" in ex.info_w.value
    ex.epochs_w.value = 300
    assert ex.mse < first_mse and ex.view_w.value != image
    ex.hidden_w.value = "20,20"
    assert ex.n_params == 20 + 20 + 420 + 21 and "481</b> parameters" in ex.info_w.value
    model = ex.model
    ex.hidden_w.value = "20,,"
    assert "entry 2 is empty" in ex.info_w.value and ex.model is model


def test_digit_browser_shows_probabilities():
    images = torch.randint(0, 255, (5, 28, 28), dtype=torch.uint8)
    probs = torch.softmax(torch.randn(5, 10), 1)
    labels = torch.tensor([0, 1, 2, 3, 4])
    b = widgets.DigitBrowser(images, labels, probs)
    b.index_w.value = 3
    assert "true <b>3</b>" in b.info_w.value
    assert np.isclose(b.bars[int(probs[3].argmax())].get_height(), float(probs[3].max()))
    assert np.array_equal(b.im.get_array(), images[3].numpy())
    # a confident mistake: the true digit's bar is near 0 high, so its label carries the colour too
    sure = torch.full((5, 10), 1e-4).index_fill_(1, torch.tensor([7]), 1 - 9e-4)
    b = widgets.DigitBrowser(images, labels, sure)
    b.index_w.value = 2
    ticks = {t.get_text(): t for t in b.ax_bar.get_xticklabels()}
    assert b.bars[2].get_height() < 0.01 and b.bars[2].get_facecolor() == to_rgba("C2")
    assert ticks["2"].get_color() == "C2" and ticks["7"].get_color() == "C3" and ticks["5"].get_color() == "black"
    assert ticks["2"].get_fontweight() == "bold"
    with pytest.raises(ValueError, match="same, non-zero length"):
        widgets.DigitBrowser(images, labels[:2], probs)


@pytest.mark.parametrize("kwargs,msg", [
    ({"hidden": "8,,8"}, "entry 2 is empty"),
    ({"batch_size": 7}, "batch_size 7 is not offered here: use one of 8, 16, 32, 64, None"),
    ({"batch_size": "32"}, "batch_size '32' is not offered"),
    ({"weight_decay": 0.5}, "weight_decay 0.5 is not offered"),
    ({"data_set": "swiss roll"}, "data_set 'swiss roll' is not offered"),
    ({"lr": 0}, "lr must be a number from 0.0001 to 1"),
    ({"train_frac": 1.0}, "train_frac must be a number from 0.1 to 0.9"),
    ({"n": 5}, "n must be a whole number from 20 to 5000"),
])
def test_bad_playground_arguments_are_one_sentence(kwargs, msg):
    with pytest.raises(ValueError, match=msg) as err:
        widgets.playground(**kwargs)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("kwargs,msg", [
    ({"hidden": "10,,"}, "entry 2 is empty"),
    ({"epochs": 5}, "epochs must be a whole number from 10 to 1000"),
    ({"schedule": "linear"}, "schedule 'linear' is not offered"),
    ({"optimizer": "rmsprop"}, "optimizer 'rmsprop' is not offered"),
])
def test_bad_fit_explorer_arguments_are_one_sentence(kwargs, msg):
    from course_utils import data
    x, y = data.regression_data(seed=0)
    with pytest.raises(ValueError, match=msg):
        widgets.FitExplorer(x, y, **kwargs)
    with pytest.raises(ValueError, match=r"x and y must be tensors of the same shape \(N, 1\)"):
        widgets.FitExplorer(x[:, 0], y)


def _break_training(pg):
    def boom():
        raise RuntimeError("boom")
    pg.optimizer.step = boom


def test_an_error_in_a_button_callback_is_shown_and_the_controls_keep_working(pg):
    _break_training(pg)
    pg.step_w.click()
    assert "something went wrong (RuntimeError: boom)" in pg.message_w.value
    pg.reset_w.click()            # a fresh optimizer: the controls still work
    pg.step_w.click()
    assert pg.epoch == 3 and pg.message_w.value == ""


def test_an_error_in_the_play_task_is_shown_and_play_resets(pg):
    async def session():
        pg.play_w.value = True
        await asyncio.sleep(0.2)
        _break_training(pg)
        await asyncio.wait_for(pg._task, 2)
    asyncio.run(session())
    assert "RuntimeError: boom" in pg.message_w.value
    assert pg.play_w.value is False and pg.play_w.description == "play"


def test_widgets_and_checks_leave_the_learners_random_state_alone():
    import random

    from course_utils import data, exercises
    torch.manual_seed(5)
    np.random.seed(5)
    random.seed(5)
    states = torch.random.get_rng_state(), np.random.get_state()[1].copy(), random.getstate()
    pg = widgets.playground(n=100, resolution=20, epochs_per_frame=2)
    pg.run(2)
    pg.reset_w.click()
    x, y = data.regression_data(seed=0)
    widgets.FitExplorer(x, y, epochs=20)
    from course_utils.exercises import lesson01
    assert exercises.judge("01.1", lesson01.reference_net()).ok
    net = lesson01.reference_loop(x, y, 0)
    assert exercises.judge("01.2", net, x=x, y=y, seed=0).ok
    assert torch.equal(torch.random.get_rng_state(), states[0])
    assert np.array_equal(np.random.get_state()[1], states[1]) and random.getstate() == states[2]


def test_the_boundary_view_names_what_it_shows(pg):
    """Axis labels, a colour scale for the background and a class key, all on the figure the widget draws."""
    labels = [ax.get_ylabel() for ax in pg.fig.axes]
    assert "predicted P(class 1)" in labels and "cross-entropy loss (log scale)" in labels
    assert pg.ax_b.get_xlabel().startswith("x₁") and pg.ax_l.get_xlabel() == "epoch"
    assert [t.get_text() for t in pg.ax_b.get_legend().get_texts()] == ["class 0", "class 1", "test point"]
    assert pg.ax_l.get_xlim()[0] >= 0   # no negative epochs before the first step


def test_neuron_maps_come_one_row_per_layer_with_at_most_16_units_each(pg):
    from PIL import Image
    def rows(png):
        return round(Image.open(__import__("io").BytesIO(png)).height / (56 + 12 + 4))
    assert rows(widgets._neuron_sheet([np.zeros((3, 5, 5)), np.zeros((10, 5, 5))])) == 3  # 3 units; 8 + 2
    pg.hidden_w.value = "20,4"
    assert pg.hidden_maps().shape[0] == 24 and rows(pg.neurons_w.value) == 3         # 16 of 20 shown, then 4


def test_run_without_drawing_trains_the_same_and_draws_once_at_the_end():
    a, b = widgets.playground(seed=3, n=60), widgets.playground(seed=3, n=60)
    frames = b.frames
    a.run(3)
    b.run(3, draw=False)
    assert b.frames == frames + 1 and a.epoch == b.epoch == 15
    assert a.history.loss == b.history.loss and a.view_w.value == b.view_w.value


def test_playground_frames_are_the_pixels_of_full_draws_and_mostly_blitted(pg):
    def same_as_full_draw() -> bool:
        blitted = np.asarray(pg.canvas.buffer_rgba()).copy()
        pg.canvas.draw()
        return np.array_equal(blitted, np.asarray(pg.canvas.buffer_rgba()))
    for _ in range(20):
        pg.step()
        assert same_as_full_draw(), f"epoch {pg.epoch}"
    assert pg.blitter.full_draws <= 10
    pg.noise_w.value = 0.3                     # new points and a new network: the frame still matches
    assert same_as_full_draw()
    pg.data_w.value = "spiral"                 # a new extent: the plane's limits change
    assert same_as_full_draw()


def test_playground_settings_are_checked_once_in_one_object(monkeypatch):
    calls = []
    parse = widgets.parse_hidden
    monkeypatch.setattr(widgets, "parse_hidden", lambda text: calls.append(text) or parse(text))
    pg = widgets.playground(n=60, resolution=12, hidden=" 6, 3 ")
    assert calls.count(" 6, 3 ") == 1, "the typed sizes are parsed once, by the settings object"
    assert "hidden='6,3'" in pg.code_line, "the code line shows the sizes of the network built"
    s = widgets.PlaygroundSettings(hidden="6,3", n=60, resolution=12)
    assert s.sizes == (6, 3) and pg.settings == s and pg.cfg == [2, 6, 3, 2]
    with pytest.raises(AttributeError):
        s.lr = 0.5                                    # frozen: one checked set of values
    again = widgets.Playground(s)
    assert again.code_line == pg.code_line
    with pytest.raises(ValueError, match="either a PlaygroundSettings or keyword arguments, not both"):
        widgets.Playground(s, lr=0.1)
    with pytest.raises(TypeError, match=r"by name, e.g. Playground\(data_set='moons'\)"):
        widgets.Playground("moons")


def test_code_line_is_the_settings_call_and_the_widget_shows_it_escaped(pg):
    import html
    pg.opt_w.value, pg.lr_w.value = "adamw", 0.1
    line = pg.code_line
    assert line == pg.settings.code_line() and "optimizer='adamw'" in line and "lr=0.1" in line
    assert pg.code_w.value == f"<code>{html.escape(line)}</code>"
    rebuilt = eval(line, {"playground": widgets.PlaygroundSettings})
    s = pg.settings
    sizing = {"n": s.n, "resolution": s.resolution, "epochs_per_frame": s.epochs_per_frame, "fps": s.fps}
    assert dataclasses.replace(rebuilt, **sizing) == s, "the line holds every control's value"


def test_the_playground_offers_the_packages_own_activations_and_optimizers(pg):
    from course_utils import models, train
    assert list(pg.act_w.options) == list(models.ACTIVATIONS)
    assert list(pg.opt_w.options) == list(train.OPTIMIZERS)
    pg.act_w.value = "gelu"
    assert isinstance(pg.model[1], torch.nn.GELU)
