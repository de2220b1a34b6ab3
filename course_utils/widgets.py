"""Interactive exploration with ipywidgets: the playground, and small explorers for the lessons.

How the playground stays responsive: training runs in short chunks (a few epochs, a few tens of
milliseconds) inside an asyncio task on the kernel's own event loop. Between chunks the task
yields (``await asyncio.sleep``), so the kernel reads widget messages, and Pause, sliders and
buttons act at once. Tasks return at once, so headless runs and tests use the blocking
:meth:`Playground.run` instead. Views are rendered with Matplotlib's Agg canvas into an
``ipywidgets.Image`` and updated in place (``set_data``), never replotted.
"""
from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import ipywidgets as W
import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

from . import data, models, train
from .live import png_bytes

BATCHES = {"8": 8, "16": 16, "32": 32, "64": 64, "full": None}
L2S = [0.0, 1e-4, 1e-3, 1e-2, 1e-1]


def parse_hidden(text: str) -> list[int]:
    """``"8,8"`` → ``[8, 8]``; ``""`` → ``[]`` (no hidden layer). Raises ``ValueError`` in one sentence."""
    text = text.strip()
    if not text:
        return []
    sizes = []
    for i, part in enumerate(text.split(","), start=1):
        part = part.strip()
        if not part:
            raise ValueError(f"hidden sizes {text!r}: entry {i} is empty; type sizes separated by commas, e.g. 8,8.")
        if not part.isdigit():
            raise ValueError(f"hidden sizes {text!r}: entry {i} ({part!r}) is not a whole number; e.g. 8,8.")
        if int(part) < 1:
            raise ValueError(f"hidden sizes {text!r}: entry {i} is {part}; every layer needs at least 1 unit.")
        if int(part) > 256:
            raise ValueError(f"hidden sizes {text!r}: entry {i} is {part}; keep layers at 256 units or fewer here.")
        sizes.append(int(part))
    if len(sizes) > 6:
        raise ValueError(f"hidden sizes {text!r}: {len(sizes)} layers; use at most 6 here.")
    return sizes


def _tiles_png(maps: np.ndarray, size: int = 48, per_row: int = 8) -> bytes:
    """Neuron heatmaps (k, R, R) in [-1, 1] as one PNG of tiles, without Matplotlib axes (fast)."""
    k, r, _ = maps.shape
    rows = max(1, -(-k // per_row))
    cmap = colormaps["RdBu"]
    sheet = np.full((rows * (size + 4), per_row * (size + 4), 3), 255, np.uint8)
    for i in range(k):
        rgb = (cmap((maps[i][::-1] + 1) / 2)[..., :3] * 255).astype(np.uint8)
        tile = np.asarray(PILImage.fromarray(rgb).resize((size, size), PILImage.NEAREST))
        y0, x0 = (i // per_row) * (size + 4) + 2, (i % per_row) * (size + 4) + 2
        sheet[y0:y0 + size, x0:x0 + size] = tile
    buf = io.BytesIO()
    PILImage.fromarray(sheet).save(buf, format="png", compress_level=1)
    return buf.getvalue()


class _Shown:
    """Displays :meth:`widget` when the object is the last line of a cell or is passed to ``display``.

    The display bundle holds the live widget and, when the object has a ``view_w`` image, a PNG
    of that view as it is at display time: JupyterLab shows the live widget, while pages without
    a kernel (the course website, repository previews) can show the picture instead.
    """

    def widget(self) -> W.Widget:
        raise NotImplementedError

    def picture(self) -> bytes | None:
        """PNG bytes of the current view (the ``view_w`` image), or None when there is no such image."""
        value = bytes(getattr(getattr(self, "view_w", None), "value", b"") or b"")
        return value if value.startswith(b"\x89PNG\r\n\x1a\n") else None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        import base64
        view = self.widget()
        bundle = dict(view._repr_mimebundle_() or {"text/plain": repr(view)})
        png = self.picture()
        if png is not None:
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle


class Playground(_Shown):
    """TensorFlow-Playground-style explorer: data, network, controls and live views.

    Every argument is also a control; :attr:`code_line` shows the call that recreates the state.
    """

    def __init__(self, data_set: str = "circles", noise: float = 0.1, hidden: str = "8,8",
                 activation: str = "tanh", lr: float = 0.03, optimizer: str = "adam",
                 batch_size: str = "32", l2: float = 0.0, train_frac: float = 0.5, n: int = 400,
                 seed: int = 0, epochs_per_frame: int = 5, fps: float = 15.0, resolution: int = 60):
        self.seed, self.n, self.resolution = seed, n, resolution
        self.interval = 1.0 / fps
        self.frames = 0
        self._task: asyncio.Task | None = None
        style = {"description_width": "90px"}
        lay = W.Layout(width="260px")
        self.data_w = W.Dropdown(options=list(data.TOY_SETS), value=data_set, description="data", style=style, layout=lay)
        self.noise_w = W.FloatSlider(value=noise, min=0.0, max=0.5, step=0.01, description="noise",
                                     continuous_update=False, style=style, layout=lay)
        self.split_w = W.FloatSlider(value=train_frac, min=0.1, max=0.9, step=0.1, description="train share",
                                     continuous_update=False, style=style, layout=lay)
        self.regen_w = W.Button(description="regenerate", icon="refresh", layout=W.Layout(width="260px"))
        self.hidden_w = W.Text(value=hidden, description="hidden sizes", continuous_update=False, style=style, layout=lay)
        self.act_w = W.Dropdown(options=["relu", "tanh", "sigmoid"], value=activation, description="activation", style=style, layout=lay)
        self.lr_w = W.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.25, description="learning rate",
                                     readout_format=".4f", continuous_update=False, style=style, layout=lay)
        self.opt_w = W.Dropdown(options=["sgd", "adam"], value=optimizer, description="optimizer", style=style, layout=lay)
        self.batch_w = W.Dropdown(options=list(BATCHES), value=batch_size, description="batch size", style=style, layout=lay)
        self.l2_w = W.Dropdown(options=L2S, value=l2, description="L2", style=style, layout=lay)
        self.play_w = W.ToggleButton(value=False, description="play", icon="play", layout=W.Layout(width="84px"))
        self.step_w = W.Button(description="step", icon="step-forward", layout=W.Layout(width="84px"))
        self.reset_w = W.Button(description="reset", icon="undo", layout=W.Layout(width="84px"))
        self.epoch_w = W.HTML()
        self.message_w = W.HTML()
        self.code_w = W.HTML()
        self.view_w = W.Image(format="png")
        self.neurons_w = W.Image(format="png")
        self._build_figure()
        self._make_data()
        self._make_model()
        for w in (self.data_w, self.noise_w, self.split_w):
            w.observe(lambda _: self.regenerate(), names="value")
        self.regen_w.on_click(lambda _: self.regenerate(new_seed=True))
        self.hidden_w.observe(lambda _: self.reset(), names="value")
        self.act_w.observe(lambda _: self.reset(), names="value")
        for w in (self.opt_w, self.lr_w, self.l2_w):  # keep the weights, change how they move
            w.observe(lambda _: self._new_optimizer(), names="value")
        self.batch_w.observe(lambda _: self._update_code(), names="value")
        self.step_w.on_click(lambda _: self.step())
        self.reset_w.on_click(lambda _: self.reset())
        self.play_w.observe(self._on_play, names="value")
        self.epochs_per_frame = epochs_per_frame
        self.render()

    # --- state -------------------------------------------------------------------------
    def _make_data(self) -> None:
        X, y = data.toy_2d(self.data_w.value, self.n, self.noise_w.value, self.seed)
        k = int(round(self.split_w.value * self.n))
        self.X_train, self.y_train, self.X_test, self.y_test = X[:k], y[:k], X[k:], y[k:]
        lim = float(X.abs().max()) * 1.1
        g = np.linspace(-lim, lim, self.resolution, dtype=np.float32)
        xx, yy = np.meshgrid(g, g)
        self.extent = (-lim, lim, -lim, lim)
        self.grid = torch.from_numpy(np.c_[xx.ravel(), yy.ravel()])

    def _make_model(self) -> bool:
        """Build the model from the controls; on bad input keep the last good one and say why."""
        try:
            hidden = parse_hidden(self.hidden_w.value)
        except ValueError as exc:
            self.message_w.value = f"<span style='color:#b00'>⚠ {exc} The last good network is kept.</span>"
            return False
        torch.manual_seed(self.seed)
        self.cfg = [2, *hidden, 2]
        self.model = models.mlp(self.cfg, activation=self.act_w.value)
        self.history = train.History()
        self.message_w.value = ""
        self._new_optimizer()
        return True

    def _new_optimizer(self) -> None:
        self.optimizer = train.make_optimizer(self.model, self.opt_w.value, self.lr_w.value,
                                              weight_decay=self.l2_w.value)
        self._update_code()

    def _update_code(self) -> None:
        self.code_w.value = ("<code>playground(data_set={!r}, noise={:.2f}, hidden={!r}, activation={!r}, "
                             "lr={:.4g}, optimizer={!r}, batch_size={!r}, l2={:g}, train_frac={:.1f}, seed={})</code>"
                             ).format(self.data_w.value, self.noise_w.value, self.hidden_w.value,
                                      self.act_w.value, self.lr_w.value, self.opt_w.value, self.batch_w.value,
                                      self.l2_w.value, self.split_w.value, self.seed)

    @property
    def code_line(self) -> str:
        """The call that recreates the current settings."""
        return self.code_w.value.removeprefix("<code>").removesuffix("</code>")

    @property
    def epoch(self) -> int:
        return self.history.epochs

    def regenerate(self, new_seed: bool = False) -> None:
        if new_seed:
            self.seed += 1
        self._make_data()
        self._make_model()
        self._rebuild_points()
        self.render()

    def reset(self) -> None:
        self._make_model()
        self.render()

    def step(self, epochs: int | None = None) -> None:
        """Train a chunk of epochs (the same ``train.fit`` as the lessons), then redraw."""
        k = epochs or self.epochs_per_frame
        try:
            self.history = train.fit(self.model, self.X_train, self.y_train, loss="cross_entropy",
                                     optimizer=self.optimizer, epochs=k, batch_size=BATCHES[self.batch_w.value],
                                     val=(self.X_test, self.y_test), eval_every=k, seed=self.seed + self.epoch,
                                     history=self.history)
        except train.TrainingDiverged as exc:
            self.play_w.value = False
            self.history = exc.history
            self.message_w.value = f"<span style='color:#b00'>⚠ {exc}</span>"
        self.render()

    # --- views -------------------------------------------------------------------------
    def _build_figure(self) -> None:
        self.fig = Figure(figsize=(8.4, 3.6), dpi=80)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax_b, self.ax_l = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
        self.im = self.ax_b.imshow(np.zeros((2, 2)), cmap="RdBu", vmin=0, vmax=1, origin="lower",
                                   interpolation="bilinear", alpha=0.75)
        none = np.empty((0, 2))
        self.sc_train = self.ax_b.scatter(none[:, 0], none[:, 1], c=none[:, 0], s=12, edgecolors="white",
                                          linewidths=0.4, cmap="RdBu", vmin=0, vmax=1)
        self.sc_test = self.ax_b.scatter(none[:, 0], none[:, 1], c=none[:, 0], s=12, marker="x", cmap="RdBu",
                                         vmin=0, vmax=1, linewidths=0.8)
        self.ax_b.set_xticks([])
        self.ax_b.set_yticks([])
        self.ax_b.set_title("P(class 1): train ●, test ×", fontsize=9)
        (self.l_train,) = self.ax_l.plot([], [], label="train loss")
        (self.l_test,) = self.ax_l.plot([], [], label="test loss")
        self.ax_l.set_yscale("log")
        self.ax_l.set_xlabel("epoch")
        self.ax_l.legend(fontsize=8, loc="upper right")
        self.fig.tight_layout()

    def _rebuild_points(self) -> None:
        self.im.set_extent(self.extent)
        self.ax_b.set_xlim(self.extent[:2])
        self.ax_b.set_ylim(self.extent[2:])
        self.sc_train.set_offsets(self.X_train.numpy())
        self.sc_train.set_array(self.y_train.numpy().astype(float))
        self.sc_test.set_offsets(self.X_test.numpy())
        self.sc_test.set_array(self.y_test.numpy().astype(float))

    def hidden_maps(self) -> np.ndarray:
        """What each hidden neuron outputs over the grid, scaled to [-1, 1]: (units, R, R)."""
        maps, h = [], self.grid
        with torch.no_grad():
            for layer in self.model[:-1]:
                h = layer(h)
                if not isinstance(layer, torch.nn.Linear):
                    maps.append(h.T)
        if not maps:
            return np.zeros((0, self.resolution, self.resolution))
        m = torch.cat(maps).numpy().reshape(-1, self.resolution, self.resolution)
        lo, hi = m.min(axis=(1, 2), keepdims=True), m.max(axis=(1, 2), keepdims=True)
        return 2 * (m - lo) / np.maximum(hi - lo, 1e-9) - 1

    def render(self) -> None:
        """Update every artist in place and refresh the image widgets."""
        if self.frames == 0:
            self._rebuild_points()
        self.model.eval()
        with torch.no_grad():
            p = self.model(self.grid).softmax(1)[:, 1].numpy().reshape(self.resolution, self.resolution)
        self.model.train()
        self.im.set_data(p)
        h = self.history
        self.l_train.set_data(h.epoch, h.loss)
        self.l_test.set_data(h.metrics.get("epoch", []), h.metrics.get("val_loss", []))
        self.ax_l.relim()
        self.ax_l.autoscale_view()
        self.view_w.value = png_bytes(self.canvas)
        self.neurons_w.value = _tiles_png(self.hidden_maps()[:32])
        acc = f", test accuracy {h.metrics['val_acc'][-1]:.3f}" if h.metrics.get("val_acc") else ""
        loss = f", train loss {h.loss[-1]:.4f}" if h.loss else ""
        self.epoch_w.value = f"<b>epoch {h.epochs}</b>{loss}{acc}"
        self.frames += 1

    # --- playing -----------------------------------------------------------------------
    def run(self, frames: int) -> float:
        """Blocking: ``frames`` chunks of training and redraws; returns frames per second."""
        t0 = time.perf_counter()
        for _ in range(frames):
            self.step()
        return frames / (time.perf_counter() - t0)

    async def _play(self) -> None:
        while self.play_w.value:
            t0 = time.perf_counter()
            self.step()
            await asyncio.sleep(max(0.001, self.interval - (time.perf_counter() - t0)))

    def _on_play(self, change: dict) -> None:
        self.play_w.description, self.play_w.icon = ("pause", "pause") if change["new"] else ("play", "play")
        if change["new"]:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop (a plain script): nothing to schedule on
                self.message_w.value = "play needs a running Jupyter kernel; use step() or run(frames)."
                self.play_w.value = False
                return
            if self._task is None or self._task.done():
                self._task = loop.create_task(self._play())

    def widget(self) -> W.Widget:
        controls = W.VBox([W.HTML("<b>data</b>"), self.data_w, self.noise_w, self.split_w, self.regen_w,
                           W.HTML("<b>network</b>"), self.hidden_w, self.act_w, self.lr_w, self.opt_w,
                           self.batch_w, self.l2_w], layout=W.Layout(min_width="300px", flex="0 0 auto"))
        top = W.HBox([self.play_w, self.step_w, self.reset_w, self.epoch_w])
        views = W.VBox([top, self.message_w, self.view_w, W.HTML("<b>hidden neurons</b> (output over the plane)"),
                        self.neurons_w, self.code_w])
        return W.HBox([controls, views])


def playground(**kwargs: Any) -> Playground:
    """Create a :class:`Playground`; display it by leaving it as the last line of a cell."""
    return Playground(**kwargs)


class FitExplorer(_Shown):
    """1-D regression explorer: hidden sizes and steps in, the fitted curve and its MSE out.

    Changing a control retrains from the same seed (``continuous_update=False``: on release).
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, hidden: str = "10", steps: int = 100,
                 max_steps: int = 1000, lr: float = 0.2, optimizer: str = "sgd", schedule: str | None = None,
                 scale: float = 1.0, seed: int = 0):
        self.x, self.y, self.lr, self.optimizer, self.schedule, self.scale, self.seed = (
            x, y, lr, optimizer, schedule, scale, seed)
        self.hidden_w = W.Text(value=hidden, description="hidden sizes", continuous_update=False)
        self.steps_w = W.IntSlider(value=steps, min=10, max=max_steps, step=10, description="steps",
                                   continuous_update=False)
        self.info_w = W.HTML()
        self.view_w = W.Image(format="png")
        self.fig = Figure(figsize=(5.5, 3.2), dpi=80)
        self.canvas = FigureCanvasAgg(self.fig)
        ax = self.fig.subplots()
        order = torch.argsort(x[:, 0])
        self._xs = x[order]
        ax.plot(x[:, 0].numpy(), y[:, 0].numpy(), ".", ms=3, color="0.6")
        (self.line,) = ax.plot([], [], lw=2, color="C3")
        self.fig.tight_layout()
        self.mse = float("nan")
        for w in (self.hidden_w, self.steps_w):
            w.observe(lambda _: self.update(), names="value")
        self.update()

    def update(self) -> None:
        """Retrain with the current controls and redraw."""
        try:
            hidden = parse_hidden(self.hidden_w.value)
        except ValueError as exc:
            self.info_w.value = f"<span style='color:#b00'>⚠ {exc}</span>"
            return
        torch.manual_seed(self.seed)
        self.model = models.mlp([1, *hidden, 1])
        try:
            h = train.fit(self.model, self.x / self.scale, self.y, lr=self.lr, optimizer=self.optimizer,
                          epochs=self.steps_w.value, schedule=self.schedule)
        except train.TrainingDiverged as exc:
            self.info_w.value = f"<span style='color:#b00'>⚠ {exc}</span>"
            return
        self.mse = h.final_loss
        with torch.no_grad():
            self.line.set_data(self._xs[:, 0].numpy(), self.model(self._xs / self.scale)[:, 0].numpy())
        self.n_params = models.n_params(self.model)
        self.info_w.value = (f"cfg {[1, *hidden, 1]}: <b>{self.n_params:,}</b> parameters, final MSE "
                             f"<b>{self.mse:.5f}</b> after {h.epochs} steps ({h.train_time:.2f} s)")
        self.view_w.value = png_bytes(self.canvas)

    def widget(self) -> W.Widget:
        return W.VBox([W.HBox([self.hidden_w, self.steps_w]), self.info_w, self.view_w])


class DigitBrowser(_Shown):
    """Browse images with the model's predicted probabilities (e.g. the test set's mistakes)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, probs: torch.Tensor,
                 classes: list[str] | None = None):
        if not (len(images) == len(labels) == len(probs)) or len(images) == 0:
            raise ValueError(f"images, labels and probs need the same, non-zero length; got "
                             f"{len(images)}, {len(labels)} and {len(probs)}.")
        self.images, self.labels, self.probs = images, labels, probs
        self.classes = classes or [str(i) for i in range(probs.shape[1])]
        self.index_w = W.IntSlider(value=0, min=0, max=len(images) - 1, description="image")
        self.info_w = W.HTML()
        self.view_w = W.Image(format="png")
        self.fig = Figure(figsize=(6, 2.6), dpi=80)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax_img, self.ax_bar = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
        self.im = self.ax_img.imshow(np.zeros((28, 28)), cmap="gray_r", vmin=0, vmax=255)
        self.ax_img.axis("off")
        self.bars = self.ax_bar.bar(range(len(self.classes)), np.zeros(len(self.classes)), color="0.6")
        self.ax_bar.set_xticks(range(len(self.classes)), self.classes, fontsize=7)
        self.ax_bar.set_ylim(0, 1)
        self.ax_bar.set_ylabel("probability")
        self.fig.tight_layout()
        self.index_w.observe(lambda _: self.show(), names="value")
        self.show()

    def show(self) -> None:
        i = self.index_w.value
        p = self.probs[i].numpy()
        label, pred = int(self.labels[i]), int(p.argmax())
        self.im.set_data(self.images[i].numpy())
        for k, bar in enumerate(self.bars):
            bar.set_height(float(p[k]))
            bar.set_color("C2" if k == label else ("C3" if k == pred else "0.6"))
        self.info_w.value = (f"true <b>{self.classes[label]}</b>, predicted <b>{self.classes[pred]}</b> "
                             f"with probability {p[pred]:.2f}")
        self.view_w.value = png_bytes(self.canvas)

    def widget(self) -> W.Widget:
        return W.VBox([self.index_w, self.info_w, self.view_w])
