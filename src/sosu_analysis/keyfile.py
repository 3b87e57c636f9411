"""Where a secret key file may live, and how its text is read: one rule for `import` and `fetch`.

Two kinds of secret are read from files outside the project: the pseudonym key
of ``sosu-analysis import`` (:mod:`sosu_analysis.importer.pseudonym`) and the
API key of ``sosu-analysis fetch`` (:mod:`sosu_analysis.national.client`). Both
follow the same rule, kept here once:

- the file lies **outside the project tree** (a key inside it could be
  committed or shared with the data);
- it is **readable by its owner only** (``mode & 0o077 == 0``; ``chmod 600``);
- it is small (:data:`MAX_KEY_FILE_BYTES`), UTF-8 and holds the key on one line.

Messages never show the key itself.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: a key file is read only when at most this large (a key is a line, not a document)
MAX_KEY_FILE_BYTES = 16_384


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _project_root_or_none() -> Path | None:
    from .paths import project_root

    try:
        return project_root()
    except FileNotFoundError:
        return None


def check_key_location(path: str | os.PathLike, project: str | os.PathLike | None = None) -> list[str]:
    """Reasons the key file may not be used (empty if none): inside the project, or readable by others.

    Parameters
    ----------
    path
        The key file (need not exist yet: then only its place is checked).
    project
        The project root; ``None`` finds it (:func:`sosu_analysis.paths.project_root`).
    """
    path = Path(path).expanduser().resolve()
    root = Path(project).resolve() if project else _project_root_or_none()
    reasons = []
    if root is not None and _inside(path, root):
        reasons.append(f"the key file lies inside the project ({root}); keep it outside, e.g. in your home folder, "
                       "so it can never be committed or shared with the data")
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            reasons.append(f"the key file can be read by others (mode {mode:04o}); run: chmod 600 {path}")
    return reasons


def read_key_line(path: str | os.PathLike) -> str:
    """Return the one line of a key file (surrounding blanks and a final newline dropped).

    Raises
    ------
    ValueError
        With a message that never quotes the file's content: too large, not
        UTF-8, empty, or more than one non-empty line.
    """
    p = Path(path)
    if p.stat().st_size > MAX_KEY_FILE_BYTES:
        raise ValueError(f"is larger than {MAX_KEY_FILE_BYTES} bytes; a key file holds one line")
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text (the key is not shown)") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("is empty")
    if len(lines) > 1:
        raise ValueError(f"holds {len(lines)} non-empty lines; a key file holds the key on one line "
                         "(the key is not shown)")
    return lines[0]
