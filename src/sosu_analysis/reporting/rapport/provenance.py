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


def report_date(root: str | os.PathLike, fallback: str = "") -> tuple[str, str]:
    """Return the report's date ``YYYY-MM-DD`` and where it comes from (``"git"`` or ``"udtræk"``).

    The date of the code version (last commit changing code, configuration or data): tied to the version
    rather than to the clock, so the same version gives the same report on any day. Outside a git archive
    the date is ``fallback`` (the extract's date, stated as such), never today's date.
    """
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", *SOURCE_PATHS], capture_output=True,
                             text=True, cwd=root, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    if out:
        return out, "git"
    if not fallback:
        raise ValueError("the report has no date: the code is not in a git archive and the extract has no date "
                         "(set extract_date in the config)")
    return str(pd.Timestamp(fallback).date()), "udtræk"


def report_date_words(date: str, source: str) -> str:
    """Return the report's date in words, saying when it is the extract's date (no git archive)."""
    return date_da(date) + (" (udtrækkets dato; koden er ikke i et git-arkiv)" if source == "udtræk" else "")


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


#: where the extract's date came from (:data:`sosu_analysis.pipeline.study.DATE_SOURCES`), in Danish
DATE_SOURCE_DA = {"config": "angivet i konfigurationen", "import": "fra importen af udtrækket",
                  "inferred": "udledt som seneste start- eller slutdato i udtrækket; sæt extract_date",
                  "complete": "syntetisk udtræk, alle statusser kendt", "aggregates": "afdelingernes egne optællinger"}


def last_start(data) -> str:
    """Return the last start date in the data in words ("" when there is none)."""
    frame = data if isinstance(data, pd.DataFrame) else None
    if frame is not None and "start_date" in frame.columns and frame["start_date"].notna().any():
        return date_da(pd.to_datetime(frame["start_date"]).max())
    return ""


def extract_words(data, synthetic: dict | None, as_of=None, date_source: str = "") -> str:
    """Return the extract's date in words: ``as_of`` with its source (the run's study data), else what is known."""
    last = last_start(data)
    if as_of is not None and not pd.isna(as_of):
        return f"{date_da(pd.Timestamp(as_of))} ({DATE_SOURCE_DA.get(date_source, date_source or 'kilde ukendt')})"
    if synthetic:
        return "syntetisk udtræk" + (f" (optag til og med {last})" if last else "")
    why = DATE_SOURCE_DA.get(date_source, "")
    return "ikke angivet" + (f" ({why})" if why else "") + (f"; seneste start i udtrækket {last}" if last else "")


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
