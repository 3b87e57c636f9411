"""``sosu-analysis synth``: write a synthetic student extract and its sidecar.

The main CLI hooks this in with::

    from sosu_analysis.commands.students import add_subparser
    add_subparser(subparsers)          # then: return args.func(args)

The handler returns an exit code: 0 on success, 2 on a user error (message
on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..errors import InputError
from ..output_policy import check_output_file, claim_output
from ..paths import resolve
from ..pipeline.config import Config
from ..readers.published import clean_published
from ..students.campuses import read_campuses
from ..students.extract import sidecar_path
from ..students.synth import default_name, generate, write_synthetic

DEFAULT_CAMPUSES = "data/raw/campuses.csv"


def add_subparser(subparsers) -> argparse.ArgumentParser:
    """Add the ``synth`` command to an ``argparse`` sub-parser group.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``.

    Returns
    -------
    argparse.ArgumentParser
        The new parser; its default ``func`` is :func:`run_synth`.
    """
    p = subparsers.add_parser(
        "synth",
        help="write a SYNTHETIC student extract calibrated to the published Table 1",
        description="Write a synthetic student extract (pure CSV) and a JSON sidecar with the seed, the true "
                    "effect and the SYNTHETIC label. Same arguments, same bytes.",
        epilog=f"example: sosu-analysis synth --seed 20250401 --effect -5 "
               f"--out data/raw/synthetic/{default_name(20250401, -5)}",
    )
    p.add_argument("--seed", type=int, required=True, help="random seed (whole number)")
    p.add_argument("--effect", type=float, required=True, metavar="PP",
                   help="true effect in percentage points on the 3-month dropout without switch of SSA intakes "
                        "at pilot campuses from their pilot start (negative = reduction, e.g. -5)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output .csv; the name must contain 'synthetic'")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply Table 1's cohort sizes (default 1)")
    p.add_argument("--campuses", metavar="FILE", default=None,
                   help=f"campus table (default: {DEFAULT_CAMPUSES} of the project)")
    p.add_argument("--published", metavar="FILE", default=None,
                   help="published table to calibrate to (default: "
                        f"{Config.default('published_table')} of the project)")
    p.set_defaults(func=run_synth)
    return p


def _command(args: argparse.Namespace) -> str:
    parts = ["sosu-analysis", "synth", "--seed", str(args.seed), "--effect", f"{args.effect:g}",
             "--out", Path(args.out).name]
    if args.scale != 1.0:
        parts += ["--scale", f"{args.scale:g}"]
    for option in ("campuses", "published"):
        if getattr(args, option):
            parts += [f"--{option}", Path(getattr(args, option)).name]
    return shlex.join(parts)


def run_synth(args: argparse.Namespace) -> int:
    """Handle ``sosu-analysis synth``; return the exit code."""
    try:
        try:
            campuses_file = Path(args.campuses) if args.campuses else resolve(DEFAULT_CAMPUSES)
            published_file = Path(args.published) if args.published else resolve(Config.default("published_table"))
        except FileNotFoundError as exc:
            raise ValueError(f"{exc}; or give --campuses FILE and --published FILE") from None
        for dest in (Path(args.out), sidecar_path(args.out)):  # the output policy, before any work
            check_output_file(dest, "--out", inputs=[campuses_file, published_file])
        campuses = read_campuses(campuses_file)
        table1 = clean_published(published_file)
        cohorts = generate(args.seed, args.effect, campuses=campuses, table1=table1, scale=args.scale)
        with claim_output(args.out, "--out"):
            side = write_synthetic(args.out, cohorts, command=_command(args),
                                   inputs={"campuses": campuses_file, "published_table": published_file})
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: synth: {exc}", file=sys.stderr)
        return 2
    effect = cohorts.meta["true_effect_pp"]["3"]["dropout_total"]
    print(f"wrote {args.out} ({len(cohorts.students)} SYNTHETIC students; true 3-month effect {effect:g} pp "
          f"on {cohorts.meta['treated']['n_students']} treated students) and {side}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m sosu_analysis.commands.students synth ...``) until the main CLI hooks it in."""
    parser = argparse.ArgumentParser(prog="sosu-analysis")
    add_subparser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
