"""Helpers shared by the survey tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_SURVEY = ROOT / "data/raw/synthetic/survey_synthetic_seed20250501_effect0.3.csv"
SHIPPED_ITEMS = ROOT / "data/raw/survey_items.csv"
SHIPPED_STUDENTS = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"
CAMPUSES = ROOT / "data/raw/campuses.csv"
INTERVENTIONS = ROOT / "data/raw/interventions.csv"

HEADER = "respondent_id,programme,campus,intake,wave,intervention,item,answer"

ITEMS_CSV = """item,text,reverse,index,spu_comparable,source
pos1,Positiv et,no,ix,no,test
pos2,Positiv to,no,ix,yes,test
neg1,Negativ,yes,ix,no,test
solo,Alene,no,other,no,test
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
