"""Small-cell suppression for anything derived from student-level data.

Personal data rule of the project: no table that leaves the analysis may
show a cell of fewer than :data:`MIN_CELL` students. :func:`suppress_small_cells`
blanks such cells and flags the row.

The rule works row by row. A row is suppressed when any of its count columns
holds 1 to ``MIN_CELL - 1`` students; then **all** its counts and the values
that depend on them (rates, percentages) become NA, not only the small one,
because the other counts of the row would give it away (n = 200 and 197 in
progress pins 3 dropouts). A count of 0 does not suppress by default: it shows
no student (pass ``zero_is_small=True`` for the stricter rule). Totals across
rows (a column total next to suppressed rows) can still reveal a suppressed
cell; tables with margins need a second look (secondary suppression is not
automated here).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from .definitions import MIN_CELL

__all__ = ["MIN_CELL", "mask_message", "mask_secrets", "mask_text", "name_pattern", "safe_list", "safe_text",
           "small_cell_mask", "suppress_small_cells"]

# What a message built from an input file must never show (see mask_message). Every pattern here runs in
# linear time on any input: no nested or overlapping quantifier can backtrack over a long text. The e-mail
# rule is a scan from each "@" instead of a regular expression, since ``[\w.+-]+@`` retried at every start
# position of a long word took quadratic time (a 300,000-character key in an API answer held `fetch` > 120 s).
#: CPR-like: six digits, a dash, slash or blank, then three or four digits
_CPR = re.compile(r"(?<!\d)\d{6}[-/\s]\d{3,4}(?!\d)")
#: a phone number: optional +45 / 0045, then 8 digits, ungrouped or grouped 2-2-2-2 or 4-4 (the prefix is masked too)
_PHONE = re.compile(r"(?:(?:\+|00)45[\s-]?)?(?<!\d)(?:\d{2}[\s-]\d{2}[\s-]\d{2}[\s-]\d{2}|\d{4}[\s-]\d{4}|\d{8})(?!\d)")
#: any run of 6 to 10 digits (a CPR without dash, 9 digits after Excel dropped the zero, a phone)
_DIGIT_RUN = re.compile(r"(?<!\d)\d{6,10}(?!\d)")
#: an e-mail's domain after the "@": labels of word characters or dashes, at least one dot (matched at one
#: position only, and a label cannot hold "@", so each character is read by at most one attempt)
_EMAIL_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
MASK = "[skjult]"


def _is_email_local(ch: str) -> bool:
    return ch.isalnum() or ch in "_.+-"


def _mask_emails(text: str) -> str:
    r"""Replace e-mail addresses (``local@domain.tld``) by :data:`MASK` in one left-to-right pass.

    Same matches as the pattern ``[\w.+-]+@[\w-]+(?:\.[\w-]+)+`` (leftmost, longest,
    non-overlapping) but linear: the local part is found by walking back from
    each "@" no further than the end of the previous match or the previous "@".
    """
    at = text.find("@")
    if at < 0:
        return text
    out: list[str] = []
    done = 0  # text[:done] is emitted (or masked)
    floor = 0  # a local part may not start before this (the previous "@" or match end)
    while at >= 0:
        start = at
        while start > floor and _is_email_local(text[start - 1]):
            start -= 1
        domain = _EMAIL_DOMAIN.match(text, at + 1) if start < at else None
        if domain:
            out.append(text[done:start])
            out.append(MASK)
            done = floor = domain.end()
        else:
            floor = at + 1
        at = text.find("@", floor)
    out.append(text[done:])
    return "".join(out)


def mask_message(text: object) -> str:
    """Render a user-facing message built from an input file, masking personal identifiers.

    Every message that may quote a value of an input file goes through this
    one function (:class:`sosu_analysis.errors.Problem` renders with it).
    It replaces by ``[skjult]``: e-mail addresses, CPR-like strings (six
    digits, a dash, slash or blank, three or four digits), phone numbers
    (eight digits, optionally grouped and with +45) and any run of 6 to 10
    digits. Dates written ``YYYY-MM-DD`` or ``DD-MM-YYYY`` and counts stay.
    Linear time in the length of the text.

    Parameters
    ----------
    text : object
        The message (converted with ``str``).

    Returns
    -------
    str

    Examples
    --------
    >>> mask_message("row 3: '010203-1234' / 0102031234 / 12 34 56 78 / a.b@c.dk, 2025-04-07")
    "row 3: '[skjult]' / [skjult] / [skjult] / [skjult], 2025-04-07"
    """
    out = _mask_emails(str(text))
    for pattern in (_CPR, _PHONE, _DIGIT_RUN):
        out = pattern.sub(MASK, out)
    return out


# ---- the message policy: text from a file or a server, on its way to a terminal, log or sidecar ----------

#: longest quoted value a message shows (characters, after masking and escaping)
MAX_QUOTE = 200
#: longest message line (characters)
MAX_MESSAGE = 2000
#: most values a list in a message shows
MAX_ITEMS = 10
#: text read at most before masking (a longer text is cut first; only its start can be shown anyway)
_READ_AT_MOST = 65_536
_PLACEHOLDER = "\ue000"
#: secrets as they travel in HTTP: a Bearer token, and the value of an Authorization or key header/field
#: (only the word "Bearer": "Basic" and "token" are ordinary words of a message; after "Authorization:" any
#: scheme is masked by the field pattern)
_BEARER = re.compile(r"(?i)\b(bearer)([ \t]+)[^\s\"',;}\]]+")
#: (a field name inside a word or a file name, such as ".../api-key: ...", is not a field: no lookbehind match)
_AUTH_FIELD = re.compile(r"(?i)(?<![\w/.-])(authorization|proxy-authorization|x-api-key|api[-_]?key|access[-_]?token)"
                         r"([\"']?[ \t]*[:=][ \t]*[\"']?)[^\r\n\"',;}\]]+")


def mask_secrets(text: str, secrets: Sequence[str] = ()) -> str:
    """Replace each given secret value, and any ``Bearer …`` / ``Authorization: …`` value, by :data:`MASK`.

    Linear time: plain substring replacement and two patterns without
    overlapping quantifiers. Used before anything else, on the whole text,
    so that a key can never be cut in two and escape the mask.
    """
    # each secret first becomes one private-use character, so that the patterns below see a plain token
    # (the mask's brackets would end their match early) and no part of the secret can survive them
    for secret in secrets:
        if secret:
            text = text.replace(secret, _PLACEHOLDER)
    text = _AUTH_FIELD.sub(lambda m: m.group(1) + m.group(2) + _PLACEHOLDER, text)
    text = _BEARER.sub(lambda m: m.group(1) + m.group(2) + _PLACEHOLDER, text)
    return text.replace(_PLACEHOLDER, MASK)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(text: str) -> str:
    r"""Write every non-printable character (control, escape, bidi or line separator) as ``\xNN``/``\uNNNN``.

    A terminal escape sequence (``ESC [ 2 J``) then shows as the text
    ``\x1b[2J`` instead of acting; a newline or carriage return cannot
    start a forged line. The space is kept.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def safe_text(value: object, *, limit: int = MAX_QUOTE, secrets: Sequence[str] = (), personal: bool = True) -> str:
    r"""Make text from a file or a server fit for a message: **the** message policy of the project.

    In this order: the given ``secrets`` and any Bearer/Authorization value are
    masked (on the whole text); the text is cut to 64 KiB; personal identifiers
    are masked (:func:`mask_message`, unless ``personal=False`` for public
    catalogue text); control characters and terminal escape sequences are
    escaped (:func:`escape_controls`); the result is cut to ``limit``
    characters, ending ``… (N characters)`` when cut. Linear time throughout.

    Parameters
    ----------
    value : object
        The text (converted with ``str``).
    limit : int
        Most characters returned (at least 20).
    secrets : sequence of str
        Values that must never be shown (the API key).
    personal : bool
        Mask e-mails, CPR-like strings, phone numbers and digit runs.

    Examples
    --------
    >>> safe_text("\x1b[2Jfejl fra a@b.dk: Authorization: Bearer abc123")
    '\\x1b[2Jfejl fra [skjult]: Authorization: [skjult]'
    """
    text = mask_secrets(str(value), secrets)
    total = len(text)
    text = text[:_READ_AT_MOST]
    if personal:
        text = mask_message(text)
    text = escape_controls(text)
    limit = max(int(limit), 20)
    if len(text) > limit or total > _READ_AT_MOST:
        text = text[:limit - 1] + f"… ({total} characters)"
    return text


def safe_list(values: Iterable[object], *, max_items: int = MAX_ITEMS, limit: int = MAX_QUOTE,
              secrets: Sequence[str] = (), personal: bool = True) -> str:
    r"""Join values for a message, each through :func:`safe_text`, at most ``max_items`` of them.

    >>> safe_list(["K17", "K23\x1b[31m"] + [f"K{i}" for i in range(30, 50)], max_items=3)
    "'K17', 'K23\\x1b[31m', 'K30' … and 19 more"
    """
    items: list[object] = [values] if isinstance(values, (str, bytes)) else list(values)
    shown = [f"'{safe_text(v, limit=limit, secrets=secrets, personal=personal)}'" for v in items[:max_items]]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" … and {more} more" if more > 0 else "")
def name_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    """Compile a stop-list of names into one case-insensitive pattern of whole words (``None`` if empty).

    A name matches as a whole word (not inside another word), in any case,
    also with the Danish genitive ``s`` (``Mettes``). Longer names are tried
    first, so ``Anne Marie`` is masked whole rather than as ``Anne``. Names
    of fewer than two letters are ignored (they would mask ordinary words).
    """
    cleaned = sorted({" ".join(str(n).split()) for n in names if len(str(n).strip()) >= 2}, key=lambda n: (-len(n), n))
    if not cleaned:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in n.split(" ")) for n in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:s)?(?!\w)", re.IGNORECASE)


def mask_text(text: object, names: Sequence[str] | re.Pattern[str] | None = None) -> str:
    """Mask a free text (an interview quote) before it reaches any output.

    First every name of ``names`` (a stop-list: persons, staff, campuses,
    workplaces; see :func:`name_pattern`), then everything
    :func:`mask_message` masks (e-mails, CPR-like numbers, phone numbers,
    runs of 6-10 digits), each replaced by ``[skjult]``.

    Parameters
    ----------
    text : object
        The text (converted with ``str``).
    names : sequence of str, or a pattern from :func:`name_pattern`, optional

    Returns
    -------
    str

    Examples
    --------
    >>> mask_text("Mettes lærer i Herlev ringede på 12 34 56 78", ["Mette", "Herlev"])
    '[skjult] lærer i [skjult] ringede på [skjult]'
    """
    out = str(text)
    pattern = names if isinstance(names, re.Pattern) else name_pattern(names or [])
    if pattern is not None:
        out = pattern.sub(MASK, out)
    return mask_message(out)


def shown_count(n: int | float, *, min_cell: int = MIN_CELL) -> str:
    """Return a count as a message may show it: ``"< 5"`` for 1 to ``min_cell - 1``, else the number."""
    n = int(n)
    return f"< {min_cell}" if 0 < n < min_cell else str(n)


def _as_list(columns: str | Sequence[str]) -> list[str]:
    return [columns] if isinstance(columns, str) else list(columns)


def small_cell_mask(frame: pd.DataFrame, counts: str | Sequence[str], *, min_cell: int = MIN_CELL,
                    zero_is_small: bool = False) -> pd.Series:
    """Rows with a count below ``min_cell`` (and above 0 unless ``zero_is_small``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    counts : str or sequence of str
        Count columns (numbers of students). NA counts (already suppressed)
        do not flag a row.
    min_cell : int
        Smallest allowed count (default :data:`MIN_CELL`).
    zero_is_small : bool
        Treat a count of 0 as small too.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``frame``.
    """
    cols = _as_list(counts)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {', '.join(missing)}")
    if int(min_cell) < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell!r}")
    values = frame[cols].apply(pd.to_numeric, errors="raise")
    low = 0 if zero_is_small else 1
    small = (values >= low) & (values < min_cell)
    return small.fillna(False).astype(bool).any(axis=1)


def _blank(series: pd.Series, mask: pd.Series) -> pd.Series:
    if pdt.is_bool_dtype(series) or pdt.is_integer_dtype(series):
        series = series.astype("Int64" if not pdt.is_bool_dtype(series) else "boolean")
    elif pdt.is_float_dtype(series):
        series = series.astype("Float64")
    return series.mask(mask)


def suppress_small_cells(frame: pd.DataFrame, counts: str | Sequence[str], values: str | Sequence[str] = (), *,
                         min_cell: int = MIN_CELL, flag: str = "suppressed",
                         zero_is_small: bool = False) -> pd.DataFrame:
    """Blank every row with a cell of fewer than ``min_cell`` students.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table derived from student-level data.
    counts : str or sequence of str
        Count columns (numbers of students), e.g. ``["n", "n_dropout_total"]``.
    values : str or sequence of str
        Columns computed from the counts (rates, percentages, CIs), blanked
        with them.
    min_cell : int
        Smallest count that may be shown (default :data:`MIN_CELL` = 5).
    flag : str
        Name of the bool column marking suppressed rows; if it exists
        already, earlier flags are kept.
    zero_is_small : bool
        Treat a count of 0 as small too (default: 0 is shown).

    Returns
    -------
    pandas.DataFrame
        A copy: on flagged rows ``counts`` and ``values`` are NA (integer
        columns become ``Int64``, float columns ``Float64``), and ``flag`` is
        True.

    Examples
    --------
    >>> t = pd.DataFrame({"campus": ["A", "B"], "n": [40, 38], "n_drop": [6, 3]})
    >>> t["rate"] = t["n_drop"] / t["n"]
    >>> suppress_small_cells(t, ["n", "n_drop"], ["rate"])["suppressed"].tolist()
    [False, True]
    """
    value_cols = _as_list(values)
    missing = [c for c in value_cols if c not in frame.columns]
    if missing:
        raise KeyError(f"value columns not in the table: {', '.join(missing)}")
    mask = small_cell_mask(frame, counts, min_cell=min_cell, zero_is_small=zero_is_small)
    out = frame.copy()
    for col in dict.fromkeys(_as_list(counts) + value_cols):
        out[col] = _blank(out[col], mask)
    previous = out[flag].fillna(False).astype(bool) if flag in out.columns else False
    out[flag] = mask | previous
    return out


# ---------------------------------------------------------------------------
# Complementary (secondary) suppression
# ---------------------------------------------------------------------------
#
# A count of 1-4 students can be *derived* from cells that are each >= 5: the
# difference of two definitions (114 dropouts incl. switching, 111 excl.: 3
# switchers), a margin minus the other cells, one horizon minus another. The
# rule, after Statistics Denmark's discretion practice (primary suppression of
# small cells, then secondary suppression of the next-smallest cell so that
# sums and differences cannot reveal them), is implemented as an *audit* on
# linear combinations:
#
# - the students of a table are split into disjoint *atoms* (e.g. group x
#   period x {not dropped out, switched, left});
# - every number shown is the count of a union of atoms;
# - a set S of atoms is derivable when its indicator vector lies in the row
#   space of the shown numbers' indicator matrix (then sum_S = a linear
#   combination of shown numbers);
# - a table passes when no derivable S holds 1 to MIN_CELL - 1 students.
#
# Numbers are hidden greedily until the audit passes: first a shown number that
# is itself the small set (primary), else the smallest shown number touching
# it (secondary, "next-smallest cell"). Numbers declared *public* (totals shown
# elsewhere, e.g. did.csv's n_students) are never hidden but count in the audit.

#: above this many atoms of 0-4 students the audit does not enumerate; it hides every number touching them
MAX_SMALL_ATOMS = 16


def _matrix(published: dict, atoms: list) -> np.ndarray:
    index = {a: j for j, a in enumerate(atoms)}
    m = np.zeros((len(published), len(atoms)))
    for i, members in enumerate(published.values()):
        for a in members:
            m[i, index[a]] = 1.0
    return m


def derivable_small_sets(published: dict, atom_counts: dict, *, min_cell: int = MIN_CELL) -> list[frozenset]:
    """Find the sets of atoms holding 1 to ``min_cell - 1`` students whose count follows from the numbers shown.

    Parameters
    ----------
    published : dict
        Name of each number shown -> the atoms it counts.
    atom_counts : dict
        Atom -> number of students.
    min_cell : int
        Smallest count that may be shown or derived.

    Returns
    -------
    list of frozenset
        Derivable small sets, smallest total first. If more than
        :data:`MAX_SMALL_ATOMS` atoms hold 0-4 students, every small atom
        touched by a shown number is returned as a singleton (conservative).

    Notes
    -----
    With ``P`` the 0/1 matrix (numbers x atoms) of what is shown, the total of
    a set ``S`` of atoms is determined by the shown numbers iff its indicator
    ``x_S`` lies in the row space of ``P``, i.e. ``rank([P; x_S]) = rank(P)``.
    Only sets of atoms with 0-4 students each can total 1-4, so only those
    are enumerated.
    """
    atoms = list(atom_counts)
    if not published:
        return []
    P = _matrix(published, atoms)
    rank = np.linalg.matrix_rank(P)
    small = [a for a in atoms if atom_counts[a] < min_cell]
    touched = {a for members in published.values() for a in members}
    if len(small) > MAX_SMALL_ATOMS:
        return [frozenset([a]) for a in small if a in touched and 0 < atom_counts[a]]
    index = {a: j for j, a in enumerate(atoms)}
    found = []
    for r in range(1, len(small) + 1):
        for combo in itertools.combinations(small, r):
            total = sum(atom_counts[a] for a in combo)
            if not 0 < total < min_cell:
                continue
            x = np.zeros(len(atoms))
            x[[index[a] for a in combo]] = 1.0
            if np.linalg.matrix_rank(np.vstack([P, x])) == rank:
                found.append(frozenset(combo))
    return sorted(found, key=lambda s: (sum(atom_counts[a] for a in s), len(s), sorted(map(str, s))))


def _derivable(published: dict, target: frozenset, atom_counts: dict) -> bool:
    atoms = list(atom_counts)
    if not published:
        return False
    P = _matrix(published, atoms)
    x = np.array([1.0 if a in target else 0.0 for a in atoms])
    return bool(np.linalg.matrix_rank(np.vstack([P, x])) == np.linalg.matrix_rank(P))


def _pick(target: frozenset, hideable: list, after, atoms_of, size, atom_counts: dict):
    """Choose the unit to hide next: primary if one counts exactly the target, else the smallest that protects it.

    ``after(units)`` gives the published numbers once ``units`` are hidden
    too; ``atoms_of(unit)`` the atoms a unit shows; ``size(unit)`` its count.
    Units touching the target are preferred; if none does (a total shown
    elsewhere pins it), any hideable unit is considered ("next-smallest cell").
    """
    if not hideable:
        return None
    exact = [k for k in hideable if set(atoms_of(k)) == target]
    if exact:
        return exact[0]
    touching = [k for k in hideable if target & set(atoms_of(k))] or list(hideable)
    protecting = [k for k in touching if not _derivable(after({k}), target, atom_counts)]
    pool = protecting or touching
    return min(pool, key=lambda k: (size(k), str(k)))


def complementary_suppression(published: dict, atom_counts: dict, *, public: Sequence = (),
                              min_cell: int = MIN_CELL) -> set:
    """Names of the numbers to hide so that no count of 1 to ``min_cell - 1`` students can be derived.

    Parameters
    ----------
    published : dict
        Name -> atoms counted (see :func:`derivable_small_sets`).
    atom_counts : dict
        Atom -> number of students.
    public : sequence
        Names shown elsewhere that cannot be hidden here (they stay in the audit).
    min_cell : int

    Returns
    -------
    set
        Names to hide.

    Raises
    ------
    ValueError
        If the public numbers alone disclose a small count.

    Examples
    --------
    114 dropouts incl. switching and 111 excl. switching in one cell disclose 3
    switchers; hiding the smallest number that counts them (114) protects them:

    >>> atoms = {"stay": 678, "switch": 3, "left": 111}
    >>> shown = {"n": ["stay", "switch", "left"], "incl": ["switch", "left"], "excl": ["left"]}
    >>> sorted(complementary_suppression(shown, atoms))
    ['incl']
    """
    public_set = set(public)

    hidden: set = set()
    while True:
        shown = {k: v for k, v in published.items() if k not in hidden}
        bad = derivable_small_sets(shown, atom_counts, min_cell=min_cell)
        if not bad:
            return hidden
        pick = _pick(bad[0], [k for k in shown if k not in public_set],
                     lambda units, shown=shown: {k: v for k, v in shown.items() if k not in units},
                     lambda k: published[k], lambda k: sum(atom_counts[a] for a in published[k]), atom_counts)
        if pick is None:
            raise ValueError("the public totals alone disclose a count below the minimum cell size")
        hidden.add(pick)


def protect_rates_2x2(rates: pd.DataFrame, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Suppress the 2x2 table of dropout rates (both outcome definitions) so no 1-4 count is derivable.

    Parameters
    ----------
    rates : pandas.DataFrame
        One row per ``outcome_definition`` (``incl_switch`` / ``excl_switch``)
        x ``group`` x ``period`` with ``n_students``, ``n_dropout`` and
        ``rate_pct`` (:func:`sosu_analysis.did.tables.rates_2x2`, before
        suppression).

    Returns
    -------
    pandas.DataFrame
        A copy where a suppressed row has ``n_students``, ``n_dropout`` and
        ``rate_pct`` blank and ``suppressed`` True.

    Notes
    -----
    Atoms per group x period: not dropped out, switched (incl. minus excl.),
    left (excl.). Shown per row: its dropouts; per group x period: the
    intake (while any of its rows is shown). The grand total (did.csv's
    ``n_students``) is public. Hiding a row blanks its dropouts and rate; the
    intake goes only when both rows of the cell are hidden.
    """
    out = rates.copy()
    cells = sorted({(g, p) for g, p in zip(out["group"], out["period"], strict=True)})
    atom_counts: dict = {}
    by_row: dict = {}
    for g, p in cells:
        sub = out[(out["group"] == g) & (out["period"] == p)].set_index("outcome_definition")
        n = int(sub["n_students"].iloc[0])
        incl = int(sub.loc["incl_switch", "n_dropout"]) if "incl_switch" in sub.index else None
        excl = int(sub.loc["excl_switch", "n_dropout"]) if "excl_switch" in sub.index else None
        left = excl if excl is not None else (incl or 0)
        switch = (incl - excl) if (incl is not None and excl is not None) else 0
        atom_counts[(g, p, "stay")] = n - left - switch
        atom_counts[(g, p, "switch")] = switch
        atom_counts[(g, p, "left")] = left
        if incl is not None:
            by_row[("incl_switch", g, p)] = [(g, p, "switch"), (g, p, "left")] if excl is not None else [(g, p, "left")]
        if excl is not None:
            by_row[("excl_switch", g, p)] = [(g, p, "left")]
    hidden_rows: set = set()

    def published(hidden_rows):
        shown = {("d",) + k: v for k, v in by_row.items() if k not in hidden_rows}
        for g, p in cells:
            if any(k[1:] == (g, p) and k not in hidden_rows for k in by_row):
                shown[("n", g, p)] = [(g, p, s) for s in ("stay", "switch", "left")]
        shown[("total",)] = list(atom_counts)
        return shown

    while True:
        shown = published(hidden_rows)
        bad = derivable_small_sets(shown, atom_counts, min_cell=min_cell)
        if not bad:
            break
        open_rows = [k for k in by_row if k not in hidden_rows]
        pick = _pick(bad[0], open_rows, lambda units: published(hidden_rows | set(units)),
                     lambda k: by_row[k] + [(k[1], k[2], s) for s in ("stay", "switch", "left")],
                     lambda k: sum(atom_counts[a] for a in by_row[k]), atom_counts)
        if pick is None:
            raise ValueError("the total alone discloses a count below the minimum cell size")
        hidden_rows.add(pick)
    mask = pd.Series([(o, g, p) in hidden_rows for o, g, p in zip(out["outcome_definition"], out["group"],
                                                                    out["period"], strict=True)], index=out.index)
    for col in ("n_students", "n_dropout", "rate_pct"):
        out[col] = _blank(out[col], mask)
    previous = out["suppressed"].fillna(False).astype(bool) if "suppressed" in out.columns else False
    out["suppressed"] = mask | previous
    return out


def protect_event_counts(events: pd.DataFrame, pre_total: int, post_total: int, *,
                         count: str = "n_students_pilot", min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Blank event-study counts so that no 1-4 count follows from the others and the pre/post totals.

    Parameters
    ----------
    events : pandas.DataFrame
        Event-study table with ``rel_time`` and ``count`` (already NA where
        1-4, the primary suppression); repeated per outcome definition.
    pre_total, post_total : int
        Pilot students before / from the start (shown in the 2x2 table: public).

    Returns
    -------
    pandas.DataFrame
        A copy with secondary suppressions blanked in ``count``.

    Notes
    -----
    Atoms: the pilot students at each relative time. Shown: each relative
    time's count (unless blank), and the public totals over ``rel_time < 0``
    and ``>= 0``.
    """
    out = events.copy()
    first = out.drop_duplicates("rel_time").set_index("rel_time")[count]
    times = sorted(first.index)
    # the true counts are not in the table where primary suppression blanked them: they are 1-4,
    # recovered from the totals when only one is blank per side; else take 1 (any value 1-4 gives the same audit)
    atom_counts = {t: int(first[t]) if pd.notna(first[t]) else 1 for t in times}
    for side, total in (([t for t in times if t < 0], pre_total), ([t for t in times if t >= 0], post_total)):
        blank = [t for t in side if pd.isna(first[t])]
        if len(blank) == 1:
            atom_counts[blank[0]] = int(total) - sum(atom_counts[t] for t in side if t != blank[0])
    published: dict[tuple, list] = {("n", t): [t] for t in times if pd.notna(first[t])}
    published[("pre",)] = [t for t in times if t < 0]
    published[("post",)] = [t for t in times if t >= 0]
    hidden = complementary_suppression(published, atom_counts, public=[("pre",), ("post",)], min_cell=min_cell)
    hide_times = {k[1] for k in hidden}
    mask = out["rel_time"].isin(hide_times)
    if mask.any():  # as the primary suppression does: NaN in a float column (untouched when nothing is hidden)
        out[count] = out[count].astype(float).mask(mask)
    return out


def protect_horizon_totals(table: pd.DataFrame, *, count: str = "n_students", by: str = "estimator",
                           horizon: str = "horizon_months", min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Blank totals at later horizons that differ from a shown one by 1 to ``min_cell - 1`` students.

    The intake shrinks from one horizon to the next only by students whose
    horizon has not passed at the extract date; two totals differing by 1-4
    would show that count. Within each ``by`` group the first (main) horizon
    keeps its total; a later one is blanked when it differs from any shown
    total by 1 to ``min_cell - 1``.
    """
    out = table.copy()
    hide = pd.Series(False, index=out.index)
    for _, grp in out.groupby(by, sort=False, dropna=False):
        shown: list[int] = []
        for h in pd.unique(grp[horizon]):
            vals = grp.loc[grp[horizon] == h, count].dropna()
            if vals.empty:
                continue
            n = int(vals.iloc[0])
            if any(0 < abs(n - s) < min_cell for s in shown):
                hide[grp.index[grp[horizon] == h]] = True
            else:
                shown.append(n)
    if hide.any():
        out[count] = _blank(out[count], hide)
    return out
