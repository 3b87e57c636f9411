"""Command line: ``sosu-analysis validate | run | synth`` (also ``python -m sosu_analysis``).

A user's mistake (bad input, bad config) gives a message that names the file,
row and column, and exit code 2; never a Python traceback. Exit 1 means a
notebook failed while running.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

#: modules that add their own subcommands with ``add_subparser(subparsers)``
SUBCOMMAND_MODULES: tuple[str, ...] = ("sosu_analysis.students.cli", "sosu_analysis.national.fetch_cli",
                                        "sosu_analysis.survey.cli", "sosu_analysis.importer.cli",
                                        "sosu_analysis.interviews.cli")


def _cmd_validate(args: argparse.Namespace) -> int:
    from .readers.validation import validate_file

    status = EXIT_OK
    for path in args.files:
        try:
            kind, _ = validate_file(path)
        except InputError as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            status = EXIT_USAGE
        else:
            print(f"ok: {path} ({kind.name})")
            from .importer.location import private_location_warning

            warning = private_location_warning(path)
            if warning:
                print(warning, file=sys.stderr)
    return status


def _cmd_run(args: argparse.Namespace) -> int:
    from .pipeline.config import DEFAULT_CONFIG, load_config
    from .pipeline.run import run_pipeline

    config_file = args.config or DEFAULT_CONFIG
    overrides = {"students_file": args.students} if args.students else {}
    cfg = load_config(config_file, overrides=overrides)
    try:
        run_pipeline(cfg, args.output, config_file=config_file, update_notebooks=args.update_notebooks)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of ``sosu-analysis`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="sosu-analysis",
        description="Dropout on the SOSU main courses at SOSU H: check inputs, run the analysis.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check input files without running the analysis",
                       description="Check input files (published table, goals, and the other registered "
                                   "kinds). Exit 0 when all are valid, 2 otherwise.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("run", help="run the notebooks with papermill and write the reports",
                       description="Execute the notebooks in order and write executed notebooks, HTML pages, "
                                   "tables and figures to the output folder.")
    p.add_argument("--config", metavar="FILE", help="YAML config (default: config/default.yaml)")
    p.add_argument("--students", metavar="FILE",
                   help="student extract for the campus comparison (overrides students_file of the config)")
    p.add_argument("--output", metavar="DIR", default="reports", help="output folder (default: reports)")
    p.add_argument("--update-notebooks", action="store_true",
                   help="also store the executed outputs in notebooks/ (default config and output only)")
    p.set_defaults(func=_cmd_run)

    for mod in SUBCOMMAND_MODULES:
        importlib.import_module(mod).add_subparser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 a notebook failed, 2 bad input or usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
        # outside the project, or a folder that cannot be written: a message, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
