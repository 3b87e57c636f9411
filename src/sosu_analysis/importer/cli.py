r"""``sosu-analysis import``: a Z-udskrift in, the pseudonymous student extract out.

::

    sosu-analysis import --new-key ~/sosu-noegle.key
    sosu-analysis import EXPORT.csv --mapping MAPPING.yaml --key-file ~/sosu-noegle.key \\
        --out data/raw/private/NAME.csv [--dry-run] [--extract-date YYYY-MM-DD]

Registered in :data:`sosu_analysis.cli.SUBCOMMAND_MODULES`. Exit 0 on
success, 2 on a user error (bad mapping, key, file, unknown values; the
message never shows a value of a student's row).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ..paths import project_root, resolve
from .core import import_export
from .pseudonym import new_key

DEFAULT_CAMPUSES = "data/raw/campuses.csv"
PRIVATE_DIR = "data/raw/private"


def add_subparser(subparsers) -> argparse.ArgumentParser:
    """Add the ``import`` command to an ``argparse`` sub-parser group.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``.

    Returns
    -------
    argparse.ArgumentParser
    """
    p = subparsers.add_parser(
        "import",
        help="import the school's export (Z-udskrift): pseudonymize CPR, drop names, write the student extract",
        description="Read a Z-udskrift (CSV or XLSX) with the columns named in MAPPING, replace each CPR number by "
                    "a keyed pseudonym, drop every other column (names, phone, e-mail, ...) while reading, and write "
                    "the project's student extract plus a JSON sidecar. A programme, campus or code missing from the "
                    "mapping stops the import with a list of them.",
        epilog="first: sosu-analysis import --new-key ~/sosu-noegle.key (outside the project); then: "
               "sosu-analysis import Z425.csv --mapping data/raw/private/mapping.yaml --key-file ~/sosu-noegle.key "
               "--out data/raw/private/elever.csv",
    )
    p.add_argument("export", nargs="?", metavar="EXPORT", help="the Z-udskrift, CSV or XLSX")
    p.add_argument("--new-key", metavar="KEYFILE", help="create a new secret key file (mode 0600) and stop")
    p.add_argument("--mapping", metavar="MAPPING.yaml", help="mapping of columns and codes "
                                                              "(copy config/z_udskrift_mapping.yaml and edit it)")
    p.add_argument("--key-file", metavar="KEYFILE", help="the secret key (outside the project)")
    p.add_argument("--out", metavar="FILE", help=f"output CSV, normally {PRIVATE_DIR}/NAME.csv")
    p.add_argument("--campuses", metavar="FILE", default=None, help=f"campus table (default {DEFAULT_CAMPUSES})")
    p.add_argument("--extract-date", metavar="YYYY-MM-DD", default="",
                   help="date the export was taken (default: its latest start or exit date)")
    p.add_argument("--dry-run", action="store_true", help="print the report (counts, unknown values), write nothing")
    p.set_defaults(func=run_import)
    return p


def _private_warning(out: Path) -> str | None:
    try:
        root = project_root()
    except FileNotFoundError:
        return None
    private = (root / PRIVATE_DIR).resolve()
    try:
        out.resolve().relative_to(private)
    except ValueError:
        return (f"warning: {out} is not in {PRIVATE_DIR}/ of the project; a real extract kept elsewhere may be "
                "committed or shared by mistake")
    return None


def run_import(args: argparse.Namespace) -> int:
    """Handle ``sosu-analysis import``; return the exit code."""
    try:
        if args.new_key:
            if args.export or args.mapping or args.out:
                print("error: --new-key creates a key and does nothing else; run the import separately",
                      file=sys.stderr)
                return 2
            path = new_key(args.new_key)
            print(f"created the key file {path} (mode 0600). Keep it outside the project and back it up safely: "
                  "the same key gives the same pseudonyms, so later extracts link to earlier ones.")
            return 0
        missing = [opt for opt, val in (("EXPORT", args.export), ("--mapping", args.mapping),
                                        ("--key-file", args.key_file)) if not val]
        if not args.dry_run and not args.out:
            missing.append("--out")
        if missing:
            print(f"error: sosu-analysis import needs {', '.join(missing)} (or --new-key KEYFILE)", file=sys.stderr)
            return 2
        campuses = Path(args.campuses) if args.campuses else resolve(DEFAULT_CAMPUSES)
        out = Path(args.out) if args.out else None
        res = import_export(args.export, args.mapping, args.key_file, out, campuses, dry_run=args.dry_run,
                            extract_date=args.extract_date)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(res.report())
        for problem in res.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 0 if res.ok else 2
    print(res.report())
    assert out is not None
    print(f"wrote {out} and {out.with_suffix('.json')} (extract date {res.extract_date}; mode 0600: personal data)")
    for line in res.warnings:
        print(line, file=sys.stderr)
    warning = _private_warning(out)
    if warning:
        print(warning, file=sys.stderr)
    return 0
