"""Make a SYNTHETIC Z-udskrift (EASY-A Z425 layout) from a schema student extract: the import test fixture.

Usage::

    python tests/importer/make_z_udskrift.py SCHEMA.csv OUT.csv [--seed N] [--unknown] [--xlsx]

Every student of the schema extract (e.g. the output of ``sosu-analysis
synth``) gets one row per spell as a school's export would hold it: a fake CPR
number (a valid date, four digits chosen so that the modulus-11 check FAILS,
so it is no real person's number; written with a dash, without, or with the
leading zero lost as Excel does), a Danish name from a small list, phone,
e-mail, UNI-login, contact teacher, the campus as Lokation (sometimes an
alias), dates as DD-MM-YYYY, and an afgangsårsag code from the school code
table :data:`CODE_TABLE`. Added on top, so that the import has work to do:

- restarts: some students who left start again on the same programme (a
  second spell; the analysis uses the first);
- basic-course (GF2) spells of some students (dropped: not main course);
- switches written as a ``left`` code with Udmeldingsperspektiv "Anden
  uddannelse" (the mapping turns them into switches);
- ``--unknown``: a few rows with a code, a programme and a campus the mapping
  does not know (the import must stop and list them).

Written semicolon-separated in Windows-1252 (``--xlsx``: an Excel workbook).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path

import numpy as np

FIRST = ["Mette", "Jens", "Anne", "Søren", "Kirsten", "Niels", "Hanne", "Lars", "Mathilde", "Ahmad", "Fatima",
         "Bjørn", "Åse", "Lærke", "Mads", "Signe", "Emil", "Ida", "Jonas", "Freja"]
LAST = ["Jørgensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
        "Kristiansen", "Thomsen", "Poulsen", "Østergaard", "Møller", "Ali", "Yilmaz"]
TEACHERS = ["Birgitte Holm", "Henrik Dahl", "Susanne Krogh", "Peter Vestergaard"]
HEADER = ["Elevnavn", "CPR", "Alder", "Afgangsdato", "Afgangsårsag", "Afgangsbetegnelse", "CØSA",
          "Uddannelse", "Uddannelsesbetegnelse", "Periodetype", "GH", "Lokation", "Skoleperiode",
          "Udmeldingsperspektiv", "Køn", "Startdato på uddannelsesforholdet", "Kontaktlærer", "Tlf", "Email",
          "UNI-login", "Elevtype"]
PROGRAMME_NAMES = {"SSA": "Social- og sundhedsassistent", "SSH": "Social- og sundhedshjælper",
                   "PAU": "Pædagogisk assistent"}
PROGRAMME_CODES = {"SSA": "1145", "SSH": "1144", "PAU": "1133"}
#: the school's code table the fixture uses (its mapping lists the same): code -> (category, betegnelse)
CODE_TABLE = {"AFB1": ("left", "Udmeldt, personlige forhold"), "AFB2": ("left", "Udmeldt, mangler praktikplads"),
              "OMV": ("switch", "Udmeldt, anden uddannelse"), "0FÆ": ("completed", "Uddannelse fuldført")}
LEFT_CODES = ["AFB1", "AFB2"]
ALIASES = {"Munkeengen": ["Munkeengen", "Hillerød", "Nord"], "Skelbækgade": ["Skelbækgade", "København"],
           "Brøndby": ["Brøndby", "SOSU H Brøndby"]}
#: mapping additions the fixture needs beyond campuses.csv (its aliases cover Hillerød, Nord, København)
CAMPUS_MAPPING = {"SOSU H Brøndby": "Brøndby"}
SWITCH_DESTINATION = "Anden uddannelse"
UNKNOWN = {"code": ("XQ7", 3), "programme": ("Frisør", 7), "campus": ("Roskilde", 2)}
_WEIGHTS = np.array([4, 3, 2, 7, 6, 5, 4, 3, 2, 1])


def mod11_ok(cpr: str) -> bool:
    """True if the 10 digits pass the classic CPR modulus-11 check (weights 4 3 2 7 6 5 4 3 2 1)."""
    return int(np.dot(_WEIGHTS, [int(c) for c in cpr])) % 11 == 0


def fake_cpr(rng: np.random.Generator, born: dt.date, used: set[str]) -> str:
    """A 10-digit CPR-like number for a valid birth date that FAILS the modulus-11 check."""
    while True:
        cpr = born.strftime("%d%m%y") + f"{int(rng.integers(0, 10000)):04d}"
        if not mod11_ok(cpr) and cpr not in used:
            used.add(cpr)
            return cpr


def _dmy(iso: str) -> str:
    return "" if not iso else dt.date.fromisoformat(iso).strftime("%d-%m-%Y")


def _written(cpr: str, rng: np.random.Generator) -> str:
    u = rng.random()
    if u < 0.5:
        return f"{cpr[:6]}-{cpr[6:]}"
    if u < 0.8 or cpr[0] != "0":
        return cpr
    return cpr[1:]  # Excel stored it as a number: the leading zero is lost


def make_rows(schema_rows: list[dict], seed: int, unknown: bool) -> tuple[list[list[str]], dict]:
    """Rows of the Z-udskrift for the schema rows; also what was added (for the tests)."""
    rng = np.random.default_rng(seed)
    used: set[str] = set()
    rows: list[list[str]] = []
    people: dict[str, dict] = {}
    added = {"restarts": 0, "gf2": 0, "destination_switches": 0, "cprs": [], "names": [], "phones": [],
             "emails": [], "logins": []}
    for r in schema_rows:
        start = dt.date.fromisoformat(r["start_date"])
        born = start - dt.timedelta(days=int(rng.integers(18 * 365, 50 * 365)))
        cpr = fake_cpr(rng, born, used)
        first, last = FIRST[int(rng.integers(len(FIRST)))], LAST[int(rng.integers(len(LAST)))]
        phone = f"{int(rng.integers(20, 99))} {int(rng.integers(10, 99))} {int(rng.integers(10, 99))} " \
                f"{int(rng.integers(10, 99))}"
        login = f"{first[:2].lower()}{last[:2].lower()}{int(rng.integers(1000, 9999))}".encode("ascii", "replace")
        person = {"cpr": cpr, "name": f"{first} {last}", "phone": phone if rng.random() < 0.7 else "+45 " + phone,
                  "email": f"{first.lower()}.{last.lower()}{int(rng.integers(1, 99))}@elev.sosuh-eksempel.dk",
                  "login": login.decode().replace("?", "x"), "age": (start - born).days // 365,
                  "sex": "K" if rng.random() < 0.8 else "M"}
        people[r["student_id"]] = person
        added["cprs"].append(cpr)
        added["names"].append(person["name"])
        added["phones"].append(person["phone"])
        added["emails"].append(person["email"])
        added["logins"].append(person["login"])

    def row(p: dict, programme: str, gh: str, campus: str, start: str, exit_date: str, code: str,
            destination: str = "", programme_name: str | None = None) -> list[str]:
        name = programme_name or PROGRAMME_NAMES[programme]
        betegnelse = CODE_TABLE.get(code, ("", "Ukendt"))[1] if code else ""
        return [p["name"], _written(p["cpr"], rng), str(p["age"]), _dmy(exit_date), code, betegnelse,
                PROGRAMME_CODES.get(programme, "9999"), PROGRAMME_CODES.get(programme, "9999"), name, "Skole", gh,
                campus, "1", destination, p["sex"], _dmy(start), TEACHERS[int(rng.integers(len(TEACHERS)))],
                p["phone"], p["email"], p["login"], "Ordinær"]

    for r in schema_rows:
        p = people[r["student_id"]]
        campus = r["campus"]
        lokation = ALIASES.get(campus, [campus])[int(rng.integers(len(ALIASES.get(campus, [campus]))))]
        exit_type, destination = r["exit_type"], ""
        if exit_type == "left":
            code = LEFT_CODES[int(rng.integers(2))]
        elif exit_type == "switch":
            if rng.random() < 0.4:  # a left code, but the student named another education
                code, destination = LEFT_CODES[0], SWITCH_DESTINATION
                added["destination_switches"] += 1
            else:
                code = "OMV"
        elif exit_type == "completed":
            code = "0FÆ"
        else:
            code = ""
        start = dt.date.fromisoformat(r["start_date"])
        if rng.random() < 0.15:  # the basic course before, on the same programme: not a main-course spell
            gf_start = start - dt.timedelta(days=140)
            rows.append(row(p, r["programme"], "GF2", lokation, gf_start.isoformat(),
                            (start - dt.timedelta(days=3)).isoformat(), "0GH"))
            added["gf2"] += 1
        rows.append(row(p, r["programme"], "HF", lokation, r["start_date"], r["exit_date"], code, destination))
        if exit_type == "left" and rng.random() < 0.1:  # a restart on the same programme: a new spell
            restart = dt.date.fromisoformat(r["exit_date"]) + dt.timedelta(days=int(rng.integers(30, 200)))
            rows.append(row(p, r["programme"], "HF", lokation, restart.isoformat(), "", ""))
            added["restarts"] += 1
    if unknown:
        base = schema_rows[0]
        p = people[base["student_id"]]
        for what, (value, count) in UNKNOWN.items():
            for _ in range(count):
                if what == "code":
                    rows.append(row(p, "SSA", "HF", "Herlev", "2023-02-01", "2023-03-01", value))
                elif what == "programme":
                    rows.append(row(p, "SSA", "HF", "Herlev", "2023-02-01", "", "", programme_name=value))
                else:
                    rows.append(row(p, "SSA", "HF", value, "2023-02-01", "", ""))
    order = rng.permutation(len(rows))
    return [rows[i] for i in order], added


def write_export(rows: list[list[str]], out: Path, xlsx: bool = False) -> None:
    """Write the rows as a Z-udskrift: ``;``-separated Windows-1252 CSV, or XLSX."""
    if xlsx:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(HEADER)
        for r in rows:
            ws.append(r)
        wb.save(out)
        return
    with open(out, "w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(rows)


def mapping_yaml(default: Path) -> str:
    """The default mapping with this fixture's code table filled in, as a school would edit its copy."""
    import yaml

    m = yaml.safe_load(default.read_text(encoding="utf-8"))
    for cat in ("left", "switch", "completed"):
        m["exit_reasons"][cat] = sorted(c for c, (k, _) in CODE_TABLE.items() if k == cat)
    m["campuses"] = dict(CAMPUS_MAPPING)
    m["switch_destinations"] = [SWITCH_DESTINATION]
    return yaml.safe_dump(m, allow_unicode=True, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    """Command line: read SCHEMA, write OUT."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("schema")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20251123)
    ap.add_argument("--unknown", action="store_true")
    ap.add_argument("--xlsx", action="store_true")
    args = ap.parse_args(argv)
    with open(args.schema, encoding="utf-8") as fh:
        schema_rows = list(csv.DictReader(fh))
    rows, _ = make_rows(schema_rows, args.seed, args.unknown)
    write_export(rows, Path(args.out), args.xlsx)
    return 0


if __name__ == "__main__":
    sys.exit(main())
