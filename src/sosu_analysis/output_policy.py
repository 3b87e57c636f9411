"""The one output policy: where a command may write, and how (issue 20).

Every command that writes (``run``, ``import``, ``fetch --out``,
``survey-import``, ``synth``, ``synth-survey``) asks this module before it
writes anything:

- :func:`check_output_file` refuses a destination file that is a symbolic
  link or a folder, that git tracks (in whatever repository holds it: git is
  asked in the file's own folder, without a shell and with a time limit),
  that holds a secret key, or that is an input of the same command;
- :func:`check_output_folder` refuses an output folder (replaced as a whole by
  ``run``) that is a symbolic link or a file, holds or lies inside a protected
  folder or an input, holds files tracked by git, or is a non-empty folder
  without the marker file :data:`MARKER` that an earlier run wrote;
- :func:`claim_output` holds the lock of the destination
  (:func:`sosu_analysis.atomic.output_lock`), so that a second command on the
  same output stops at once, naming the first; a symbolic link planted as the
  lock file is a clear error;
- :func:`write_private_text` / :func:`private_folder`: personal data (the
  pseudonymized extract, a survey import) is written with mode 0600 in a
  folder of mode 0700.

Writes themselves are atomic (:mod:`sosu_analysis.atomic`): nothing partial
is left when a command fails.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import atomic
from .errors import InputError, Problem

#: file written in every folder ``sosu-analysis run`` made; only a folder holding it may be replaced
MARKER = ".sosu-analysis-output"
MARKER_TEXT = ("This folder was written by 'sosu-analysis run' and is replaced as a whole by the next run on it.\n"
               "Do not keep your own files here.\n")
#: seconds git may take to say whether it tracks a path (a hung git is refused, not waited for)
GIT_TIMEOUT = 10
#: a file no larger than this, holding only hexadecimal digits (at least 64), is taken for a secret key
_KEY_MAX_BYTES = 4096
#: environment variables that would make git answer for another repository than the file's own
_GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")


def _nearest_folder(path: Path) -> Path | None:
    for folder in (path if path.is_dir() else path.parent, *path.parents):
        if folder.is_dir():
            return folder
    return None


def git_tracked(path: str | os.PathLike, option: str = "--out") -> bool:
    """Tell whether git tracks ``path`` (a file, or any file under a folder) in the repository holding it.

    git is asked in the nearest existing folder of ``path`` (``git -C FOLDER
    ls-files --error-unmatch -- PATH``), so a file of *any* repository counts,
    not only the project's. No shell is used; ``GIT_DIR`` and its kin are
    removed from git's environment. ``False`` when git is not installed or the
    path is in no repository.

    Raises
    ------
    sosu_analysis.errors.InputError
        git did not answer within :data:`GIT_TIMEOUT` seconds (the output is
        refused rather than risked).
    """
    path = Path(path).resolve()  # through any symlinked folder: git is asked about the real file
    folder = _nearest_folder(path)
    if folder is None:
        return False
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV}
    env["GIT_OPTIONAL_LOCKS"] = "0"
    try:
        res = subprocess.run(["git", "-C", str(folder), "ls-files", "--error-unmatch", "--", str(path)],
                             capture_output=True, timeout=GIT_TIMEOUT, check=False, env=env,
                             stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        why = (f"git did not say within {GIT_TIMEOUT} s whether it tracks {path}; nothing was written (choose "
               "another output or check the repository)")
        raise InputError(Problem(option, why)) from None
    except OSError:  # git not installed: nothing can be tracked
        return False
    return res.returncode == 0


def looks_like_key_file(path: str | os.PathLike) -> bool:
    """Tell whether an existing small file holds only a secret key (64 or more hexadecimal digits)."""
    path = Path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > _KEY_MAX_BYTES:
            return False
        text = path.read_bytes().strip().lower()
    except OSError:
        return False
    return len(text) >= 64 and all(c in b"0123456789abcdef" for c in text)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_output_file(dest: str | os.PathLike, option: str = "--out", *,
                      inputs: Iterable[str | os.PathLike | None] = (),
                      keys: Iterable[str | os.PathLike | None] = ()) -> Path:
    """Refuse a destination file the policy forbids; return it as an absolute path.

    Parameters
    ----------
    dest : path-like
        The file about to be written (relative paths are the caller's: resolve first).
    option : str
        The option or file named in the message (``--out``).
    inputs : paths
        The inputs of the same command (``None`` entries are skipped).
    keys : paths
        Key files of the command; any existing file that looks like a key is refused as well.

    Raises
    ------
    sosu_analysis.errors.InputError
        One clear problem; nothing has been written.
    """
    path = Path(dest).absolute()
    shown = str(dest)

    def refuse(why: str) -> InputError:
        return InputError(Problem(option, f"'{shown}' {why}; nothing was written"))

    if path.is_symlink():
        raise refuse("is a symbolic link; an output is never written through a link, give the real file")
    if path.is_dir():
        raise refuse("is a folder; give a file name")
    if ".git" in path.resolve().parts:
        raise refuse("lies inside a .git folder")
    for key in keys:
        if key and _same(path, Path(key).expanduser()):
            raise refuse("is the key file")
    if looks_like_key_file(path):
        raise refuse("holds a secret key; a key file is never overwritten")
    for inp in inputs:
        if inp and _same(path, Path(inp)):
            raise refuse("is an input of this command")
    if path.exists() and git_tracked(path, option):
        raise refuse("is tracked by git; a command never overwrites a committed file (give a new file name)")
    return path


def check_output_folder(dest: str | os.PathLike, option: str = "--output", *,
                        inputs: Iterable[str | os.PathLike | None] = (),
                        protected: Iterable[str | os.PathLike] = (),
                        allow_tracked: Iterable[str | os.PathLike] = ()) -> Path:
    """Refuse an output folder whose replacement as a whole would delete something else.

    Allowed: a folder that does not exist, an empty folder, or a folder holding
    :data:`MARKER` (written by an earlier run). Refused: a symbolic link, a
    file, a folder holding (or lying inside) a ``protected`` folder or one of
    the ``inputs``, and a folder holding files tracked by git in any
    repository (except the folders in ``allow_tracked``: the project's own
    ``reports``, which ``make report`` replaces).
    """
    out = Path(dest).absolute()
    shown = str(dest)

    def refuse(why: str) -> InputError:
        return InputError(Problem(option, f"output folder '{shown}' {why}; nothing was written (the output "
                                          "folder is replaced as a whole: give a new folder, or one an earlier "
                                          "run wrote)"))

    if out.is_symlink():
        raise refuse("is a symbolic link")
    if out.exists() and not out.is_dir():
        raise refuse("is an existing file, not a folder")
    real = out.resolve()
    for folder in protected:
        p = Path(folder).resolve()
        if real == p or p.is_relative_to(real) or real.is_relative_to(p):
            raise refuse(f"is, holds or lies inside the protected folder {folder}")
    for inp in inputs:
        if inp and Path(inp).resolve().is_relative_to(real):
            raise refuse(f"holds the input {inp}")
    allowed = {Path(p).resolve() for p in allow_tracked}
    if real.is_dir() and real not in allowed and git_tracked(real, option):
        raise refuse("holds files tracked by git")
    if real.is_dir() and real not in allowed and any(real.iterdir()) and not (real / MARKER).is_file():
        raise refuse(f"is not empty and has no {MARKER} marker of an earlier run")
    return out


@contextlib.contextmanager
def claim_output(dest: str | os.PathLike, option: str = "--out") -> Iterator[Path]:
    """Hold the lock of ``dest`` while writing it; a second command on the same output stops at once.

    Raises
    ------
    sosu_analysis.errors.InputError
        Another command (its pid named) holds the lock, or the lock file is a
        symbolic link or cannot be made.
    """
    try:
        with atomic.output_lock(dest) as lock:
            yield lock
    except atomic.OutputLocked as exc:
        raise InputError(Problem(option, str(exc))) from None


def private_folder(folder: str | os.PathLike) -> list[str]:
    """Make ``folder`` (and missing parents) for personal data; return warnings (empty when private).

    A folder made here gets mode 0700. An existing folder that others may
    enter is tightened to 0700 when it is named ``private`` (the project's
    ``data/raw/private``) and owned by the user; otherwise a warning is returned.
    """
    folder = Path(folder)
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    for p in missing:
        os.chmod(p, 0o700)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        if folder.name == "private" and folder.stat().st_uid == os.getuid():
            os.chmod(folder, 0o700)
            return []
        return [f"warning: the folder {folder} can be entered by others (mode {mode:04o}); personal data was "
                f"written with mode 0600, but keep it in a private folder (chmod 700 {folder})"]
    return []


def write_private_text(dest: str | os.PathLike, text: str) -> None:
    """Write personal data atomically with mode 0600 (:func:`sosu_analysis.atomic.write_text`)."""
    atomic.write_text(dest, text, mode=0o600)
