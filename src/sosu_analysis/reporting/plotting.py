"""What every figure of the package shares: one look, the synthetic-data watermark, saving.

The figures themselves live beside the analysis they show:
:mod:`sosu_analysis.reporting.descriptive_plots` (chapter 01), :mod:`sosu_analysis.reporting.models.plots`
(trends) and :mod:`sosu_analysis.reporting.did.plots` (campus comparison). Programme
colours come from :mod:`sosu_analysis.definitions`; Danish tick labels from
:func:`danish_axis` here, the one axis formatter (numbers through :func:`sosu_analysis.danish.number`).

Figures are saved as PNG and SVG with fixed metadata and a fixed SVG hash
salt, so that the same data give the same files byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.ticker import Formatter

from ..atomic import atomic_path
from ..danish import NBSP, number
from ..definitions import PROGRAMME_COLOURS, SYNTHETIC_WATERMARK

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["AxisFormatter", "PROGRAMME_COLOURS", "SYNTHETIC_WATERMARK", "add_watermark", "save_figure", "setup_style",
           "danish_axis", "watermark_axes"]

# Fixed SVG element ids for every figure of the package (else each save gets random ids).
# matplotlib.rcParams is the object pyplot's rcParams names; this module does not import pyplot
# or seaborn at import time (together about 1 s of every chapter that draws nothing with seaborn).
matplotlib.rcParams["svg.hashsalt"] = "sosu-analysis"


def setup_style() -> None:
    """Set the seaborn theme and deterministic output settings."""
    # Imported here, the one place seaborn is used: a chapter that never sets the theme does not pay
    # for seaborn (which imports scipy.stats); pyplot first, as when both were imported at the top.
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams["svg.hashsalt"] = "sosu-analysis"
    plt.rcParams["figure.dpi"] = 100
    plt.rcParams["savefig.dpi"] = 100


def watermark_axes(ax: Axes, text: str | None) -> None:
    """Draw ``text`` large, diagonal and semi-transparent across one axes (no-op for ``None``).

    The text is clipped to the axes, so it never widens a figure saved with a
    tight bounding box, and it is drawn on every axes, so a panel cut out of
    a figure still carries it.
    """
    if not text:
        return
    bbox = ax.get_window_extent()
    size = max(8.0, min(22.0, 1.1 * bbox.width / max(len(text), 1)))
    ax.text(0.5, 0.5, text, transform=ax.transAxes, fontsize=size, color="#C00000", alpha=0.28,
            ha="center", va="center", rotation=25, zorder=1000, fontweight="bold", clip_on=True,
            gid="watermark")


def add_watermark(fig: Figure, text: str | None) -> Figure:
    """Watermark every axes of ``fig`` (see :func:`watermark_axes`); returns ``fig``."""
    for ax in fig.axes:
        watermark_axes(ax, text)
    return fig


def save_figure(fig: Figure, folder: str | os.PathLike, name: str) -> list[Path]:
    """Save ``fig`` as ``name.png`` and ``name.svg`` in ``folder``, atomically and reproducibly."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        dest = folder / f"{name}.{ext}"
        with atomic_path(dest) as tmp:
            fig.savefig(tmp, format=ext, metadata=meta, bbox_inches="tight")
        written.append(dest)
    return written


class AxisFormatter(Formatter):
    """Tick labels with a decimal comma (and optionally ``%``), e.g. ``0``, ``2,5``, ``5,0``; ``10 %``.

    Parameters
    ----------
    decimals : int, optional
        Decimals of every tick; by default the fewest that tell the ticks
        apart (at most 3), the same for every tick of the axis.
    percent : bool
        Append a non-breaking space and ``%``.
    grouping : bool
        Group thousands (``False`` for years).
    """

    def __init__(self, decimals: int | None = None, percent: bool = False, grouping: bool = True) -> None:
        self.decimals = decimals
        self.percent = percent
        self.grouping = grouping
        self._auto = 0

    @staticmethod
    def _needed(values) -> int:
        for d in range(4):
            if all(abs(v - round(v, d)) < 1e-9 * max(1.0, abs(v)) for v in values):
                return d
        return 3

    def format_ticks(self, values):  # noqa: D102 (matplotlib's interface)
        self._auto = self._needed(list(values)) if self.decimals is None else self.decimals
        return [self(v, i) for i, v in enumerate(values)]

    def __call__(self, x, pos=None) -> str:  # noqa: D102 (matplotlib's interface)
        decimals = self.decimals if self.decimals is not None else self._auto
        text = number(x, decimals, grouping=self.grouping)
        return f"{text}{NBSP}%" if self.percent else text


def danish_axis(ax, which: str = "y", *, decimals: int | None = None, percent: bool = False) -> None:
    """Give an axis (``"x"``, ``"y"`` or ``"both"``) of ``ax`` Danish tick labels (see :class:`AxisFormatter`)."""
    axes = {"x": [ax.xaxis], "y": [ax.yaxis], "both": [ax.xaxis, ax.yaxis]}[which]
    for axis in axes:
        axis.set_major_formatter(AxisFormatter(decimals=decimals, percent=percent))
