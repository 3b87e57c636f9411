"""``sosu-analysis fetch``: the catalogue, a saved query, or the replay of a stored answer.

::

    sosu-analysis fetch --catalogue [område[/emne[/underemne]]] [--member DIM]
    sosu-analysis fetch QUERY.yaml --out data/raw/national/NAME.csv
    sosu-analysis fetch --replay RAW.json QUERY.yaml --out FILE.csv

Every failure (no key, 401, 429 beyond its retries, a 5xx after the bounded
retries, malformed JSON, a measure the cube does not have, a bad mapping) is
one line on stderr and exit code 2; never a traceback. The network parts follow
the documentation only (see :mod:`sosu_analysis.national.client`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..errors import InputError
from ..output_policy import check_output_file
from ..paths import project_root, resolve
from ..privacy import MAX_MESSAGE, mask_secrets, safe_text
from . import convert as conv
from .client import Client, FetchError, format_catalogue, read_key
from .query import load_query

EXIT_OK, EXIT_USAGE = 0, 2


def add_subparser(subparsers) -> argparse.ArgumentParser:
    """Add the ``fetch`` command to the main parser's sub-parser group.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``.

    Returns
    -------
    argparse.ArgumentParser
        The new parser; its ``func`` is :func:`run_fetch`.
    """
    p = subparsers.add_parser(
        "fetch",
        help="fetch tables from uddannelsesstatistik.dk's API (or replay a stored answer offline)",
        description="Browse the API's catalogue, run a saved query (config/queries/*.yaml) and write the raw "
                    "answer, its sidecar and the table converted to the project's layout, or convert a stored "
                    "answer without the network. The API key comes from $SOSU_API_KEY or a key file outside "
                    "the project. Follows the API's documentation; not yet tried against the live service.",
        epilog="examples: sosu-analysis fetch --catalogue; "
               "sosu-analysis fetch config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml "
               "--out data/raw/national/sosu_skoler_3mdr.csv; "
               "sosu-analysis fetch --replay data/raw/national/X.answer.json QUERY.yaml --out /tmp/x.csv",
    )
    p.add_argument("query", nargs="?", metavar="QUERY.yaml", help="saved query (body + mapping)")
    p.add_argument("--out", metavar="FILE.csv",
                   help="converted table; a fetch also writes FILE.answer.json (raw) and FILE.answer.meta.json")
    p.add_argument("--replay", metavar="RAW.json", help="convert this stored answer instead of asking the API")
    p.add_argument("--catalogue", nargs="?", const="", default=None, metavar="PATH",
                   help="list the catalogue: areas, or område/emne[/underemne] (a cube's dimensions and measures)")
    p.add_argument("--member", metavar="DIM", help="with --catalogue område/emne/underemne: list a dimension's "
                                                   "members, e.g. '[Institution].[Institution]'")
    p.add_argument("--key-file", metavar="FILE", help="file holding the API key (must lie outside the project)")
    p.add_argument("--url", metavar="URL", help="API base address (default: the documented one, or $SOSU_API_URL)")
    p.add_argument("--no-measure-check", action="store_true",
                   help="do not ask the catalogue whether the query's measures exist before fetching")
    p.set_defaults(func=run_fetch)
    return p


#: values never shown (the API key once read); every line printed is masked against them
_SECRETS: list[str] = []
#: most error lines printed for one failure (the rest are counted)
MAX_ERROR_LINES = 20


def _say(message: object, *, err: bool = True, personal: bool = True) -> None:
    """Print one line under the message policy: secrets and identifiers masked, escaped, bounded.

    ``personal=False`` for a line built only from the user's own arguments and counts (a report of
    what was written): it is still escaped and bounded, but a file name holding digits stays readable.
    """
    print(safe_text(message, limit=MAX_MESSAGE, secrets=_SECRETS, personal=personal),
          file=sys.stderr if err else sys.stdout)


def _err(message: str) -> int:
    _say(f"error: {message}")
    return EXIT_USAGE


def _problems(exc: InputError) -> None:
    for problem in exc.problems[:MAX_ERROR_LINES]:
        _say(f"error: {problem}")
    if len(exc.problems) > MAX_ERROR_LINES:
        _say(f"error: … and {len(exc.problems) - MAX_ERROR_LINES} more problems")


def run_fetch(args: argparse.Namespace) -> int:
    """Run ``fetch`` with parsed arguments; return the exit code."""
    try:
        return _run(args)
    except FetchError as exc:
        return _err(str(exc))
    except InputError as exc:
        _problems(exc)
        return EXIT_USAGE
    finally:
        _SECRETS.clear()


def _client(args: argparse.Namespace, root: Path) -> Client:
    key = read_key(args.key_file, root)
    _SECRETS.append(key)
    return Client(key, args.url)


def _run(args: argparse.Namespace) -> int:
    root = project_root()
    if args.catalogue is not None:
        if args.query or args.replay or args.out:
            return _err("--catalogue takes no QUERY, --replay or --out")
        client = _client(args, root)
        print(mask_secrets(format_catalogue(client.catalogue(args.catalogue, args.member)), _SECRETS))
        return EXIT_OK
    if args.member:
        return _err("--member goes with --catalogue område/emne/underemne")
    if not args.query:
        return _err("give a saved query (QUERY.yaml), or --catalogue")
    if not args.out:
        return _err("give --out FILE.csv for the converted table")
    out = resolve(args.out, root)
    for dest in (out, *conv.raw_paths(out)):  # the output policy (sosu_analysis.output_policy), before any work
        check_output_file(dest, "--out", inputs=[resolve(p, root) for p in (args.query, args.replay) if p],
                          keys=[args.key_file])
    if out.suffix.lower() != ".csv":
        return _err(f"--out {args.out}: the converted table is a .csv file")
    query = load_query(resolve(args.query, root), args.query)
    conv.check_mapping(query)
    if query.unverified:
        _say(f"warning: {args.query} is unverified: {query.unverified}")

    if args.replay:
        table = conv.replay(resolve(args.replay, root), query, args.replay)
        conv.write_converted(table, out)
        _say(f"wrote {args.out} ({len(table)} rows) from {args.replay}, without the network", err=False,
             personal=False)
        return EXIT_OK

    client = _client(args, root)
    if not args.no_measure_check:
        client.check_measures(query)
    pages = client.fetch(query)
    retrieved = dt.datetime.now(dt.UTC)
    raw_path, meta_path = conv.raw_paths(out)
    meta = conv.sidecar(query, pages, f"{client.url}/statistik", retrieved)
    conv.write_raw(pages, meta, raw_path)
    shown = _shown(raw_path, root)
    try:
        table = conv.convert([r for p in pages for r in p.rows], query, shown)
    except InputError as exc:
        _problems(exc)
        return _err(f"the raw answer is kept in {shown}; fix the mapping in {args.query} and run "
                    f"'sosu-analysis fetch --replay {shown} {args.query} --out {args.out}'")
    conv.write_converted(table, out)
    _say(f"wrote {args.out} ({len(table)} rows) from {meta['rows']} answer rows on {len(pages)} page(s); "
         f"raw answer {shown}, sidecar {_shown(meta_path, root)}; {conv.CREDIT}", err=False, personal=False)
    return EXIT_OK


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
