"""Quotes, safely: a stated, reproducible rule, consent, group size, and masking before any output.

The rule (:func:`select_quotes`)
--------------------------------
1. Only interviews with ``quotes_approved = yes`` and at least
   :data:`MIN_PARTICIPANTS` participants are quoted.
2. Per theme, the researcher's marked segments come first (the ``marked``
   field of the export mapping), in the export's row order; a marked segment
   is quoted whole if it has at most :data:`MAX_WORDS` words, else by its
   shortest complete sentence.
3. Then the shortest complete sentence among the theme's other segments
   (a sentence begins with a capital letter, ends with ``.``, ``!`` or ``?``
   and has :data:`MIN_WORDS` to :data:`MAX_WORDS` words); ties go to the
   earlier export row.
4. At most ``per_theme`` quotes per theme, one per interview and theme, and
   no text twice.
5. Every quote is masked (:func:`sosu_analysis.privacy.mask_text`) with the
   stop-list of names, the register's staff names and the campus table's
   campus names and aliases; CPR-like numbers, phone numbers and e-mails
   are masked by the same function.
6. The quote's campus is shown only if that campus has at least
   :data:`MIN_CAMPUS_INTERVIEWS` interviews in the register, and is not
   the complementary campus of its group (:func:`hidden_campuses`): when a
   group (pilot or comparison) has exactly one such small campus, a blank
   campus would name it by elimination, so the group's next-smallest
   campus is hidden too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..privacy import mask_text, name_pattern
from ..students._parse import norm

#: fewest participants of an interview that may be quoted
MIN_PARTICIPANTS = 3
#: fewest interviews a campus must have for a quote to name it
MIN_CAMPUS_INTERVIEWS = 3
MIN_WORDS = 8
MAX_WORDS = 40
QUOTE_COLUMNS = ("criterion", "theme", "rank", "quote", "rule", "valence", "group", "period", "wave", "campus")
_SENTENCE = re.compile(r"[^.!?]+[.!?]+")


def read_names(path: str | os.PathLike, display_name: str | None = None) -> list[str]:
    """Read a stop-list of names to mask: one name per line, UTF-8; blank lines and ``#`` comments ignored.

    The file is personal data when real: keep it in ``data/raw/private/``.
    No message quotes a line of it.
    """
    file = display_name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(file, "the name list is not UTF-8 text")) from None
    except OSError as exc:
        raise InputError(Problem(file, f"cannot read the name list ({exc.strerror})")) from None
    names = []
    for n, line in enumerate(text.splitlines(), start=1):
        name = norm(line.split("#", 1)[0])
        if not name:
            continue
        if len(name) < 2:
            raise InputError(Problem(file, "a name must have at least two letters (a single letter would mask "
                                           "ordinary words)", row=n))
        names.append(name)
    return names


def hidden_campuses(register: pd.DataFrame) -> set[str]:
    """Campuses a quote may not name: fewer than :data:`MIN_CAMPUS_INTERVIEWS` interviews, plus a complement.

    Per group (``group`` of the register, or all campuses together without
    one): the campuses with fewer interviews; if exactly one, the group's
    campus with the fewest interviews among the others (ties: alphabetical)
    is hidden too, so that a blank campus never names one campus.
    """
    groups = register["group"] if "group" in register.columns else pd.Series("", index=register.index)
    counts = register.assign(_g=groups).groupby(["_g", "campus"])["interview_id"].nunique()
    hidden: set[str] = set()
    for _, per in counts.groupby(level=0):
        per = per.droplevel(0)
        small = set(per[per < MIN_CAMPUS_INTERVIEWS].index)
        if len(small) == 1 and len(per) > 1:
            others = per.drop(list(small)).reset_index().sort_values(["interview_id", "campus"], kind="mergesort")
            small.add(str(others["campus"].iloc[0]))
        hidden |= small
    return hidden


def stop_list(names: Sequence[str], register: pd.DataFrame, campuses: pd.DataFrame | None) -> list[str]:
    """Every name to mask: the stop-list, the register's staff names, the campuses and their aliases."""
    out = list(names) + list(register.attrs.get("staff_names", []))
    if campuses is not None:
        out += list(campuses["campus"])
        for aliases in campuses.get("aliases", pd.Series([], dtype=object)):
            if isinstance(aliases, (list, tuple)):
                out += list(aliases)
            elif isinstance(aliases, str):
                out += [a.strip() for a in aliases.split(";") if a.strip()]
    return sorted(set(out))


def sentences(text: str) -> list[str]:
    """Return the complete sentences of ``text`` (capital first letter, end punctuation, MIN_WORDS-MAX_WORDS words)."""
    out = []
    for m in _SENTENCE.finditer(text):
        s = " ".join(m.group(0).split())
        s = s.lstrip("-–—\"'«» ")
        if s and s[0].isupper() and MIN_WORDS <= len(s.split()) <= MAX_WORDS:
            out.append(s)
    return out


def _candidate(text: str, marked: bool) -> tuple[str, str] | None:
    """Return the quote a segment gives under the rule, and which part of the rule gave it."""
    whole = " ".join(text.split())
    if marked and len(whole.split()) <= MAX_WORDS:
        return whole, "marked"
    found = sentences(text)
    if not found:
        return None
    shortest = min(found, key=len)
    return shortest, "marked" if marked else "shortest_sentence"


def select_quotes(segments: pd.DataFrame, register: pd.DataFrame, names: Sequence[str],
                  campuses: pd.DataFrame | None, per_theme: int = 2) -> pd.DataFrame:
    """Choose and mask the quotes of each theme (the rule of the module docstring).

    Parameters
    ----------
    segments, register : pandas.DataFrame
        From :func:`~sosu_analysis.interviews.qda.read_export` and
        :func:`~sosu_analysis.interviews.register.read_register`.
    names : sequence of str
        The stop-list (:func:`read_names`).
    campuses : pandas.DataFrame or None
        The campus table (its names and aliases are masked too).
    per_theme : int
        Most quotes per theme.

    Returns
    -------
    pandas.DataFrame
        :data:`QUOTE_COLUMNS`; ``rule`` is ``marked`` or
        ``shortest_sentence``; ``campus`` is ``""`` for a campus of
        :func:`hidden_campuses`. Sorted by criterion, theme and rank.
    """
    if per_theme < 1:
        raise ValueError(f"per_theme must be at least 1, got {per_theme}")
    pattern = name_pattern(stop_list(names, register, campuses))
    hidden = hidden_campuses(register)
    reg = register.set_index("interview_id")
    ok = reg.index[(reg["quotes_approved"]) & (reg["participants"] >= MIN_PARTICIPANTS)]
    seg = segments[segments["interview_id"].isin(set(ok))]
    rows = []
    for (criterion, theme), grp in seg.groupby(["criterion", "theme"], sort=True):
        picks: list[tuple[int, int, int, str, str, pd.Series]] = []
        for _, s in grp.iterrows():
            cand = _candidate(s["segment"], bool(s["marked"]))
            if cand is None:
                continue
            text, rule = cand
            # marked first (export order), then the shortest sentence (ties: export order)
            order = (0, int(s["row"]), 0) if rule == "marked" else (1, len(text), int(s["row"]))
            picks.append((*order, text, rule, s))
        picks.sort(key=lambda p: p[:3])
        used: set[str] = set()
        shown: set[str] = set()
        rank = 0
        for *_, text, rule, s in picks:
            masked = mask_text(text, pattern)
            if s["interview_id"] in used or masked in shown or rank >= per_theme:
                continue
            used.add(s["interview_id"])
            shown.add(masked)
            rank += 1
            info = reg.loc[s["interview_id"]]
            campus = "" if info["campus"] in hidden else info["campus"]
            rows.append((criterion, theme, rank, masked, rule, s["valence"],
                         info.get("group", ""), info.get("period", ""), info["wave"], campus))
    out = pd.DataFrame.from_records(rows, columns=list(QUOTE_COLUMNS))
    out["rank"] = out["rank"].astype("int64")
    return out
