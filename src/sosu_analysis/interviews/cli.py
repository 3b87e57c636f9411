"""``sosu-analysis synth-interviews``: the SYNTHETIC stand-in for coded group interviews.

Hooked into the main CLI by :data:`sosu_analysis.cli.SUBCOMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..errors import InputError
from ..output_policy import check_output_file
from ..paths import resolve
from ..students.campuses import read_campuses
from .codebook import DEFAULT_CODES
from .synth import default_names, generate_interviews, write_interviews

DEFAULT_CAMPUSES = "data/raw/campuses.csv"


def add_subparser(subparsers) -> None:
    """Add ``synth-interviews`` to an ``argparse`` sub-parser group."""
    p = subparsers.add_parser(
        "synth-interviews", help="write SYNTHETIC group interviews (register, MAXQDA-layout export, names)",
        description="Write a synthetic interview register, coded segments in MAXQDA's 'Retrieved segments' layout "
                    "(codes of the codebook) and a stop-list of names, each labelled SYNTHETIC in its file name "
                    "and sidecar. Same arguments, same bytes.",
        epilog="example: sosu-analysis synth-interviews --seed 20250801 --out-dir data/raw/synthetic")
    p.add_argument("--seed", type=int, required=True, help="random seed (whole number)")
    p.add_argument("--out-dir", required=True, metavar="DIR", help="folder to write to")
    p.add_argument("--codes", metavar="FILE", default=None, help=f"codebook (default: {DEFAULT_CODES})")
    p.add_argument("--campuses", metavar="FILE", default=None, help=f"campus table (default: {DEFAULT_CAMPUSES})")
    p.set_defaults(func=run_synth_interviews)


def run_synth_interviews(args: argparse.Namespace) -> int:
    """Handle ``sosu-analysis synth-interviews``."""
    try:
        codes = Path(args.codes) if args.codes else resolve(DEFAULT_CODES)
        campuses = read_campuses(Path(args.campuses) if args.campuses else resolve(DEFAULT_CAMPUSES))
        register, export, names, meta = generate_interviews(args.seed, codes, campuses)
        # the one output policy (issue 20): no committed file, input, key or link is overwritten
        for name in default_names(args.seed).values():
            for dest in (Path(args.out_dir) / name, (Path(args.out_dir) / name).with_suffix(".json")):
                check_output_file(dest, "--out-dir", inputs=[codes])
        # the folder is left out of the recorded command, so the same seed gives the same bytes in any folder
        command = shlex.join(["sosu-analysis", "synth-interviews", "--seed", str(args.seed)]) + " --out-dir FOLDER"
        written = write_interviews(args.out_dir, args.seed, register, export, names, meta, command)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: synth-interviews: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(register)} SYNTHETIC interviews with {len(export)} coded segments: "
          + ", ".join(p.name for p in written))
    return 0
