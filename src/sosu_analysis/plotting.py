"""Shared figure helpers: one look for every figure, the synthetic-data watermark, saving.

Figures are saved as PNG and SVG with fixed metadata and a fixed SVG hash
salt, so that the same data give the same files byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns

from .atomic import atomic_path

SYNTHETIC_WATERMARK = "SYNTETISKE DATA – ikke resultater for SOSU H"
PROGRAMME_COLOURS = {"PAU": "#4C72B0", "SSA": "#DD8452", "SSH": "#55A868"}
PROGRAMME_ORDER = ["PAU", "SSA", "SSH"]


def setup_style() -> None:
    """Seaborn theme and deterministic output settings."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams["svg.hashsalt"] = "sosu-analysis"
    plt.rcParams["figure.dpi"] = 100
    plt.rcParams["savefig.dpi"] = 100


def add_watermark(fig, text: str | None) -> None:
    """Draw ``text`` large, diagonal and semi-transparent across ``fig`` (no-op for ``None``)."""
    if not text:
        return
    fig.text(0.5, 0.5, text, fontsize=22, color="#C00000", alpha=0.25, ha="center", va="center",
             rotation=30, transform=fig.transFigure, zorder=1000)


def save_figure(fig, folder: str | os.PathLike, name: str) -> list[Path]:
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
