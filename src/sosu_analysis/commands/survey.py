"""``sosu-analysis synth-survey`` and ``sosu-analysis survey-import``.

Hooked into the main CLI by :data:`sosu_analysis.cli.SUBCOMMAND_MODULES`.
Handlers return 0 on success and 2 on a user error (message on stderr).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..atomic import csv_text
from ..errors import InputError
from ..output_policy import check_output_file, claim_output, private_folder, write_private_text
from ..paths import resolve
from ..pipeline.config import Config
from ..students.campuses import read_campuses
from ..survey.importer import wide_to_long
from ..survey.reader import project_interventions, project_items, read_survey
from ..survey.synth import default_survey_name, generate_survey, write_survey

DEFAULT_CAMPUSES = "data/raw/campuses.csv"


def add_subparser(subparsers) -> None:
    """Add ``synth-survey`` and ``survey-import`` to an ``argparse`` sub-parser group."""
    p = subparsers.add_parser(
        "synth-survey", help="write a SYNTHETIC survey (long layout) calibrated to seed 003",
        description="Write a synthetic survey drawn from a student extract's SSA campuses and intakes, and a "
                    "JSON sidecar labelled SYNTHETIC. Same arguments, same bytes.",
        epilog="example: sosu-analysis synth-survey --seed 20250501 --effect 0.3 "
               f"--out data/raw/synthetic/{default_survey_name(20250501, 0.3)}")
    p.add_argument("--seed", type=int, required=True, help="random seed (whole number)")
    p.add_argument("--effect", type=float, default=0.3,
                   help="effect of the interventions on the logit scale of the preparation items (default 0.3)")
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv; the name must contain 'synthetic'")
    p.add_argument("--students", metavar="FILE", default=None,
                   help=f"student extract to draw from (default: {Config.default('students_file')})")
    p.add_argument("--campuses", metavar="FILE", default=None, help=f"campus table (default: {DEFAULT_CAMPUSES})")
    p.set_defaults(func=run_synth_survey)

    p = subparsers.add_parser(
        "survey-import", help="convert a wide survey export (one column per item) to the long layout",
        description="Convert a survey tool's wide export to the long layout with a YAML mapping (documented in "
                    "data/raw/README.md). Columns the mapping does not name are dropped unread. The result is "
                    "checked like any survey file before it is written.")
    p.add_argument("export", metavar="FILE", help="the wide export (CSV or XLSX)")
    p.add_argument("--mapping", required=True, metavar="YAML", help="the import mapping")
    p.add_argument("--out", required=True, metavar="FILE", help="the long-layout CSV to write")
    p.set_defaults(func=run_survey_import)


def run_synth_survey(args: argparse.Namespace) -> int:
    """Handle ``sosu-analysis synth-survey``."""
    try:
        students = Path(args.students) if args.students else resolve(Config.default("students_file"))
        campuses_file = Path(args.campuses) if args.campuses else resolve(DEFAULT_CAMPUSES)
        for dest in (Path(args.out), Path(args.out).with_suffix(".json")):  # the output policy, before any work
            check_output_file(dest, "--out", inputs=[students, campuses_file])
        survey, meta = generate_survey(students, read_campuses(campuses_file), args.seed, args.effect)
        command = shlex.join(["sosu-analysis", "synth-survey", "--seed", str(args.seed), "--effect",
                              f"{args.effect:g}", "--out", Path(args.out).name])
        with claim_output(args.out, "--out"):
            side = write_survey(args.out, survey, meta, command)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: synth-survey: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({meta['n_respondents']} SYNTHETIC respondents, {meta['n_rows']} answers) and {side}")
    return 0


def run_survey_import(args: argparse.Namespace) -> int:
    """Handle ``sosu-analysis survey-import``: convert, check, then write."""
    import os
    import tempfile

    try:
        # the output policy, before any work: a survey import is personal data (0600 in a 0700 folder)
        check_output_file(args.out, "--out", inputs=[args.export, args.mapping])
        long = wide_to_long(args.export, args.mapping)
        campuses = read_campuses(resolve(DEFAULT_CAMPUSES))
        text = csv_text(long)  # formula-safe (a wave label "=HYPERLINK(...)" is written as text)
        fd, tmp = tempfile.mkstemp(suffix=".csv")
        os.close(fd)
        try:
            Path(tmp).write_text(text, encoding="utf-8")
            read_survey(tmp, items=project_items(), campuses=campuses,
                        interventions=project_interventions(campuses), display_name=f"{args.out} (converted)")
        finally:
            os.unlink(tmp)
        warnings = private_folder(Path(args.out).absolute().parent)  # 0700 before the lock file is put there
        with claim_output(args.out, "--out"):
            write_private_text(args.out, text)  # formula-safe text (i20-net), personal data: 0600, atomic
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: survey-import: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({len(long)} answers of {long['respondent_id'].nunique()} respondents; mode 0600)")
    for warning in warnings:
        print(warning, file=sys.stderr)
    return 0
