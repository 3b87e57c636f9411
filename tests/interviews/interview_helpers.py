"""Small hand-made interview inputs (register, codebook, MAXQDA-layout export, names) written to a folder."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sosu_analysis.paths import project_root

ROOT = project_root()
MAPPING = ROOT / "config/interviews_maxqda.yaml"
CAMPUSES = ROOT / "data/raw/campuses.csv"
INTERVENTIONS = ROOT / "data/raw/interventions.csv"
ITEMS = ROOT / "data/raw/survey_items.csv"

REGISTER_HEADER = ["interview_id", "campus", "intake", "wave", "intervention", "participants", "quotes_approved",
                   "staff_names"]
EXPORT_HEADER = ["Farbe", "Dokumentgruppe", "Dokumentname", "Kode", "Anfang", "Ende", "Gewicht", "Segment",
                 "Kommentar"]
CODES = [
    ["code", "theme", "description", "criterion", "survey_measure", "valence"],
    ["Forb\\Klar", "Klædt på", "forberedt", "forberedelse", "forberedelse", "positive"],
    ["Forb\\Uklar", "Klædt på", "uforberedt", "forberedelse", "forberedelse", "negative"],
    ["Tryg\\Nervøs", "Tryghed", "nervøs", "tryghed", "", "negative"],
    ["Tryg\\Modtagelse", "Modtagelse", "modtagelse", "tryghed", "", "mixed"],
]

# 6 interviews: pilot (Skelbækgade x3, Herlev x1 -> Herlev has fewer than 3), comparison (Gladsaxe x2)
REGISTER = [
    ["A1", "Skelbækgade", "2024-10", "maj 2025", "", "5", "yes", "Torben Hviid"],
    ["A2", "Skelbækgade", "2025-04", "aug 2025", "2a", "6", "yes", ""],
    ["A3", "Skelbækgade", "2025-04", "aug 2025", "2a;3", "2", "yes", ""],      # 2 participants: never quoted
    ["H1", "Herlev", "2025-04", "aug 2025", "1b", "4", "yes", ""],             # Herlev: 1 interview
    ["G1", "Gladsaxe", "2025-04", "aug 2025", "", "4", "no", ""],              # no consent: never quoted
    ["G2", "Gladsaxe", "2025-06", "aug 2025", "", "5", "yes", "Rikke Lund"],
]

# document, code, weight, segment, comment
SEGMENTS = [
    ["A1", "Forb\\Klar", "0", "Jeg følte mig klædt på til den første dag i oplæringen.", ""],
    ["A1", "Forb\\Klar", "0", "Vi øvede samtalen med vejlederen mange gange før vi startede.", ""],
    ["A1", "Tryg\\Nervøs", "0", "Jeg var nervøs. Jeg sov dårligt hele den første uge i oplæringen derude.", ""],
    ["A2", "Forb\\Klar", "0", "Birthe sagde at jeg bare kunne ringe på 12 34 56 78 hvis der var noget galt.", ""],
    ["A2", "Forb\\Klar", "100", "Det var godt at Torben Hviid havde skrevet til elev.navn@skole.dk om planen.",
     "KOMMENTARHEMMELIGHED kommentar@x.dk"],
    ["A2", "Forb\\Uklar", "0", "Mit cpr 010203-1234 stod forkert i papirerne og ingen vidste hvem jeg var.", ""],
    ["A2", "Tryg\\Modtagelse", "0", "Birthes kollega på Skelbækgade tog imod mig med et stort smil og kaffe.", ""],
    ["A3", "Forb\\Klar", "100", "TOPARTSUDSAGN vi var kun to i gruppen men vi var begge godt forberedt.", ""],
    ["A3", "Forb\\Uklar", "0", "TOPARTSUDSAGN to ingen havde fortalt os noget som helst om vagtplanen.", ""],
    ["H1", "Forb\\Uklar", "0", "Jeg anede ikke hvad der skulle ske da jeg mødte op første gang på stedet.", ""],
    ["H1", "Tryg\\Nervøs", "0", "Ring til mig på +45 87654321 eller 0102031234 sagde min kontaktlærer i Herlev.", ""],
    ["G1", "Forb\\Uklar", "100", "UDENSAMTYKKE vi følte os slet ikke forberedt til oplæringen på plejehjemmet.", ""],
    ["G1", "Tryg\\Nervøs", "0", "UDENSAMTYKKE to jeg var bange for at lave fejl med borgerne hver eneste dag.", ""],
    ["G2", "Forb\\Klar", "0", "Vi havde besøgt stedet før og vidste hvem vi skulle spørge om hvad.", ""],
    ["G2", "Forb\\Uklar", "0", "Rikke Lund havde glemt at sende vores mål ud til oplæringsstederne i år.", ""],
]
NAMES = ["Birthe", "# a comment", "", "Kirsten"]
#: what must never appear in any output
PLANTED = ["Birthe", "Torben", "Hviid", "Rikke Lund", "12 34 56 78", "010203-1234", "0102031234", "87654321",
           "elev.navn@skole.dk", "kommentar@x.dk", "KOMMENTARHEMMELIGHED", "TOPARTSUDSAGN", "UDENSAMTYKKE"]


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def write_inputs(folder: Path, register=None, segments=None, codes=None, export_header=None) -> dict[str, str]:
    """Write the inputs to ``folder``; return the config keys pointing at them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "register.csv").write_text(_csv([REGISTER_HEADER, *(register or REGISTER)]), encoding="utf-8")
    (folder / "codes.csv").write_text(_csv(codes or CODES), encoding="utf-8")
    rows = [["", "grp", d, c, "1", "2", w, s, k] for d, c, w, s, k in (segments or SEGMENTS)]
    (folder / "export.csv").write_text(_csv([export_header or EXPORT_HEADER, *rows]), encoding="utf-8")
    (folder / "names.txt").write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    return {"interview_register": str(folder / "register.csv"), "interview_codes": str(folder / "codes.csv"),
            "interview_export": str(folder / "export.csv"), "interview_mapping": str(MAPPING),
            "interview_names": str(folder / "names.txt")}


def load(keys: dict[str, str]):
    from sosu_analysis.interviews.analysis import load_interviews

    return load_interviews(keys["interview_register"], keys["interview_codes"], keys["interview_export"],
                           keys["interview_mapping"], keys["interview_names"], str(CAMPUSES), str(INTERVENTIONS),
                           str(ITEMS))
