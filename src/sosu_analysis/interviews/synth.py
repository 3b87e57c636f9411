"""SYNTHETIC group interviews: a register, a coded-segment export in MAXQDA's layout and a stop-list of names.

They let chapter 10 and the report section render before real interviews
are coded. **Nothing here is said by a real student.** The texts are
written for the generator, keyed by the codes of the shipped codebook
(``data/raw/interview_codes.csv``); a code without a text gets a generic
sentence, so an edited codebook still works.

Design (every choice an assumption of the stand-in)
---------------------------------------------------
- Campuses: every pilot campus and two comparison campuses with SSA;
  three interviews a campus, two at Herlev and Frederikssund (so that
  the rule "no quote names a campus with fewer than 3 interviews" shows).
- Each campus: one interview of intake 2024-10 in the plan's May 2025
  partial evaluation ("før"), the others of intakes 2025-04 and 2025-06
  in the August 2025 one ("efter").
- 4-7 participants; one interview has 2 participants and one has no
  consent to quotes (neither may be quoted).
- Per interview, each code occurs with a probability that depends on group
  and period: at pilot campuses from the pilot start the positive codes of
  *mening*, *sammenhæng* and *forberedelse* are more likely (the effect the
  interventions aim at), the negative ones less likely.
- Some segments carry a first name of the stop-list, a staff name of the
  register, a campus name or a phone number, so that the chapter shows the
  masking at work; the ``Kommentar`` column holds a made-up e-mail and is
  dropped unread by the mapping. About one segment in eight has MAXQDA
  weight 100 (the researcher's mark), the rest weight 0.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import write_text
from .codebook import read_codebook

GENERATOR_VERSION = 1
#: header of the synthetic export: MAXQDA's "Retrieved segments" (German interface), see config/interviews_maxqda.yaml
MAXQDA_HEADER = ("Farbe", "Dokumentgruppe", "Dokumentname", "Kode", "Anfang", "Ende", "Gewicht", "Segment",
                 "Kommentar")
FIRST_NAMES = ("Mette", "Sofie", "Ahmed", "Jonas", "Fatima", "Camilla")
STAFF = {"Skelbækgade": "Lise Holm", "Brøndby": "Peter Krogh", "Munkeengen": "Hanne Bach", "Herlev": "Ole Dam",
         "Gladsaxe": "Rikke Lund", "Frederikssund": "Jens Vang"}
CAMPUS_PLAN = (("Skelbækgade", 3), ("Brøndby", 3), ("Munkeengen", 3), ("Herlev", 2), ("Gladsaxe", 3),
               ("Frederikssund", 2))
WAVE_BEFORE = "delevaluering maj 2025"
WAVE_AFTER = "delevaluering august 2025"
INTAKES = ("2024-10", "2025-04", "2025-06")

#: texts per code (Danish, written for the stand-in); {name}, {staff}, {campus} and {phone} are filled in
TEXTS: dict[str, tuple[str, ...]] = {
    "Mening\\Giver mening": (
        "Dagen før oplæringen gav rigtig god mening for mig. Vi fik talt om hvad vi skulle lære derude.",
        "Jeg synes det gav mening at vi mødtes igen midt i oplæringen. Så kunne man høre at de andre havde det "
        "på samme måde.",
        "Det var meningsfuldt at have oplæringsmålene med ud. {name} og jeg brugte dem hver uge.",
    ),
    "Mening\\Spild af tid": (
        "Ærligt talt føltes dagen lidt som spild af tid. Vi havde hørt det meste før.",
        "Jeg kunne ikke se hvorfor vi skulle ind på skolen midt i det hele. Det tog en hel dag fra afdelingen.",
    ),
    "Sammenhæng\\Kan bruge skolen i oplæringen": (
        "Det vi havde lært om medicin på skolen kunne jeg bruge fra første dag. Min vejleder blev faktisk "
        "overrasket.",
        "Jeg kunne genkende det fra undervisningen da vi skulle lave handleplaner. Det hang godt sammen.",
        "Da {name} skulle forklare en borger om forflytning brugte hun præcis det vi øvede på {campus}.",
    ),
    "Sammenhæng\\Skole og oplæring hænger ikke sammen": (
        "På skolen lærer man én ting og ude i kommunen gør de noget helt andet. Det hænger ikke sammen.",
        "Min vejleder vidste ikke hvad vi havde haft i skolen. Så vi startede forfra med alt.",
    ),
    "Sammenhæng\\Kontakt til skolen under oplæringen": (
        "Min kontaktlærer {staff} ringede efter to uger og spurgte hvordan det gik. Det var rart at blive husket.",
        "Jeg fik et opkald fra skolen men det kom lidt sent. Der havde jeg allerede haft den svære uge.",
        "Man kunne altid ringe til {staff} på {phone} hvis der var noget. Det gjorde jeg en gang.",
    ),
    "Forberedelse\\Klædt på": (
        "Jeg følte mig godt klædt på da jeg mødte op. Jeg vidste hvem jeg skulle spørge om hvad.",
        "Vi havde øvet samtalen med vejlederen på forhånd. Det gjorde at jeg turde sige til.",
    ),
    "Forberedelse\\Uforberedt": (
        "Jeg anede ikke hvad en dag på plejecentret gik ud på. Det første møde var et chok.",
        "Ingen havde fortalt os om vagtplanen før vi startede. Jeg følte mig slet ikke forberedt.",
    ),
    "Tryghed\\Tryg ved start": (
        "Jeg var faktisk ret rolig da jeg startede. Vi havde været ude og se stedet først.",
        "Det gjorde mig tryg at {name} fra holdet også var på samme sted.",
    ),
    "Tryghed\\Nervøs": (
        "Jeg var så nervøs den første uge at jeg næsten ikke sov. Jeg tænkte på at stoppe.",
        "Man er bange for at lave fejl med borgerne. Det fylder meget i starten.",
    ),
    "Tryghed\\Modtagelse på oplæringsstedet": (
        "Min vejleder tog rigtig godt imod mig og havde lavet en plan for den første uge.",
        "Der var ingen der vidste at jeg kom den første dag. Jeg stod bare i gangen.",
    ),
    "Rammer\\Praktiske forhold": (
        "Det tager mig over en time at komme derud med bus. Og vagterne starter klokken syv.",
        "Økonomien er svær når man er i oplæring. Man har ikke tid til et fritidsjob.",
    ),
}

#: probability that an interview touches a code: base, and the shift at pilot campuses from the pilot start
BASE_P = 0.45
SHIFT = {"positive": 0.35, "negative": -0.25, "mixed": 0.0, "": 0.0}
CRITERIA_WITH_EFFECT = ("mening", "sammenhæng skole–oplæring", "forberedelse")


def default_names(seed: int) -> dict[str, str]:
    """File names of the synthetic stand-in for ``seed`` (all carry 'synthetic')."""
    return {"register": f"interviews_register_synthetic_seed{seed}.csv",
            "export": f"interviews_maxqda_synthetic_seed{seed}.csv",
            "names": "interview_names_synthetic.txt"}


def _phone(rng: np.random.Generator) -> str:
    d = rng.integers(10, 100, size=4)
    return " ".join(str(x) for x in d)


def generate_interviews(seed: int, codebook: pd.DataFrame | str | os.PathLike,
                        campuses: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict]:
    """Draw a SYNTHETIC register, a MAXQDA-layout export and the stop-list of names.

    Parameters
    ----------
    seed : int
        Seed of the draw (same seed and codebook: same bytes).
    codebook : pandas.DataFrame or path-like
        The codebook whose codes the segments use.
    campuses : pandas.DataFrame
        The campus table (pilot flags decide the effect).

    Returns
    -------
    register, export : pandas.DataFrame
        The register (its columns) and the export (:data:`MAXQDA_HEADER`).
    names : list of str
        The stop-list (first names planted in segments).
    meta : dict
        The sidecar's content (``"label": "SYNTHETIC"``, seed, design).
    """
    book = codebook if isinstance(codebook, pd.DataFrame) else read_codebook(codebook)
    rng = np.random.default_rng(seed)
    pilots = set(campuses.loc[campuses["pilot"].astype(bool), "campus"])
    ivs = {"Skelbækgade": "2a;3", "Brøndby": "2b;3", "Munkeengen": "1a;2b;3", "Herlev": "1b;3"}
    reg_rows, exp_rows = [], []
    n = 0
    for campus, k in CAMPUS_PLAN:
        if campus not in set(campuses["campus"]):
            continue
        for j in range(k):
            n += 1
            ident = f"FG-{n:02d}"
            before = j == 0
            intake = INTAKES[0] if before else INTAKES[min(j, 2)]
            wave = WAVE_BEFORE if before else WAVE_AFTER
            treated = campus in pilots and not before
            participants = int(rng.integers(4, 8))
            approved = "yes"
            if n == 5:
                participants = 2  # too few to quote
            if n == 9:
                approved = "no"  # no consent to quote
            reg_rows.append({"interview_id": ident, "campus": campus, "intake": intake, "wave": wave,
                             "intervention": ivs.get(campus, "") if treated else "", "participants": participants,
                             "quotes_approved": approved, "staff_names": STAFF.get(campus, "")})
            pos = 0
            for _, c in book.iterrows():
                p = BASE_P + (SHIFT[c["valence"]] if treated and c["criterion"] in CRITERIA_WITH_EFFECT else 0.0)
                if rng.random() >= p:
                    continue
                texts = TEXTS.get(c["code"], (f"Det handler om {c['theme'].lower()}. Det fylder for os.",))
                for _ in range(int(rng.integers(1, 3))):
                    text = texts[int(rng.integers(len(texts)))].format(
                        name=FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))], staff=STAFF.get(campus, "læreren"),
                        campus=campus, phone=_phone(rng))
                    weight = 100 if rng.random() < 0.125 else 0
                    pos += int(rng.integers(2, 9))
                    comment = (f"tjek med {FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))].lower()}"
                               f"@eksempel.dk" if rng.random() < 0.2 else "")
                    exp_rows.append({"Farbe": "", "Dokumentgruppe": "Pilot" if campus in pilots else "Sammenligning",
                                     "Dokumentname": ident, "Kode": c["code"], "Anfang": pos, "Ende": pos + 1,
                                     "Gewicht": weight, "Segment": text, "Kommentar": comment})
    register = pd.DataFrame(reg_rows)
    export = pd.DataFrame(exp_rows, columns=list(MAXQDA_HEADER))
    meta = {"label": "SYNTHETIC", "what": "synthetic group interviews (register, coded segments in MAXQDA's layout, "
                                          "names to mask), SYNTETISKE DATA",
            "seed": seed, "generator": "sosu_analysis.interviews.synth", "generator_version": GENERATOR_VERSION,
            "n_interviews": len(register), "n_segments": len(export),
            "campuses": {c: k for c, k in CAMPUS_PLAN}, "waves": [WAVE_BEFORE, WAVE_AFTER],
            "effect": {"criteria": list(CRITERIA_WITH_EFFECT), "base_probability": BASE_P, "shift": SHIFT},
            "not_quotable": {"two_participants": "FG-05", "no_consent": "FG-09"}}
    return register, export, list(FIRST_NAMES), meta


def write_interviews(folder: str | os.PathLike, seed: int, register: pd.DataFrame, export: pd.DataFrame,
                     names: list[str], meta: dict, command: str) -> list[Path]:
    """Write the register, the export (each with a JSON sidecar) and the name list; return the paths written."""
    folder = Path(folder)
    files = default_names(seed)
    meta = {**meta, "command": command}
    written = []
    for kind in ("register", "export"):
        path = folder / files[kind]
        frame = register if kind == "register" else export
        write_text(path, frame.to_csv(index=False, lineterminator="\n"))
        side = path.with_suffix(".json")
        write_text(side, json.dumps({**meta, "file": files[kind]}, ensure_ascii=False, indent=2) + "\n")
        written += [path, side]
    path = folder / files["names"]
    write_text(path, "# SYNTHETIC stop-list of names to mask in interview quotes (sosu-analysis synth-interviews);\n"
                     "# a real one is personal data: keep it in data/raw/private/\n" + "\n".join(names) + "\n")
    written.append(path)
    return written
