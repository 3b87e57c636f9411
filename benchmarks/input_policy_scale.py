"""Time of the input policy's checks against the length of hostile input (issue 20): linear, not quadratic.

Each check of :mod:`sosu_analysis.input_policy` is run on inputs of growing length built to defeat a
backtracking pattern (long digit runs broken by separators, an unclosed quote, a YAML alias bomb, a
zip bomb named ``.xlsx``). The time per million characters should stay flat as the length grows; a
quadratic check would grow with it. Writes ``results/input_policy_scale.{csv,md}``.

Usage::

    .venv/bin/python benchmarks/input_policy_scale.py
"""

from __future__ import annotations

import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

from sosu_analysis import input_policy
from sosu_analysis.errors import InputError
from sosu_analysis.readers.rawtable import check_xlsx_container

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, machine_markdown, markdown_table  # noqa: E402

SIZES = (100_000, 1_000_000, 4_000_000)


def _time(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def _refused(fn, *args) -> None:
    try:
        fn(*args)
    except InputError:
        return
    raise AssertionError("expected a refusal")


def _bomb(n: int) -> str:
    """A billion-laughs document of about ``n`` characters (aliases 10 levels deep, then padding)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    text = "\n".join(lines) + "\n"
    return text + "# " + "p" * max(0, min(n, input_policy.MAX_YAML_BYTES - 10) - len(text)) + "\n"


def run() -> pd.DataFrame:
    rows = []
    tmp = Path(tempfile.mkdtemp())
    for n in SIZES:
        digits = ("12345-" * (n // 6 + 1))[:n]
        quote = ('"ab";' * (n // 5))[: n - 2] + '"x'  # a quoted field every 5 characters, the last one open
        names = ("Anne Hansen " * (n // 12 + 1))[:n]
        bomb = _bomb(n)
        cases = {
            "looks_like_cpr (digit runs and dashes)": (input_policy.looks_like_cpr, digits),
            "unclosed_quote_line (quoted fields, last open)": (input_policy.unclosed_quote_line, quote, ";"),
            "identifier_kind (a long name-like id)": (input_policy.identifier_kind, names),
            "load_yaml (alias bomb, capped at 1 MB)": (_refused, input_policy.load_yaml, bomb, "b.yaml"),
        }
        path = tmp / f"bomb{n}.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/workbook.xml", "<workbook/>")
            zf.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * n))
        cases["check_xlsx_container (zip bomb, 50x n bytes)"] = (_refused, check_xlsx_container, path, "b.xlsx")
        for name, call in cases.items():
            best = min(_time(*call) for _ in range(3))
            rows.append({"check": name, "characters": n, "seconds": round(best, 4),
                         "seconds_per_million": round(best / n * 1e6, 4)})
    return pd.DataFrame(rows)


def main() -> int:
    table = run()
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "input_policy_scale.csv", index=False)
    md = ["# Input policy: time against input length (issue 20)", "", machine_markdown(machine_info()), "",
          markdown_table(table, 4), ""]
    (RESULTS / "input_policy_scale.md").write_text("\n".join(md), encoding="utf-8")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
