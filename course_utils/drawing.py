"""Drawing helpers shared by the live views (``live.LivePlot``, the ``widgets``): fast PNG frames.

A frame is one Agg render encoded as a PNG (:func:`png_bytes`). :class:`Blitter` redraws only the artists
that move onto a cached picture of the rest; :func:`grow_view` widens a view in steps, so that picture
rarely changes; :func:`legend_below` puts a legend where no moving artist runs under it.
"""
from __future__ import annotations

import io
import itertools
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend

from .i18n import _

__all__ = ["Blitter", "grow_view", "legend_below", "png_bytes"]


def png_bytes(canvas: FigureCanvasAgg, draw: bool = True) -> bytes:
    """The canvas's figure as PNG bytes: one Agg render (no layout passes), light compression.

    ``draw=False`` encodes what the canvas already holds (after :class:`Blitter` has drawn it).
    """
    from PIL import Image as PILImage
    if draw:
        canvas.draw()
    rgba = PILImage.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    rgba.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()


class Blitter:
    """Redraws only the artists that move (Matplotlib's blitting); gives the pixels of a full draw.

    Everything but ``movers`` (images, lines, scatters, in drawing order) is drawn once and kept as a
    picture; each frame puts the picture back and draws the movers, then the spines of their axes, on
    top. The picture is redrawn when any axes' view limits change (their ticks and labels move), or after
    :meth:`invalidate`. Static artists must not lie over a mover (keep legends outside the axes).
    """

    def __init__(self, canvas: FigureCanvasAgg, movers: Sequence[Artist]):
        self.canvas, self.movers = canvas, list(movers)
        axes = list(dict.fromkeys(a.axes for a in self.movers if a.axes is not None))
        self.on_top = [s for ax in axes for s in ax.spines.values()]  # spines are drawn above the data
        self.full_draws = 0
        self._key: Any = None
        self._picture: Any = None

    def invalidate(self) -> None:
        """Redraw everything next frame (after changing a static artist: a title, a legend, a colour bar)."""
        self._picture = None

    def png(self) -> bytes:
        """Draw one frame and return it as PNG bytes."""
        fig = self.canvas.figure
        key = (self.canvas.get_width_height(), *((ax.get_xlim(), ax.get_ylim()) for ax in fig.axes))
        shown = [a for a in self.movers + self.on_top if a.get_visible()]
        if self._picture is None or key != self._key:
            for a in shown:
                a.set_visible(False)
            try:
                self.canvas.draw()
            finally:
                for a in shown:
                    a.set_visible(True)
            self._picture, self._key = self.canvas.copy_from_bbox(fig.bbox), key
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._picture)
        renderer = self.canvas.get_renderer()
        for a in shown:
            a.draw(renderer)
        return png_bytes(self.canvas, draw=False)


def grow_view(ax: Axes, x_max: float) -> None:
    """Show x from 0 to the first of 1, 2, 5, 10, 20, 50, ... at or above ``x_max``, and y fitted to the data
    and widened to the axis's own ticks (Matplotlib's ``round_numbers`` mode: whole decades on a log axis).

    The view then changes only when the data passes one of these steps, so most frames of a growing curve
    redraw its lines alone (see :class:`Blitter`). y follows the data only while the axes autoscale y:
    ``set_ylim`` switches that off, so after setting a starting view call ``ax.set_autoscaley_on(True)``.
    """
    if not (isinstance(x_max, numbers.Real) and 0 <= x_max < math.inf):
        raise ValueError(_("x_max must be a finite number of at least 0 (the last epoch), not {x_max!r}.",
                           x_max=x_max))
    steps = (m * 10 ** k for k in itertools.count() for m in (1, 2, 5))
    ax.set_xlim(0, next(v for v in steps if v >= x_max))
    ax.relim()
    if not np.isfinite(ax.dataLim.get_points()).all():
        return  # nothing plotted yet
    ax.set_ymargin(0)  # the ticks give the margin
    with rc_context({"axes.autolimit_mode": "round_numbers"}):
        ax.autoscale_view(scalex=False)


def legend_below(ax: Axes, below: float = 0.2, ncol: int = 3, **kwargs: Any) -> Legend:
    """A frameless legend centred under the axes (``below`` axes-heights down), where no curve can run under it
    and where blitted frames never draw; ``kwargs`` go to ``ax.legend`` (e.g. ``handles``, ``fontsize``)."""
    kwargs.setdefault("fontsize", 8)
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -below), ncol=ncol, frameon=False, **kwargs)
