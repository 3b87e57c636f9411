"""The published table: cleaning, reconciliation and every way input can be wrong.

Reference: Table 1 of seed 003 (SOSU H's dropout analysis; source
uddannelsesstatistik.dk, topic page 154), reproduced in ../shared/BRIEF.md.
The intake sizes below were worked out by hand from the published shares:
e.g. PAU 2024 shows 181 + 4 = 185 students, but 181 / 185 = 97,8 %, not the
published 97,3 %; only 186 students give 97,3 % (181/186 = 97,31 %) and
2,2 % (4/186 = 2,15 %), so one student is in a status the table does not show.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sosu_analysis.errors import InputError
from sosu_analysis.paths import project_root
from sosu_analysis.readers.published import TABLE1_COLUMNS, clean_published, reconcile_cohort, table1

PUBLISHED_CSV = project_root() / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"

# programme, year: counts as published (in progress, switch, no switch, total; None = blank)
# and the intake size(s) that reproduce every published share (worked out by hand, see above).
EXPECTED = {
    ("PAU", 2022): ((207, None, 6, 6), 213, 213),
    ("PAU", 2023): ((201, None, 16, 16), 217, 217),
    ("PAU", 2024): ((181, None, 4, 4), 186, 186),
    ("SSA", 2022): ((918, 34, 120, 154), 1072, 1073),
    ("SSA", 2023): ((1171, 43, 179, 222), 1393, 1393),
    ("SSA", 2024): ((1095, 40, 191, 231), 1327, 1328),
    ("SSH", 2022): ((711, 8, 68, 76), 788, 788),
    ("SSH", 2023): ((790, 34, 89, 123), 914, 914),
    ("SSH", 2024): ((918, 30, 82, 112), 1032, 1032),
}
# Published shares (tenths of a percent), seed 003 Table 1, in the order above.
PUBLISHED_TENTHS = {
    ("PAU", 2022): (972, None, 28, 28), ("PAU", 2023): (926, None, 74, 74), ("PAU", 2024): (973, None, 22, 22),
    ("SSA", 2022): (856, 32, 112, 144), ("SSA", 2023): (841, 31, 128, 159), ("SSA", 2024): (825, 30, 144, 174),
    ("SSH", 2022): (902, 10, 86, 96), ("SSH", 2023): (864, 37, 97, 135), ("SSH", 2024): (890, 29, 79, 109),
}
KEYS = ("in_progress", "dropout_switch", "dropout_noswitch", "dropout_total")


@pytest.fixture(scope="module")
def tidy():
    return clean_published(PUBLISHED_CSV)


def test_counts_and_intake_sizes(tidy):
    assert len(tidy) == 9
    for (prog, year), (counts, n, n_max) in EXPECTED.items():
        r = tidy[(tidy["programme"] == prog) & (tidy["year"] == year)].iloc[0]
        got = tuple(int(r[f"n_{k}"]) for k in KEYS)
        want = tuple(0 if c is None else c for c in counts)  # PAU switch: blank, pinned to total - no switch = 0
        assert got == want, (prog, year)
        assert (int(r["n_cohort"]), int(r["n_cohort_max"])) == (n, n_max), (prog, year)
        assert int(r["n_other"]) == n - counts[0] - counts[3]


def test_every_published_percentage_reproduced_at_one_decimal(tidy):
    checked = 0
    for (prog, year), tenths in PUBLISHED_TENTHS.items():
        r = tidy[(tidy["programme"] == prog) & (tidy["year"] == year)].iloc[0]
        for key, t in zip(KEYS, tenths):
            if t is None:
                assert pd.isna(r[f"published_pct_{key}"])
                continue
            # round half up of the unrounded share, done here with Python's decimal arithmetic
            from decimal import ROUND_HALF_UP, Decimal
            share = Decimal(int(r[f"n_{key}"]) * 100) / Decimal(int(r["n_cohort"]))
            assert share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == Decimal(t) / 10, (prog, year, key)
            checked += 1
    assert checked == 33  # 36 cells, 3 of them blank (PAU, afbrudt med omvalg)


def test_blank_cells_are_derived_and_flagged(tidy):
    pau = tidy[tidy["programme"] == "PAU"]
    assert (pau["derived_cells"] == "n_dropout_switch").all()
    assert (tidy[tidy["programme"] != "PAU"]["derived_cells"] == "").all()


def test_table1_columns(tidy):
    t = table1(tidy)
    assert tuple(t.columns) == TABLE1_COLUMNS
    ssa24 = t[(t.programme == "SSA") & (t.year == 2024)].iloc[0]
    assert ssa24["pct_dropout_total"] == pytest.approx(100 * 231 / 1327)
    assert (t["n_cohort"] == t["n_in_progress"] + t["n_dropout_total"] + t["n_other"]).all()
    assert (t["n_dropout_total"] == t["n_dropout_switch"] + t["n_dropout_noswitch"]).all()


def test_reconcile_cohort_closed_form():
    # 1 of 3 is 33,3 %: every n in 3 works only at n = 3 among small sizes (1/3 = 33,33 %)
    assert list(reconcile_cohort({"a": (1, 333)}, 3)[0]) == [3]
    # 50,0 % of 2 students (1 of 2) and 0 % for the rest: only n = 2
    assert list(reconcile_cohort({"a": (1, 500), "b": (0, 0)}, 1)[0]) == [2]
    # a share that no intake size can give with its count
    sizes, culprits = reconcile_cohort({"a": (1, 900), "b": (5, 100)}, 6)
    assert list(sizes) == [] and culprits


def test_reconcile_cohort_matches_a_brute_force_scan():
    """The closed-form interval equals an exhaustive scan with exact rounding (danish.round_half_up_tenths)."""
    from sosu_analysis.danish import round_half_up_tenths

    for count, tenths in [(6, 28), (1171, 841), (34, 32), (120, 112), (4, 22), (1, 1), (7, 0)]:
        scan = [n for n in range(max(count, 1), 20_000) if round_half_up_tenths(count, n) == tenths]
        got = reconcile_cohort({"a": (count, tenths)}, max(count, 1))[0]
        if tenths == 0:
            assert got[0] == scan[0] and len(got) == 1
        else:
            assert list(got) == scan, (count, tenths)


def test_huge_count_with_tiny_share_answers_at_once():
    """Regression (issue 11): a huge count with a 0,1 % share used to scan hundreds of millions of sizes."""
    import time

    t = time.process_time()
    sizes, _ = reconcile_cohort({"a": (10**12, 1), "b": (10**12 + 5, 1)}, 10**12)
    assert time.process_time() - t < 1.0  # loose guard: the old scan took over a minute
    assert sizes[0] == 2000 * (10**12 + 5) // 3 + 1 and len(sizes) > 10**14


# ---- file variants -------------------------------------------------------------------------

def test_comma_separated_windows1252(published_text, write_variant):
    rows = [line.split(";") for line in published_text.strip().splitlines()]
    text = "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in rows) + "\r\n"
    path = write_variant(text, "export.csv", "cp1252")
    got = clean_published(path)
    pd.testing.assert_frame_equal(table1(got), table1(clean_published(PUBLISHED_CSV)))


def test_utf8_bom(published_text, write_variant):
    path = write_variant("\ufeff" + published_text, "bom.csv")
    assert len(clean_published(path)) == 9


def test_xlsx(published_text, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, line in enumerate(published_text.strip().splitlines()):
        cells = line.split(";")
        if i > 0:
            # counts as numbers in the sheet; the first share as an Excel percentage cell
            cells = [int(c.replace(".", "")) if c and c.replace(".", "").isdigit() else c for c in cells]
        ws.append(cells)
    ws["D2"].value = 0.972
    ws["D2"].number_format = "0.0%"
    path = tmp_path / "export.xlsx"
    wb.save(path)
    pd.testing.assert_frame_equal(table1(clean_published(path)), table1(clean_published(PUBLISHED_CSV)))


# ---- bad input: each names file, row and column ----------------------------------------------

def _replace_cell(text: str, line: int, col: int, value: str) -> str:
    lines = text.splitlines()
    cells = lines[line - 1].split(";")
    cells[col] = value
    lines[line - 1] = ";".join(cells)
    return "\n".join(lines) + "\n"


def _error(path) -> InputError:
    with pytest.raises(InputError) as info:
        clean_published(path, "bad.csv")
    return info.value


def test_missing_column(published_text, write_variant):
    lines = [";".join(line.split(";")[:-1]) for line in published_text.splitlines()]
    err = _error(write_variant("\n".join(lines)))
    assert err.problems[0].column == "Afbrudt totalt (antal)" and err.problems[0].row == 1
    assert "missing column" in str(err) and "bad.csv" in str(err)


def test_non_numeric_count(published_text, write_variant):
    err = _error(write_variant(_replace_cell(published_text, 6, 4, "mange")))
    p = err.problems[0]
    assert (p.row, p.column) == (6, "I gang (antal)") and "not a number" in p.message


def test_negative_count(published_text, write_variant):
    err = _error(write_variant(_replace_cell(published_text, 7, 6, "-40")))
    p = err.problems[0]
    assert (p.row, p.column) == (7, "Afbrudt med omvalg (antal)") and "negative" in p.message


def test_total_not_sum_of_parts(published_text, write_variant):
    err = _error(write_variant(_replace_cell(published_text, 5, 10, "155")))
    p = err.problems[0]
    assert (p.row, p.column) == (5, "Afbrudt totalt (antal)") and "not the sum" in p.message


def test_percentage_contradicts_count(published_text, write_variant):
    # SSH 2023: 'I gang' 86,4 % -> 96,4 %, which no intake size gives together with the other shares
    err = _error(write_variant(_replace_cell(published_text, 9, 3, "96,4 %")))
    p = err.problems[0]
    assert (p.row, p.column) == (9, "I gang (andel)") and "contradicts" in p.message


def test_duplicate_programme_year(published_text, write_variant):
    lines = published_text.splitlines()
    err = _error(write_variant("\n".join(lines + [lines[5]]) + "\n"))
    p = err.problems[0]
    assert p.row == 11 and p.column == "Uddannelse" and "duplicate" in p.message and "row 6" in p.message


def test_unknown_programme(published_text, write_variant):
    err = _error(write_variant(_replace_cell(published_text, 2, 1, "Frisør")))
    p = err.problems[0]
    assert (p.row, p.column) == (2, "Uddannelse") and "unknown programme 'Frisør'" in p.message


def test_empty_file(write_variant):
    err = _error(write_variant(""))
    assert "empty" in str(err)


def test_header_only(published_text, write_variant):
    err = _error(write_variant(published_text.splitlines()[0] + "\n"))
    assert "no data rows" in str(err)


def test_not_a_table(write_variant, tmp_path):
    err = _error(write_variant("Dette er et brev, ikke en tabel.\nMed venlig hilsen\n"))
    assert "not a table" in str(err)
    png = tmp_path / "picture.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="binary"):
        clean_published(png)


def test_all_problems_reported_at_once(published_text, write_variant):
    text = _replace_cell(_replace_cell(published_text, 2, 1, "Frisør"), 6, 4, "mange")
    err = _error(write_variant(text))
    assert {(p.row, p.column) for p in err.problems} == {(2, "Uddannelse"), (6, "I gang (antal)")}


def test_unpinned_blank_dropout_cells_are_refused(published_text, write_variant):
    # SSA 2022 with both 'uden omvalg' and 'totalt' blank: nothing pins them
    text = _replace_cell(_replace_cell(published_text, 5, 8, ""), 5, 10, "")
    err = _error(write_variant(text))
    assert {(p.row, p.column) for p in err.problems} == {(5, "Afbrudt uden omvalg (antal)"),
                                                         (5, "Afbrudt totalt (antal)")}
    assert "do not pin" in str(err)


def test_row_without_students_is_refused(write_variant, published_text):
    header = published_text.splitlines()[0]
    err = _error(write_variant(header + "\nSOSU H;SSA;2022;0,0 %;0;0,0 %;0;0,0 %;0;0,0 %;0\n"))
    assert err.problems[0].row == 2 and "no students" in err.problems[0].message
