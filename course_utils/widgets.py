"""Interactive exploration with ipywidgets: the playground, and small explorers for the lessons.

How the playground stays responsive: training runs in short chunks (a few epochs, a few tens of
milliseconds) inside an asyncio task on the kernel's own event loop. Between chunks the task
yields (``await asyncio.sleep``), so the kernel reads widget messages, and Pause, sliders and
buttons act at once. Tasks return at once, so headless runs and tests use the blocking
:meth:`Playground.run` instead. Views are rendered with Matplotlib's Agg canvas into an
``ipywidgets.Image`` and updated in place (``set_data``), never replotted; each frame redraws only the
artists that move (``drawing.Blitter``).
"""
from __future__ import annotations

import asyncio
import html
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import ipywidgets as W
import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter
from PIL import Image as PILImage

from . import data, models, train
from .drawing import Blitter, grow_view, legend_below, png_bytes
from .i18n import N_, _
from .runtime import seeded
from .validate import one_of, whole, within

__all__ = ["BATCH_SIZES", "WEIGHT_DECAYS", "DigitBrowser", "FitExplorer", "Playground", "PlaygroundSettings",
           "parse_hidden", "playground"]

BATCH_SIZES = [("8", 8), ("16", 16), ("32", 32), ("64", 64), ("full", None)]
WEIGHT_DECAYS = [0.0, 1e-4, 1e-3, 1e-2, 1e-1]
NEURONS_CAPTION = (N_("<b>hidden units</b>: each one's output over the plane (red low, blue high, each map on its "
                      "own scale; at most 16 units a layer)"))


def _warning(text: str) -> str:
    return f"<span style='color:#b00'>⚠ {html.escape(text)}</span>"


class _Guard:
    """Runs widget callbacks so that an error shows as one sentence in ``message`` instead of vanishing.

    ``on_error`` runs after the message is shown (e.g. to release the play button).
    """

    def __init__(self, message: W.HTML, on_error: Callable[[], None] = lambda: None):
        self.message, self.on_error = message, on_error

    def __call__(self, fn: Callable[[], Any]) -> Callable[[Any], None]:
        def callback(_: Any = None) -> None:
            self.run(fn)
        return callback

    def run(self, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except Exception as exc:  # a widget callback's error never reaches the learner otherwise
            self.report(exc)

    def report(self, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, (ValueError, train.TrainingDiverged)) else (
            _("something went wrong ({name}: {exc}); the controls still work, try other settings",
              name=type(exc).__name__, exc=exc))
        self.message.value = _warning(text if text.endswith((".", "。")) else text + _("."))
        self.on_error()


def parse_hidden(text: str) -> list[int]:
    """``"8,8"`` → ``[8, 8]``; ``""`` → ``[]`` (no hidden layer). Raises ``ValueError`` in one sentence."""
    text = text.strip()
    if not text:
        return []
    sizes = []
    for i, part in enumerate(text.split(","), start=1):
        part = part.strip()
        if not part:
            raise ValueError(_("hidden sizes {text!r}: entry {i} is empty; type sizes separated by commas, e.g. "
                               "8,8.", text=text, i=i))
        if not part.isdigit():
            raise ValueError(_("hidden sizes {text!r}: entry {i} ({part!r}) is not a whole number; e.g. 8,8.",
                               text=text, i=i, part=part))
        if int(part) < 1:
            raise ValueError(_("hidden sizes {text!r}: entry {i} is {part}; every layer needs at least 1 unit.",
                               text=text, i=i, part=part))
        if int(part) > 256:
            raise ValueError(_("hidden sizes {text!r}: entry {i} is {part}; keep layers at 256 units or fewer here.",
                               text=text, i=i, part=part))
        sizes.append(int(part))
    if len(sizes) > 6:
        raise ValueError(_("hidden sizes {text!r}: {n_sizes} layers; use at most 6 here.",
                           text=text, n_sizes=len(sizes)))
    return sizes


def _neuron_sheet(maps: list[np.ndarray], size: int = 56, per_row: int = 8) -> bytes:
    """Hidden-unit maps as one labelled PNG (no Matplotlib axes, so it is fast).

    ``maps[l]`` is layer ``l + 1``'s (units, R, R) outputs over the plane, scaled to [-1, 1]. Each layer
    starts a new row headed "layer l"; each tile is captioned with its unit number; a last line says red is
    low, blue high.
    """
    from PIL import ImageDraw
    cmap, pad, label_w, cap = colormaps["RdBu"], 4, 52, 12
    rows = [(layer, i0, m[i0:i0 + per_row]) for layer, m in enumerate(maps, 1) for i0 in range(0, len(m), per_row)]
    width, height = label_w + per_row * (size + pad), max(1, len(rows)) * (size + cap + pad) + cap  # + the key line
    sheet = PILImage.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    for r, (layer, i0, chunk) in enumerate(rows):
        y0 = r * (size + cap + pad)
        if i0 == 0:
            draw.text((2, y0 + cap + size // 2 - 6), f"layer {layer}", fill="black")
        for j, m in enumerate(chunk):
            x0 = label_w + j * (size + pad)
            rgb = (cmap((m[::-1] + 1) / 2)[..., :3] * 255).astype(np.uint8)
            sheet.paste(PILImage.fromarray(rgb).resize((size, size), PILImage.Resampling.NEAREST), (x0, y0 + cap))
            draw.text((x0 + 1, y0), f"unit {i0 + j + 1}", fill="black")
    draw.text((2, sheet.height - cap), "red: low, blue: high (each map on its own scale)", fill="black")
    buf = io.BytesIO()
    sheet.save(buf, format="png", compress_level=1)
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


@dataclass(frozen=True)
class PlaygroundSettings:
    """What a :class:`Playground` starts from, checked once: a bad value raises a one-sentence ``ValueError``.

    The first ten fields are the controls (and :meth:`code_line` shows them); ``hidden`` is typed as in its
    control (``"8,8"``) and :attr:`sizes` holds it parsed, e.g. ``(8, 8)``. ``n`` points, ``epochs_per_frame``,
    ``fps`` and the boundary's ``resolution`` (grid points a side) size the run. ``batch_size`` is a whole
    number or ``None`` (the full batch); ``weight_decay`` is the L2 penalty.
    """

    data_set: str = "circles"
    noise: float = 0.1
    hidden: str = "8,8"
    activation: str = "tanh"
    lr: float = 0.03
    optimizer: str = "adam"
    batch_size: int | None = 32
    weight_decay: float = 0.0
    train_frac: float = 0.5
    seed: int = 0
    n: int = 400
    epochs_per_frame: int = 5
    fps: float = 15.0
    resolution: int = 60
    sizes: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        one_of("data_set", self.data_set, data.TOY_SETS)
        within("noise", self.noise, 0.0, 0.5)
        object.__setattr__(self, "sizes", tuple(parse_hidden(self.hidden)))
        one_of("activation", self.activation, list(models.ACTIVATIONS))
        within("lr", self.lr, 1e-4, 1.0)
        one_of("optimizer", self.optimizer, train.OPTIMIZERS)
        one_of("batch_size", self.batch_size, [v for _, v in BATCH_SIZES])
        one_of("weight_decay", self.weight_decay, WEIGHT_DECAYS)
        within("train_frac", self.train_frac, 0.1, 0.9)
        whole("seed", self.seed, 0)
        whole("n", self.n, 20, 5000)
        whole("epochs_per_frame", self.epochs_per_frame, 1)
        within("fps", self.fps, 0.1, 60)
        whole("resolution", self.resolution, 10, 400)

    def code_line(self) -> str:
        """The call that recreates these controls: ``playground(data_set='circles', noise=0.1, ..., seed=0)``."""
        shown = [f.name for f in fields(self)][:10]
        return f"playground({', '.join(f'{k}={getattr(self, k)!r}' for k in shown)})"


class Playground(_Shown):
    """TensorFlow-Playground-style explorer: data, network, controls and live views.

    Every setting of :class:`PlaygroundSettings` is an argument, and the first ten are also controls;
    :attr:`code_line` shows the call that recreates the current state. Bad arguments raise a one-sentence
    ``ValueError``; later, an error inside any control's callback or the play task shows one sentence
    under the buttons, and the controls keep working.
    """

    def __init__(self, settings: PlaygroundSettings | None = None, **kwargs: Any):
        if settings is not None and not isinstance(settings, PlaygroundSettings):
            raise TypeError(_("pass the settings by name, e.g. Playground(data_set={settings!r}), or as one "
                              "PlaygroundSettings; got {name}.", settings=settings, name=type(settings).__name__))
        if settings is not None and kwargs:
            raise ValueError(_("pass either a PlaygroundSettings or keyword arguments, not both."))
        s = self._start = settings if settings is not None else PlaygroundSettings(**kwargs)
        self.seed, self.n, self.resolution, self.epochs_per_frame = s.seed, s.n, s.resolution, s.epochs_per_frame
        self.interval = 1.0 / s.fps
        self.frames = 0
        self._task: asyncio.Task | None = None
        self._build_controls(s)
        self._build_figure()
        self._make_data()
        self._make_model(s.sizes)
        self._connect()
        self.render()

    def _build_controls(self, s: PlaygroundSettings) -> None:
        style, lay, small = {"description_width": "90px"}, W.Layout(width="260px"), W.Layout(width="84px")
        self.data_w = W.Dropdown(options=list(data.TOY_SETS), value=s.data_set, description=_("data"),
                                 style=style, layout=lay)
        self.noise_w = W.FloatSlider(value=s.noise, min=0.0, max=0.5, step=0.01, description=_("noise"),
                                     continuous_update=False, style=style, layout=lay)
        self.split_w = W.FloatSlider(value=s.train_frac, min=0.1, max=0.9, step=0.1, description=_("train share"),
                                     continuous_update=False, style=style, layout=lay)
        self.regen_w = W.Button(description=_("regenerate"), icon="refresh", layout=W.Layout(width="260px"))
        self.hidden_w = W.Text(value=s.hidden, description=_("hidden sizes"), continuous_update=False,
                               style=style, layout=lay)
        self.act_w = W.Dropdown(options=list(models.ACTIVATIONS), value=s.activation, description=_("activation"),
                                style=style, layout=lay)
        self.lr_w = W.FloatLogSlider(value=s.lr, base=10, min=-4, max=0, step=0.25, description=_("learning rate"),
                                     readout_format=".4f", continuous_update=False, style=style, layout=lay)
        self.opt_w = W.Dropdown(options=list(train.OPTIMIZERS), value=s.optimizer, description=_("optimizer"),
                                style=style, layout=lay)
        self.batch_w = W.Dropdown(options=BATCH_SIZES, value=s.batch_size, description=_("batch size"),
                                  style=style, layout=lay)
        self.decay_w = W.Dropdown(options=WEIGHT_DECAYS, value=s.weight_decay, description=_("L2 (weight decay)"),
                                  style=style, layout=lay)
        self.play_w = W.ToggleButton(value=False, description=_("play"), icon="play", layout=small)
        self.step_w = W.Button(description=_("step"), icon="step-forward", layout=small)
        self.reset_w = W.Button(description=_("reset"), icon="undo", layout=small)
        self.epoch_w, self.message_w, self.code_w = W.HTML(), W.HTML(), W.HTML()
        self.view_w, self.neurons_w = W.Image(format="png"), W.Image(format="png")
        self.guard = _Guard(self.message_w, on_error=self._stop_playing)

    def _connect(self) -> None:
        g = self.guard
        for w in (self.data_w, self.noise_w, self.split_w):
            w.observe(g(self.regenerate), names="value")
        self.regen_w.on_click(g(lambda: self.regenerate(new_seed=True)))
        self.hidden_w.observe(g(self._on_hidden), names="value")
        self.act_w.observe(g(self.reset), names="value")
        for w in (self.opt_w, self.lr_w, self.decay_w):  # keep the weights, change how they move
            w.observe(g(self._new_optimizer), names="value")
        self.batch_w.observe(g(self._update_code), names="value")
        self.step_w.on_click(g(self.step))
        self.reset_w.on_click(g(self.reset))
        self.play_w.observe(self._on_play, names="value")

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

    def _make_model(self, sizes: tuple[int, ...] | list[int]) -> None:
        """A fresh network with these hidden sizes and the chosen activation, its optimizer and an empty history."""
        self.cfg = [2, *sizes, 2]
        with seeded(self.seed):  # the same start for the same settings; the learner's RNG is untouched
            self.model = models.mlp(self.cfg, activation=self.act_w.value)
        self.history = train.History()
        self.message_w.value = ""
        self._new_optimizer()

    def _on_hidden(self) -> None:
        """New hidden sizes typed: a fresh network; on bad sizes keep the last good one and say why."""
        try:
            sizes = parse_hidden(self.hidden_w.value)
        except ValueError as exc:
            self.message_w.value = _warning(_("{exc} The last good network is kept.", exc=exc))
            return
        self._make_model(sizes)
        self.render()

    def _new_optimizer(self) -> None:
        self.optimizer = train.make_optimizer(self.model, self.opt_w.value, self.lr_w.value,
                                              weight_decay=self.decay_w.value)
        self._update_code()

    @property
    def settings(self) -> PlaygroundSettings:
        """The current settings, read from the controls (``hidden``: the sizes of the network shown)."""
        return replace(self._start, data_set=self.data_w.value, noise=round(self.noise_w.value, 2),
                       hidden=",".join(map(str, self.cfg[1:-1])), activation=self.act_w.value,
                       lr=float(f"{self.lr_w.value:.4g}"), optimizer=self.opt_w.value, batch_size=self.batch_w.value,
                       weight_decay=self.decay_w.value, train_frac=round(self.split_w.value, 1), seed=self.seed)

    @property
    def code_line(self) -> str:
        """The call that recreates the current settings."""
        return self.settings.code_line()

    def _update_code(self) -> None:
        self.code_w.value = f"<code>{html.escape(self.code_line)}</code>"

    @property
    def epoch(self) -> int:
        return self.history.epochs

    def regenerate(self, new_seed: bool = False) -> None:
        if new_seed:
            self.seed += 1
        self._make_data()
        self._make_model(self.cfg[1:-1])
        self._rebuild_points()
        self.render()

    def reset(self) -> None:
        """A fresh network of the same shape (from the same seed): epoch 0."""
        self._make_model(self.cfg[1:-1])
        self.render()

    def step(self, epochs: int | None = None, draw: bool = True) -> None:
        """Train a chunk of epochs (the same ``train.fit`` as the lessons), then redraw (unless ``draw=False``)."""
        k = epochs or self.epochs_per_frame
        try:
            self.history = train.fit(self.model, self.X_train, self.y_train, loss="cross_entropy",
                                     optimizer=self.optimizer, epochs=k, batch_size=self.batch_w.value,
                                     val=(self.X_test, self.y_test), eval_every=k, seed=self.seed + self.epoch,
                                     history=self.history)
        except train.TrainingDiverged as exc:
            self.history = exc.history
            self.guard.report(exc)
        if draw:
            self.render()

    # --- views -------------------------------------------------------------------------
    def _build_figure(self) -> None:
        from matplotlib.lines import Line2D
        self.fig = Figure(figsize=(8.8, 3.9), dpi=80)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax_b, self.ax_l = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        # pale background (the model's belief), saturated points (the data): the points stay readable on it
        self.im = self.ax_b.imshow(np.zeros((2, 2)), cmap="RdBu", vmin=0, vmax=1, origin="lower",
                                   interpolation="bilinear", alpha=0.45)
        bar = self.fig.colorbar(self.im, ax=self.ax_b, fraction=0.05, pad=0.03, ticks=[0, 0.5, 1])
        bar.set_label("predicted P(class 1)", fontsize=8)
        bar.ax.tick_params(labelsize=7)
        none = np.empty((0, 2))
        self.sc_train = self.ax_b.scatter(none[:, 0], none[:, 1], c=none[:, 0], s=14, edgecolors="black",
                                          linewidths=0.4, cmap="RdBu", vmin=-0.15, vmax=1.15)
        self.sc_test = self.ax_b.scatter(none[:, 0], none[:, 1], c=none[:, 0], s=16, marker="x", cmap="RdBu",
                                         vmin=-0.15, vmax=1.15, linewidths=1.0)
        self.ax_b.set(xticks=[], yticks=[])  # toy coordinates carry no meaning; tick labels would cost each frame
        self.ax_b.set_xlabel("x₁ (first input)", fontsize=8)
        self.ax_b.set_ylabel("x₂ (second input)", fontsize=8)
        self.ax_b.set_title("decision boundary", fontsize=9)
        cmap = colormaps["RdBu"]
        key = [Line2D([], [], ls="", marker="o", mfc=cmap(0.0), mec="black", mew=0.4, label="class 0"),
               Line2D([], [], ls="", marker="o", mfc=cmap(1.0), mec="black", mew=0.4, label="class 1"),
               Line2D([], [], ls="", marker="x", color="0.3", label="test point")]
        legend_below(self.ax_b, 0.16, handles=key, fontsize=7, handletextpad=0.2, columnspacing=0.8)
        (self.l_train,) = self.ax_l.plot([], [], label="train loss")
        (self.l_test,) = self.ax_l.plot([], [], label="test loss")
        self.ax_l.set_yscale("log")
        self.ax_l.yaxis.set_minor_formatter(NullFormatter())  # the view spans whole decades (grow_view)
        self.ax_l.set(xlabel="epoch", ylabel="cross-entropy loss (log scale)", title="loss")
        self._empty_loss_view()
        self.ax_l.title.set_fontsize(9)
        self.ax_l.xaxis.label.set_fontsize(8)
        self.ax_l.yaxis.label.set_fontsize(8)
        self.ax_l.tick_params(labelsize=7)
        legend_below(self.ax_l, 0.16, ncol=2)
        # fixed margins, not tight_layout: the loss axis's tick labels widen as it rescales, and must not run into
        # the colour bar's label
        self.fig.subplots_adjust(left=0.05, right=0.98, bottom=0.2, top=0.92, wspace=0.42)
        # each frame redraws the boundary, the points and the loss curves; the rest only when the loss view grows
        self.blitter = Blitter(self.canvas, [self.im, self.sc_train, self.sc_test, self.l_train, self.l_test])

    def _empty_loss_view(self) -> None:
        """The loss view before the first step: two classes start near ln 2 = 0.69.

        ``set_ylim`` switches y-autoscaling off; it is switched back on so that :func:`grow_view` follows the
        curves once there are any.
        """
        self.ax_l.set(xlim=(0, 1), ylim=(0.1, 1))
        self.ax_l.set_autoscaley_on(True)

    def _rebuild_points(self) -> None:
        self.im.set_extent(self.extent)
        self.ax_b.set_xlim(self.extent[:2])
        self.ax_b.set_ylim(self.extent[2:])
        self.sc_train.set_offsets(self.X_train.numpy())
        self.sc_train.set_array(self.y_train.numpy().astype(float))
        self.sc_test.set_offsets(self.X_test.numpy())
        self.sc_test.set_array(self.y_test.numpy().astype(float))

    def hidden_maps(self) -> np.ndarray:
        """What each hidden unit outputs over the grid, each scaled to [-1, 1]: (units, R, R), layer by layer."""
        maps, h = [], self.grid
        with models.evaluating(self.model):
            for layer in self.model[:-1]:
                h = layer(h)
                if not isinstance(layer, (torch.nn.Linear, torch.nn.Dropout)):
                    maps.append(h.T)
        if not maps:
            return np.zeros((0, self.resolution, self.resolution))
        m = torch.cat(maps).numpy().reshape(-1, self.resolution, self.resolution)
        lo, hi = m.min(axis=(1, 2), keepdims=True), m.max(axis=(1, 2), keepdims=True)
        return 2 * (m - lo) / np.maximum(hi - lo, 1e-9) - 1

    def _neurons_png(self, per_layer: int = 16) -> bytes:
        """The hidden-unit maps, one row (or two) per layer; at most ``per_layer`` units of each are shown."""
        maps, sizes = self.hidden_maps(), self.cfg[1:-1]
        starts = np.cumsum([0, *sizes])
        return _neuron_sheet([maps[a:a + min(k, per_layer)] for a, k in zip(starts[:-1], sizes)])

    def render(self) -> None:
        """Update every artist in place and refresh the image widgets."""
        if self.frames == 0:
            self._rebuild_points()
        p = models.predict_proba(self.model, self.grid)[:, 1].numpy().reshape(self.resolution, self.resolution)
        self.im.set_data(p)
        h = self.history
        self.l_train.set_data(h.epoch, h.loss)
        self.l_test.set_data(h.metrics.get("epoch", []), h.metrics.get("val_loss", []))
        if h.epochs:
            grow_view(self.ax_l, h.epochs)
        else:  # a new network: the view starts afresh
            self._empty_loss_view()
        self.view_w.value = self.blitter.png()
        self.neurons_w.value = self._neurons_png()
        acc = f", test accuracy {h.metrics['val_acc'][-1]:.3f}" if h.metrics.get("val_acc") else ""
        loss = f", train loss {h.loss[-1]:.4f}" if h.loss else ""
        self.epoch_w.value = f"<b>epoch {h.epochs}</b>{loss}{acc}"
        self.frames += 1

    # --- playing -----------------------------------------------------------------------
    def run(self, frames: int, draw: bool = True) -> float:
        """Blocking: ``frames`` chunks of training, each redrawn; returns frames per second.

        ``draw=False`` trains the same chunks and draws once at the end (experiments that only need the history).
        """
        t0 = time.perf_counter()
        for _skip in range(frames):
            self.step(draw=draw)
        if not draw:
            self.render()
        return frames / (time.perf_counter() - t0)

    async def _play(self) -> None:
        try:
            while self.play_w.value:
                t0 = time.perf_counter()
                self.step()
                await asyncio.sleep(max(0.001, self.interval - (time.perf_counter() - t0)))
        except Exception as exc:  # a task's error is never shown by itself: say it, and release play
            self.guard.report(exc)

    def _stop_playing(self) -> None:
        self.play_w.value = False

    def _on_play(self, change: dict) -> None:
        self.play_w.description, self.play_w.icon = (_("pause"), "pause") if change["new"] else (_("play"), "play")
        if change["new"]:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop (a plain script): nothing to schedule on
                self.message_w.value = _warning(_("play needs a running Jupyter kernel; use step() or run(frames)."))
                self.play_w.value = False
                return
            if self._task is None or self._task.done():
                self._task = loop.create_task(self._play())

    def widget(self) -> W.Widget:
        controls = W.VBox([W.HTML("<b>data</b>"), self.data_w, self.noise_w, self.split_w, self.regen_w,
                           W.HTML("<b>network</b>"), self.hidden_w, self.act_w, self.lr_w, self.opt_w,
                           self.batch_w, self.decay_w], layout=W.Layout(min_width="300px", flex="0 0 auto"))
        top = W.HBox([self.play_w, self.step_w, self.reset_w, self.epoch_w])
        views = W.VBox([top, self.message_w, self.view_w, W.HTML(_(NEURONS_CAPTION)),
                        self.neurons_w, self.code_w])
        return W.HBox([controls, views])


def playground(**kwargs: Any) -> Playground:
    """Create a :class:`Playground`; display it by leaving it as the last line of a cell."""
    return Playground(**kwargs)


class FitExplorer(_Shown):
    """1-D regression explorer: hidden sizes and epochs in, the fitted curve and its MSE out.

    Changing a control retrains from the same seed (``continuous_update=False``: on release).
    ``x`` and ``y`` are ``(N, 1)`` tensors; the net sees ``x / scale``. Full-batch training, so an
    epoch is one step. Bad arguments raise a one-sentence ``ValueError``; a bad entry typed later
    shows one sentence and keeps the last good fit.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, hidden: str = "10", epochs: int = 100,
                 max_epochs: int = 1000, lr: float = 0.2, optimizer: str = "sgd", schedule: str | None = None,
                 scale: float = 1.0, seed: int = 0):
        if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) and x.ndim == y.ndim == 2
                and x.shape[1] == y.shape[1] == 1 and len(x) == len(y) > 1):
            raise ValueError(_("x and y must be tensors of the same shape (N, 1), with N ≥ 2: use x.view(-1, 1) "
                               "and y.view(-1, 1)."))
        parse_hidden(hidden)
        whole("max_epochs", max_epochs, 10)
        whole("epochs", epochs, 10, max_epochs)
        one_of("optimizer", optimizer, train.OPTIMIZERS)
        one_of("schedule", schedule, [None, *train.SCHEDULES])
        within("lr", lr, 1e-6, 10.0)
        within("scale", scale, 1e-6, 1e6)
        whole("seed", seed, 0)
        self.x, self.y, self.lr, self.optimizer, self.schedule, self.scale, self.seed = (
            x, y, lr, optimizer, schedule, scale, seed)
        self.hidden_w = W.Text(value=hidden, description=_("hidden sizes"), continuous_update=False)
        self.epochs_w = W.IntSlider(value=epochs, min=10, max=max_epochs, step=10, description=_("epochs"),
                                    continuous_update=False)
        self.info_w = W.HTML()
        self.view_w = W.Image(format="png")
        self.fig = Figure(figsize=(5.5, 3.2), dpi=80)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = ax = self.fig.subplots()
        self._xs = x[torch.argsort(x[:, 0])]
        ax.plot(x[:, 0].numpy(), y[:, 0].numpy(), ".", ms=3, color="0.6", label="data")
        (self.line,) = ax.plot([], [], lw=2, color="C3", label="model")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(loc="best", fontsize=8)
        self.fig.tight_layout()
        self.mse = float("nan")
        guard = _Guard(self.info_w)
        for w in (self.hidden_w, self.epochs_w):
            w.observe(guard(self.update), names="value")
        self.update()

    def update(self) -> None:
        """Retrain with the current controls and redraw."""
        try:
            hidden = parse_hidden(self.hidden_w.value)
        except ValueError as exc:
            self.info_w.value = _warning(_("{exc} The last good fit is kept.", exc=exc))
            return
        with seeded(self.seed):
            model = models.mlp([1, *hidden, 1])
        try:
            h = train.fit(model, self.x / self.scale, self.y, lr=self.lr, optimizer=self.optimizer,
                          epochs=self.epochs_w.value, schedule=self.schedule)
        except train.TrainingDiverged as exc:
            self.info_w.value = _warning(str(exc))
            return
        self.model, self.mse, self.n_params = model, h.final_loss, models.n_params(model)
        self.line.set_data(self._xs[:, 0].numpy(), models.outputs(model, self._xs / self.scale)[:, 0].numpy())
        self.ax.relim()  # the view holds the data and the new curve, also where the curve is far from the data
        self.ax.autoscale_view()
        self.info_w.value = (_("cfg {hidden}: <b>{n_params:,}</b> parameters, final MSE <b>{mse:.5f}</b> after "
                               "{epochs} epochs ({train_time:.2f} s)",
                               hidden=[1, *hidden, 1], n_params=self.n_params, mse=self.mse, epochs=h.epochs,
                               train_time=h.train_time))
        self.view_w.value = png_bytes(self.canvas)

    def widget(self) -> W.Widget:
        return W.VBox([W.HBox([self.hidden_w, self.epochs_w]), self.info_w, self.view_w])


class DigitBrowser(_Shown):
    """Browse images with the model's predicted probabilities (e.g. the test set's mistakes)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, probs: torch.Tensor,
                 classes: list[str] | None = None):
        if not (len(images) == len(labels) == len(probs)) or len(images) == 0:
            raise ValueError(_("images, labels and probs need the same, non-zero length; got {n_images}, "
                               "{n_labels} and {n_probs}.",
                               n_images=len(images), n_labels=len(labels), n_probs=len(probs)))
        self.images, self.labels, self.probs = images, labels, probs
        self.classes = classes or [str(i) for i in range(probs.shape[1])]
        self.index_w = W.IntSlider(value=0, min=0, max=len(images) - 1, description=_("image"))
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
        self.index_w.observe(_Guard(self.info_w)(self.show), names="value")
        self.show()

    def show(self) -> None:
        i = self.index_w.value
        p = self.probs[i].numpy()
        label, pred = int(self.labels[i]), int(p.argmax())
        self.im.set_data(self.images[i].numpy())
        for k, (bar, tick) in enumerate(zip(self.bars, self.ax_bar.get_xticklabels())):
            colour = "C2" if k == label else ("C3" if k == pred else "0.6")   # true green, a wrong prediction red
            bar.set_height(float(p[k]))
            bar.set_color(colour)
            tick.set_color("black" if colour == "0.6" else colour)   # seen even where the bar is too short to
            tick.set_fontweight("normal" if colour == "0.6" else "bold")   # see: a confident mistake's true digit
        self.info_w.value = (_("true <b>{classes}</b>, predicted <b>{classes2}</b> with probability {p:.2f}",
                               classes=self.classes[label], classes2=self.classes[pred], p=p[pred]))
        self.view_w.value = png_bytes(self.canvas)

    def widget(self) -> W.Widget:
        return W.VBox([self.index_w, self.info_w, self.view_w])
