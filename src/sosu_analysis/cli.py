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

#: subcommands defined in their own modules: name -> (module, the one-line help ``--help`` lists).
#: A module adds its subcommands' arguments with ``add_subparser(subparsers)`` and is imported only
#: when one of its subcommands is asked for, so ``sosu-analysis --help`` (and ``run``, ``validate``)
#: import none of them (pandas, statsmodels ...). tests/test_cli.py checks that each help line here
#: is the one the module itself gives.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "synth": ("sosu_analysis.commands.students",
              "write a SYNTHETIC student extract calibrated to the published Table 1"),
    "fetch": ("sosu_analysis.national.fetch_cli",
              "fetch tables from uddannelsesstatistik.dk's API (or replay a stored answer offline)"),
    "synth-survey": ("sosu_analysis.commands.survey",
                     "write a SYNTHETIC survey (long layout) calibrated to seed 003"),
    "survey-import": ("sosu_analysis.commands.survey",
                      "convert a wide survey export (one column per item) to the long layout"),
    "import": ("sosu_analysis.importer.cli",
               "import the school's export (Z-udskrift): pseudonymize CPR, drop names, write the student extract"),
    "synth-interviews": ("sosu_analysis.interviews.cli",
                         "write SYNTHETIC group interviews (register, MAXQDA-layout export, names)"),
}

#: modules that add their own subcommands with ``add_subparser(subparsers)``, in the order of :data:`SUBCOMMANDS`
SUBCOMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(module for module, _ in SUBCOMMANDS.values()))


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


def _positive_int(text: str) -> int:
    """Parse a whole number of at least 1 (``--jobs``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:20]!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _cmd_run(args: argparse.Namespace) -> int:
    from .pipeline.config import DEFAULT_CONFIG, load_config
    from .pipeline.run import run_pipeline

    config_file = args.config or DEFAULT_CONFIG
    overrides = {"students_file": args.students} if args.students else {}
    cfg = load_config(config_file, overrides=overrides)
    try:
        run_pipeline(cfg, args.output, config_file=config_file, update_notebooks=args.update_notebooks,
                     jobs=args.jobs)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _command(argv: list[str]) -> str | None:
    """Return the subcommand named in ``argv`` (its first word that is not an option), or ``None``."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the parser of ``sosu-analysis`` and its subcommands.

    Only the module of ``command`` (see :data:`SUBCOMMANDS`) is imported and adds its arguments;
    every other subcommand is listed with its help line alone. ``command="all"`` imports them all.
    """
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
    p.add_argument("--jobs", metavar="N", type=_positive_int, default=None,
                   help="chapters run side by side at most (default: the usable cores); a chapter starts when "
                        "the chapters it reads from are done, and the outputs do not depend on N")
    p.set_defaults(func=_cmd_run)

    wanted = {module for name, (module, _) in SUBCOMMANDS.items() if command in (name, "all")}
    loaded: set[str] = set()
    for name, (module, help_line) in SUBCOMMANDS.items():
        if module not in wanted:
            sub.add_parser(name, help=help_line)  # listed only: never parsed, as its module is not loaded
        elif module not in loaded:
            importlib.import_module(module).add_subparser(sub)
            loaded.add(module)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 a notebook failed, 2 bad input or usage)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command(argv))
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
