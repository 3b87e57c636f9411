"""Small helpers the notebooks call to save and show results (no logic of the analysis here)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .. import atomic
from ..paths import resolve
from .contracts import CHAPTER_ENV, ContractError


def output_folder(output_dir: str | os.PathLike, sub: str) -> Path:
    """Return ``OUTPUT/SUB`` (``tables``, ``figures``), created if missing."""
    folder = resolve(output_dir) / sub
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_table(frame: pd.DataFrame, output_dir: str | os.PathLike, name: str) -> None:
    """Write ``frame`` to ``OUTPUT/tables/NAME.csv`` (atomically, UTF-8, unrounded).

    Returns nothing, so that a notebook cell ending in it shows no (volatile) path.
    """
    atomic.write_csv(output_folder(output_dir, "tables") / f"{name}.csv", frame)


def figure_title(fig) -> str:
    """Return the figure's title (its suptitle, else the titles of its panels joined), for an alt text."""
    suptitle = fig._suptitle.get_text().strip() if getattr(fig, "_suptitle", None) is not None else ""
    if suptitle:
        return suptitle
    return "; ".join(t for t in (ax.get_title().strip() for ax in fig.axes) if t)


def save_fig(fig, output_dir: str | os.PathLike, name: str, alt: str | None = None):
    """Write ``fig`` to ``OUTPUT/figures/NAME.png`` and ``.svg``, close it, and return the PNG for display.

    Showing the saved PNG (rather than relying on the notebook's matplotlib
    backend) makes the stored output the same whatever backend the kernel
    runs with, and the figure shown is exactly the file written. ``alt`` (default:
    the figure's title) becomes the image's alt text in the rendered chapter.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image

    from .plotting import save_figure

    text = alt if alt is not None else figure_title(fig)
    png, _ = save_figure(fig, output_folder(output_dir, "figures"), name)
    plt.close(fig)
    return Image(data=png.read_bytes(), format="png", metadata={"alt": text} if text else None)


#: the one chapter that writes the cleaned tables of ``processed_dir``; a run lets every chapter that
#: takes ``processed_dir`` start after it (:mod:`sosu_analysis.pipeline.chapters`)
PROCESSED_WRITER = "00_clean"


def write_processed(frame: pd.DataFrame, processed_dir: str | os.PathLike, name: str) -> None:
    """Write a cleaned table to ``PROCESSED/NAME.csv`` atomically: a failed run keeps the old file.

    In a run only :data:`PROCESSED_WRITER` may write there (the other chapters read it, after it).
    """
    chapter = os.environ.get(CHAPTER_ENV, "")
    if chapter and chapter != PROCESSED_WRITER:
        raise ContractError(f"chapter {chapter} writes the cleaned table {name!r}; only {PROCESSED_WRITER} "
                            "writes processed_dir (the other chapters of a run read it after that chapter)")
    atomic.write_csv(resolve(processed_dir) / f"{name}.csv", frame)


def rounded(frame: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Return a copy with float columns rounded for display (stored outputs stay stable under nbval)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(decimals)
    return out


def show_png(output_dir: str | os.PathLike, name: str, alt: str | None = None):
    """Show a figure another chapter saved (``OUTPUT/figures/NAME.png``), with ``alt`` as its alt text."""
    from IPython.display import Image

    return Image(data=(output_folder(output_dir, "figures") / f"{name}.png").read_bytes(), format="png",
                 metadata={"alt": alt} if alt else None)


def save_png(fig, output_dir: str | os.PathLike, name: str) -> bytes:
    """Write ``fig`` to ``OUTPUT/figures/NAME.png`` and ``.svg``, close it, and return the PNG's bytes.

    For the lead's report, which embeds the image itself with a Danish alt text
    and a numbered caption.
    """
    import matplotlib.pyplot as plt

    from .plotting import save_figure

    png, _ = save_figure(fig, output_folder(output_dir, "figures"), name)
    plt.close(fig)
    return png.read_bytes()
