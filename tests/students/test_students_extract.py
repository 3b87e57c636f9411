"""The student extract validator: every error names file, row and column, and never shows a pseudonym."""

from __future__ import annotations

import pytest
from students_helpers import HEADER, write

from sosu_analysis.errors import InputError
from sosu_analysis.students import read_extract

GOOD = "S000001,SSA,Alpha,2025-04-07,,"


def problems(path, campuses=None):
    with pytest.raises(InputError) as info:
        read_extract(path, campuses)
    return info.value.problems


def only(path, campuses=None):
    found = problems(path, campuses)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_valid_extract_reads_with_types_and_aliases(extract_file, campuses):
    path = extract_file(GOOD, "S000002,ssh,north,2024-08-05,2024-09-01,Left", "S000003,SSA,Beta,2023-04-03,,")
    frame = read_extract(path, campuses)
    assert list(frame.columns) == ["student_id", "programme", "campus", "start_date", "exit_date", "exit_type"]
    assert frame["campus"].tolist() == ["Alpha", "Alpha", "Beta"]  # alias 'north' -> Alpha
    assert frame["programme"].tolist() == ["SSA", "SSH", "SSA"]
    assert frame["exit_type"].tolist() == ["", "left", ""]
    assert str(frame["start_date"].dtype).startswith("datetime64")
    assert frame["exit_date"].isna().tolist() == [True, False, True]
    assert frame.attrs["synthetic"] is None


def test_semicolon_cp1252_file(tmp_path, campuses):
    path = write(tmp_path, "x.csv", HEADER.replace(",", ";") + "\nS1;SSA;Alpha;2025-04-07;;\n", encoding="cp1252")
    assert len(read_extract(path, campuses)) == 1


def test_xlsx_date_cells(tmp_path, campuses):
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(["S1", "SSA", "Alpha", dt.datetime(2025, 4, 7), dt.datetime(2025, 5, 1), "switch"])
    wb.save(tmp_path / "x.xlsx")
    frame = read_extract(tmp_path / "x.xlsx", campuses)
    assert frame.loc[0, "exit_date"].date() == dt.date(2025, 5, 1)


def test_missing_column(tmp_path):
    path = write(tmp_path, "x.csv", "student_id,programme,campus,start_date,exit_date\nS1,SSA,Alpha,2025-04-07,\n")
    p = only(path)
    assert (p.row, p.column) == (1, "exit_type")
    assert "missing" in p.message and "x.csv" in str(p)


@pytest.mark.parametrize("cpr", ["010190-1234", "0101901234", "010190 1234"])
def test_cpr_like_id_refused_without_echo(extract_file, cpr):
    path = extract_file(f"{cpr},SSA,Alpha,2025-04-07,,")
    p = only(path)
    assert (p.row, p.column) == (2, "student_id")
    assert "CPR" in p.message
    digits = cpr.replace("-", "").replace(" ", "")
    for text in (str(p), p.message):
        assert cpr not in text and digits not in text and digits[:6] not in text


def test_empty_student_id(extract_file):
    p = only(extract_file(",SSA,Alpha,2025-04-07,,"))
    assert (p.row, p.column) == (2, "student_id")


@pytest.mark.parametrize("date", ["2025-13-01", "07-04-2025", "2025-02-30", "2025/04/07", ""])
def test_bad_start_date(extract_file, date):
    p = only(extract_file(GOOD, f"S2,SSA,Alpha,{date},,"))
    assert (p.row, p.column) == (3, "start_date")


def test_bad_exit_date(extract_file):
    p = only(extract_file("S1,SSA,Alpha,2025-04-07,31.05.2025,left"))
    assert (p.row, p.column) == (2, "exit_date")


def test_exit_before_start(extract_file):
    p = only(extract_file("S1,SSA,Alpha,2025-04-07,2025-04-06,left"))
    assert (p.row, p.column) == (2, "exit_date")
    assert "before" in p.message


def test_exit_on_start_day_is_allowed(extract_file):
    assert len(read_extract(extract_file("S1,SSA,Alpha,2025-04-07,2025-04-07,left"))) == 1


def test_unknown_exit_type(extract_file):
    p = only(extract_file("S1,SSA,Alpha,2025-04-07,2025-05-01,dropout"))
    assert (p.row, p.column) == (2, "exit_type")
    assert "dropout" not in p.message and "value not shown" in p.message and "switch, left" in p.message


def test_exit_type_without_date(extract_file):
    p = only(extract_file("S1,SSA,Alpha,2025-04-07,,switch"))
    assert (p.row, p.column) == (2, "exit_date")


def test_exit_date_without_type(extract_file):
    p = only(extract_file("S1,SSA,Alpha,2025-04-07,2025-05-01,"))
    assert (p.row, p.column) == (2, "exit_type")


def test_unknown_programme(extract_file):
    p = only(extract_file("S1,SOSU,Alpha,2025-04-07,,"))
    assert (p.row, p.column) == (2, "programme")


def test_unknown_campus_only_with_campus_table(extract_file, campuses):
    path = extract_file("S1,SSA,Gamma,2025-04-07,,")
    assert len(read_extract(path)) == 1
    p = only(path, campuses)
    assert (p.row, p.column) == (2, "campus")
    assert "Gamma" not in p.message and "Alpha, Beta" in p.message  # the campus table's names, not the data's


def test_duplicate_names_both_rows_without_the_id(extract_file):
    path = extract_file(GOOD, "S000002,SSA,Alpha,2025-04-07,,", "S000001,SSA,Beta,2025-04-07,,",
                        "S000001,SSH,Alpha,2025-04-07,,")
    p = only(path)
    assert (p.row, p.column) == (4, "student_id")
    assert "row 2" in p.message
    assert "S000001" not in str(p)


def test_header_only_file(extract_file):
    p = only(extract_file())
    assert p.row == 1 and "no students" in p.message


def test_empty_file(tmp_path):
    p = only(write(tmp_path, "x.csv", ""))
    assert "empty" in p.message


def test_all_problems_reported_and_no_row_echoed(extract_file, campuses):
    path = extract_file("S9,XYZ,Gamma,2025-04-07,2025-01-01,oops", GOOD)
    found = problems(path, campuses)
    assert {p.column for p in found} == {"programme", "campus", "exit_date", "exit_type"}
    assert all(p.row == 2 for p in found)
    assert all("S9" not in str(p) for p in found)


def test_header_case_and_extra_columns(tmp_path):
    text = "Student_ID,Programme,Campus,Start_Date,Exit_Date,Exit_Type,name\nS1,SSA,Alpha,2025-04-07,,,Anna\n"
    frame = read_extract(write(tmp_path, "x.csv", text))
    assert "name" not in frame.columns


def test_header_as_written_in_messages(tmp_path):
    text = "Student_ID,Programme,Campus,Start_Date,Exit_Date,Exit_Type\nS1,SSA,Alpha,2025-4-7,,\n"
    p = only(write(tmp_path, "x.csv", text))
    assert p.column == "Start_Date"


def test_cpr_like_values_in_any_column_are_not_echoed(tmp_path):
    """Regression: a CPR number in a shifted column must not be printed in the error."""
    from sosu_analysis.errors import InputError
    from sosu_analysis.paths import project_root
    from sosu_analysis.students import read_extract

    p = tmp_path / "extract.csv"
    p.write_text("student_id,programme,campus,start_date,exit_date,exit_type\n"
                 "S1,0101901234,Herlev,2024-02-05,,\n"
                 "S2,SSA,010190-1234,2024-02-05,,\n"
                 "S3,SSA,Herlev,0101901234,,\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_extract(p, campuses=project_root() / "data/raw/campuses.csv")
    text = str(info.value)
    assert "0101901234" not in text and "010190-1234" not in text
    assert "value not shown" in text
