"""Time of the message policy's masks on long text: the old e-mail pattern against the linear scan (issue 20).

The old pattern ``[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+`` was retried at every start
position of a long word: quadratic. ``privacy.mask_message`` now scans from each
"@" instead. This script times both on a word of n characters without "@"
(the worst case of the old pattern) and on one with a trailing "@x" and
writes ``results/message_policy.{csv,md}``. Not part of ``make test``.

Run: ``.venv/bin/python benchmarks/message_policy.py``
"""

from __future__ import annotations

import re
import time

import pandas as pd
from _common import RESULTS, machine_info, machine_markdown, markdown_table

from sosu_analysis import privacy

OLD_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
OLD_SIZES = (2_500, 5_000, 10_000)
NEW_SIZES = (2_500, 5_000, 10_000, 100_000, 300_000, 1_000_000)


def _time(fn, text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return time.perf_counter() - start


def main() -> None:
    rows = []
    for n in NEW_SIZES:
        for case, text in (("word", "k" * n), ("word@x", "k" * n + "@x")):
            old = _time(lambda t: OLD_EMAIL.sub(privacy.MASK, t), text) if n in OLD_SIZES else float("nan")
            new = _time(privacy.mask_message, text)
            safe = _time(lambda t: privacy.safe_text(t, secrets=["secret-key"]), text)
            rows.append({"characters": n, "text": case, "old_email_pattern_s": old, "mask_message_s": new,
                         "safe_text_s": safe})
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "message_policy.csv", index=False)
    md = ("# Message policy: time of the masks on long text\n\n"
          "`old_email_pattern_s`: the e-mail pattern before issue 20 (blank where it was not run: it grows with "
          "the square of the length); `mask_message_s`: the whole identifier mask now; `safe_text_s`: the "
          "whole message policy (secrets, identifiers, escapes, bound).\n\n"
          + markdown_table(table, 4) + "\n\n" + machine_markdown(machine_info()) + "\n")
    (RESULTS / "message_policy.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
