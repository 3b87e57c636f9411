"""Atomic writes: a failed run never leaves a half-written file behind.

Every output is written to a temporary file in the destination folder and then
moved into place with :func:`os.replace`, which is atomic on POSIX file
systems, so the previous version stays intact until the new one is complete.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

#: significant digits of every float written to a CSV table
SIGNIFICANT_DIGITS = 12


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success move it onto ``dest``.

    ``mode`` (e.g. ``0o600`` for personal data) is the file's mode from the start; by default the
    usual mode under the umask.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask() if mode is None else mode)  # mkstemp makes 0600
    try:
        yield tmp_path
        os.replace(tmp_path, dest)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(dest: str | os.PathLike, text: str, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) to ``dest`` atomically (``mode``: see :func:`atomic_path`)."""
    with atomic_path(dest, mode) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(dest: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``dest`` atomically."""
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)


def round_significant(series: pd.Series, digits: int = SIGNIFICANT_DIGITS) -> pd.Series:
    """Round a float column to ``digits`` significant digits (NA, inf and the dtype kept).

    Parameters
    ----------
    series : pandas.Series
        A float column (``float64`` or ``Float64``).
    digits : int
        Significant digits kept.

    Returns
    -------
    pandas.Series
        The nearest float to each value's ``digits``-digit decimal form.

    Notes
    -----
    Each value goes through ``format(v, ".12g")`` and back to float, so that
    pandas then writes the shortest text of the rounded value (``0.1`` stays
    ``0.1``, ``3.0`` stays ``3.0``). Writing with ``float_format="%.12g"``
    directly would print ``3.0`` as ``3``, and a column of whole floats would
    then be read back as integers.
    """
    values = series.to_numpy(dtype=float, na_value=np.nan)
    rounded = np.array([float(f"{v:.{digits}g}") for v in values], dtype=float)
    return pd.Series(rounded, index=series.index, name=series.name).astype(series.dtype)


#: first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: a text cell that is a plain number (``-3``, ``-1,2``, ``+4.5 %``): a spreadsheet reads it as that number,
#: never as a formula, so it is left as it is (one pattern, no nested quantifier: linear time)
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,\u00a0 ]*%?")


def formula_safe_text(value: object) -> object:
    """Neutralise one text cell that a spreadsheet would run as a formula; anything else is returned as it is.

    As OWASP recommends against CSV injection: a text starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
    quote, so Excel and LibreOffice show it as text. A text that is only a
    signed number (``-1,2``) and a lone sign (``-``, a placeholder) stay, and a
    value that is not text (a number, negative ones included, or NA) is never
    touched.

    >>> [formula_safe_text(v) for v in ["=cmd|' /C calc'!A0", "@SUM(A1)", "-1,2", "-", "K17", -3.5]]
    ["'=cmd|' /C calc'!A0", "'@SUM(A1)", '-1,2', '-', 'K17', -3.5]
    """
    if (isinstance(value, str) and value[:1] in FORMULA_STARTS and value not in ("-", "+")
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every text cell and column name made formula-safe (:func:`formula_safe_text`).

    Only text columns (object, string, categorical) are looked at; numeric
    columns are returned unchanged, so a negative number stays a number. The
    frame is copied only when a cell changes.
    """
    out = frame
    names = [formula_safe_text(c) for c in frame.columns]
    if any(isinstance(c, str) and a != c for a, c in zip(names, frame.columns, strict=True)):
        out = out.copy()
        out.columns = names
    for i, dtype in enumerate(frame.dtypes):
        if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
                or isinstance(dtype, pd.CategoricalDtype)):
            continue
        column = frame.iloc[:, i]
        if isinstance(dtype, pd.CategoricalDtype):
            column = column.astype(object)
        values = column.to_numpy(dtype=object)
        risky = [j for j, v in enumerate(values) if isinstance(v, str) and v[:1] in FORMULA_STARTS
                 and formula_safe_text(v) is not v]
        if not risky:
            continue
        values = values.copy()
        for j in risky:
            values[j] = formula_safe_text(values[j])
        if out is frame:
            out = frame.copy()
        new = pd.Series(values, index=frame.index, dtype=object if isinstance(dtype, pd.CategoricalDtype) else dtype)
        out.isetitem(i, new.array)
    return out


def write_csv(dest: str | os.PathLike, frame: pd.DataFrame, **kwargs) -> None:
    """Write ``frame`` as UTF-8 CSV (no index, newline line ends) atomically.

    Every float is written with :data:`SIGNIFICANT_DIGITS` (12) significant
    digits (see :func:`round_significant`): the last digits of a least-squares
    fit differ between machines (BLAS), and a rerun anywhere should give
    byte-identical files. Every text cell is made formula-safe
    (:func:`formula_safe`: a leading ``'`` before ``=``, ``+``, ``-``, ``@``, tab
    or CR; numbers untouched). Every table and processed file of the package is
    written through this function (or :func:`csv_text`).
    """
    frame = formula_safe(frame)
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\n")
    floats = [i for i, dtype in enumerate(frame.dtypes) if pd.api.types.is_float_dtype(dtype)]
    if floats:
        frame = frame.copy()
        for i in floats:
            frame.isetitem(i, round_significant(frame.iloc[:, i]).array)
    mode = kwargs.pop("mode", None)  # e.g. 0o600 for personal data (see atomic_path)
    with atomic_path(dest, mode) as tmp:
        frame.to_csv(tmp, **kwargs)


def csv_text(frame: pd.DataFrame, **kwargs) -> str:
    """Return ``frame`` as CSV text (no index, newline line ends), formula-safe like :func:`write_csv`.

    For a caller that writes the text itself (the survey commands); floats are
    written as pandas writes them (not rounded).
    """
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\n")
    return str(formula_safe(frame).to_csv(**kwargs))


@contextlib.contextmanager
def atomic_dir(dest: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh staging folder; on success it replaces ``dest`` as a whole.

    The old folder is moved aside first and removed only after the new one is
    in place, so a failure at any point leaves ``dest`` as it was.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".staging", dir=dest.parent))
    os.chmod(stage, 0o777 & ~_umask())
    try:
        yield stage
        old = None
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
            old.rmdir()
            os.replace(dest, old)
        os.replace(stage, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


class OutputLocked(RuntimeError):
    """Another run holds the lock of the output folder."""


def _lock_path(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.lock"


@contextlib.contextmanager
def output_lock(dest: str | os.PathLike) -> Iterator[Path]:
    """Hold an exclusive lock on the output folder ``dest`` for the duration of a run.

    The lock is ``.<name>.lock`` beside ``dest``, locked with :func:`fcntl.flock`
    (released by the kernel when the process ends, so a killed run leaves no
    stale lock) and holding the pid of the run. A second run on the same
    output raises :class:`OutputLocked` at once. While the lock is held, the
    staging and old folders of earlier killed runs are removed (no live run
    can be using them). The lock file is opened without following symlinks.
    """
    import fcntl

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    path = _lock_path(dest)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:  # a symlink planted as the lock (ELOOP), a folder, no permission
            what = "is a symbolic link" if path.is_symlink() else f"cannot be opened ({exc.strerror})"
            raise OutputLocked(f"the lock file {path} of {dest} {what}; remove it if no run is writing there, "
                               "then run again") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            finally:
                os.close(fd)
            raise OutputLocked(f"another run (pid {holder}) is writing to {dest}; wait for it to finish, or choose "
                               f"another --output (lock file {path})") from None
        # the holder before us may have removed the file after we opened it: lock the file that is there now
        try:
            same = os.fstat(fd).st_ino == os.stat(path, follow_symlinks=False).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        remove_stale(dest)
        yield path
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        os.close(fd)


def remove_stale(dest: str | os.PathLike) -> list[Path]:
    """Remove the staging and old folders that killed runs left beside ``dest``; return them.

    Only call while holding :func:`output_lock`. Symlinks are never followed.
    """
    dest = Path(dest)
    removed = []
    for pattern in (f".{dest.name}.*.staging", f".{dest.name}.*.old"):
        for p in dest.parent.glob(pattern):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def private_tempdir(prefix: str = "sosu-analysis-") -> Path:
    """Make a new folder only this user can read (mode 0700, random name; :func:`tempfile.mkdtemp`)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o700)
    return path


def sha256_file(path: str | os.PathLike) -> str:
    """Return the SHA-256 of a file's bytes (hex), read in 1 MiB blocks."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
