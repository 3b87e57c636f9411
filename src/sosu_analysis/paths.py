"""Where the project is: notebooks and the CLI resolve paths against the project root.

Parameters in ``config/*.yaml`` and in the notebooks' ``parameters`` cells are
paths relative to the project root (or absolute). The root is the folder named
by the environment variable ``SOSU_PROJECT_ROOT`` if set, else the nearest
folder above the current one that holds ``pyproject.toml`` and ``notebooks/``.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root(start: str | os.PathLike | None = None) -> Path:
    """Find the project root: SOSU_PROJECT_ROOT, else the nearest folder above ``start`` with pyproject.toml."""
    env = os.environ.get("SOSU_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
            return folder
    raise FileNotFoundError(
        f"cannot find the sosu-analysis project root above {here}; set SOSU_PROJECT_ROOT"
    )


def resolve(path: str | os.PathLike, root: str | os.PathLike | None = None) -> Path:
    """Return ``path`` made absolute against the project root."""
    p = Path(path)
    if p.is_absolute():
        return p
    return (Path(root) if root else project_root()) / p
