"""HTML of the report through the Jinja template ``templates/rapport/dele.html.j2`` (autoescaped).

Nothing here writes HTML by string concatenation: text is escaped by Jinja, and the only markup that
passes through unescaped is :class:`markupsafe.Markup` made by the template's own macros or by
:func:`~.uncertainty.mark` (the verdict spans the consistency check reads).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .uncertainty import SOURCE_DA

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "rapport"
#: a section's source class: one of the evidence sources, or "blandet" (several on one page)
SOURCE_NAMES: dict[str, str] = {**dict(SOURCE_DA.items()), "blandet": "Offentlige og syntetiske tal"}


@cache
def parts():
    """Return the template's macros (``legend``, ``front``, ``section``, ``figure``, ``table`` ...)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("dele.html.j2").module


@dataclass
class Section:
    """A section of the note or the appendix: anchor, title, source class and its blocks (Markup)."""

    anchor: str
    title: str
    source: str
    blocks: list[Markup] = field(default_factory=list)

    @property
    def source_da(self) -> str:
        """The source class in words."""
        return SOURCE_NAMES[self.source]

    def html(self) -> Markup:
        """Return the section as HTML."""
        return Markup(parts().section(self))


def para(text: str | Markup) -> Markup:
    """Return a paragraph (plain text is escaped)."""
    return Markup(parts().para(text))


def subhead(text: str) -> Markup:
    """Return a subheading inside a section."""
    return Markup(parts().subhead(text))


def items(lines: Sequence[str]) -> Markup:
    """Return a bullet list."""
    return Markup(parts().items(lines))


def link(href: str, text: str) -> Markup:
    """Return a link (href and text escaped)."""
    return Markup("<a href='{}'>{}</a>").format(href, text)


def figure(png: bytes, number: str, title: str, alt: str, note: str | Markup, source: str,
           synthetic: bool = False) -> Markup:
    """Return a numbered figure: the PNG embedded, Danish alt text, caption with a *Kilde:* line."""
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return Markup(parts().figure(number, title, src, alt, note, source, synthetic))


def table(frame: pd.DataFrame, number: str, title: str, source: str, note: str = "", css: str = "tabel") -> Markup:
    """Return a numbered table without index, caption on top, *Kilde:* line below."""
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return Markup(parts().table(number, title, [str(c) for c in frame.columns], rows, note, source, css))


def show(html: str | Markup):
    """Show HTML in the notebook (and so in the report)."""
    from IPython.display import HTML

    return HTML(str(html))
