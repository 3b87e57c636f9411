"""Where the report comes from: report date, code version, data files with checksums, package versions."""

from __future__ import annotations

import os
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from ...atomic import sha256_file
from ...danish import count
from .words import date_da

PACKAGES = ("sosu-analysis", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbval", "jupyterlab", "playwright", "jinja2")
#: what decides the numbers: code, configuration, inputs, pinned packages (not the outputs)
SOURCE_PATHS = ["src", "config", "data/raw", "pyproject.toml", "requirements.lock"]
FILE_LABELS = {"published_table": "Ministeriets tal", "goals_table": "Nationale mål",
               "students_file": "Elevudtræk", "campuses_table": "Afdelinger", "interventions_table": "Indsatser"}


def report_date(root: str | os.PathLike) -> str:
    """Return the date of the code version (last commit changing code, configuration or data), ``YYYY-MM-DD``.

    Tied to the version rather than to the clock, so the same version gives the same report on any day.
    """
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", *SOURCE_PATHS], capture_output=True,
                             text=True, cwd=root, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return out or pd.Timestamp.today().strftime("%Y-%m-%d")


def git_commit(root: str | os.PathLike) -> str:
    """Return the last commit that changed code, configuration or inputs, with a note for uncommitted changes."""
    try:
        head = subprocess.run(["git", "log", "-1", "--format=%H", "--", *SOURCE_PATHS], capture_output=True,
                              text=True, cwd=root, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *SOURCE_PATHS],
                               capture_output=True, text=True, cwd=root, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "(ikke et git-arkiv)"
    return head + (" med ikke-committede ændringer" if dirty else "")


def extract_words(data, synthetic: dict | None, extract_date: str = "") -> str:
    """Return the data extraction date in words."""
    if extract_date:
        return date_da(extract_date)
    frame = data if isinstance(data, pd.DataFrame) else None
    last = ""
    if frame is not None and "start_date" in frame.columns:
        last = date_da(pd.to_datetime(frame["start_date"]).max())
    if synthetic:
        return "syntetisk udtræk" + (f" (optag til og med {last})" if last else "")
    return f"ikke angivet; seneste start i udtrækket {last}" if last else "ikke angivet"


def input_files_table(files: dict[str, str], root: str | os.PathLike) -> pd.DataFrame:
    """Every data file with its size and SHA-256 checksum."""
    rows = []
    for key, rel in files.items():
        p = Path(root) / rel if not Path(rel).is_absolute() else Path(rel)
        rows.append({"Indhold": FILE_LABELS.get(key, key), "Fil": rel, "Bytes": count(p.stat().st_size),
                     "SHA-256": sha256_file(p)})
    return pd.DataFrame(rows)


def package_versions() -> pd.DataFrame:
    """Return the installed versions of the packages the report depends on."""
    rows = []
    for name in PACKAGES:
        try:
            rows.append({"Pakke": name, "Version": metadata.version(name)})
        except metadata.PackageNotFoundError:
            rows.append({"Pakke": name, "Version": "(ikke installeret)"})
    return pd.DataFrame(rows)
