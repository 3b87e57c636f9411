"""Which chapter of a run waits for which: the run's order as a graph, so independent chapters go side by side.

A run executes the notebooks of ``cfg.notebooks``; a chapter may start as soon as every chapter it
reads from has finished. What a chapter reads is declared once, in the table contracts
(:mod:`sosu_analysis.reporting.contracts`: each table's and result file's writer and readers) and in
the one rule for the cleaned tables (:data:`sosu_analysis.reporting.outputs.PROCESSED_WRITER`, read by
every chapter that takes ``processed_dir``). The declarations are enforced while a run goes: a chapter
reading a table whose contract does not list it stops the run
(:func:`sosu_analysis.reporting.contracts.check_reader`), so a missing edge cannot make a chapter read
a table that is not written yet.

Three rules keep the sequential meaning of the config's order:

1. a chapter waits only for writers that come *before* it in the order (a reader placed before its
   writer reads what it read before: nothing);
2. the lead report waits for every chapter before it (it reads optional tables, and what is absent is
   said in the note, so it must see every chapter that runs);
3. a chapter the contracts do not know (a notebook a user added) waits for every chapter before it,
   and the known chapters after it do not wait for it (nothing they read is declared as its output).

The order in which ready chapters start is the config's order, so a run with one worker is exactly
the sequential run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..reporting.contracts import CONTRACTS, FILE_CONTRACTS, FileContract, TableContract
from ..reporting.outputs import PROCESSED_WRITER


def _declared_edges() -> tuple[dict[str, set[str]], set[str]]:
    """Return {reader: writers} from the contracts, and every chapter the contracts name."""
    reads: dict[str, set[str]] = {}
    known: set[str] = {PROCESSED_WRITER}
    declared: list[TableContract | FileContract] = [*CONTRACTS.values(), *FILE_CONTRACTS.values()]
    for c in declared:
        known.add(c.written_by)
        known.update(c.read_by)
        for reader in c.read_by:
            reads.setdefault(reader, set()).add(c.written_by)
    return reads, known


def dependencies(notebooks: Sequence[str], lead_report: str, takes_processed: Callable[[str], bool]
                 ) -> dict[str, tuple[str, ...]]:
    """Return, for each chapter of ``notebooks``, the chapters before it that it must wait for.

    Parameters
    ----------
    notebooks
        The chapters of the run, in the config's order (``cfg.notebooks``).
    lead_report
        The chapter that becomes the lead's report (``cfg.lead_report``): it waits for all before it.
    takes_processed
        Whether a chapter declares the parameter ``processed_dir`` (it reads the cleaned tables).
    """
    reads, known = _declared_edges()
    out: dict[str, tuple[str, ...]] = {}
    for i, name in enumerate(notebooks):
        before = list(notebooks[:i])
        if name == lead_report or name not in known:
            wait = set(before)
        else:
            wait = reads.get(name, set()) & set(before)
            if name != PROCESSED_WRITER and PROCESSED_WRITER in before and takes_processed(name):
                wait.add(PROCESSED_WRITER)
        out[name] = tuple(n for n in before if n in wait)
    return out


def schedule(notebooks: Sequence[str], deps: dict[str, tuple[str, ...]], workers: int) -> list[list[str]]:
    """Return the start order of a run with ``workers`` chapters at a time, assuming equal chapter times.

    For documentation and tests (the run itself starts a chapter when a worker is free and its
    dependencies are done): each inner list is one round of chapters that start together.
    """
    done: set[str] = set()
    left = list(notebooks)
    rounds: list[list[str]] = []
    while left:
        ready = [n for n in left if set(deps[n]) <= done][:max(1, workers)]
        if not ready:
            raise ValueError(f"chapters wait for each other in a circle: {left}")
        rounds.append(ready)
        done.update(ready)
        left = [n for n in left if n not in ready]
    return rounds


def run_chapters(order: list[str], deps: dict[str, tuple[str, ...]], tasks: dict[str, tuple], workers: int,
                 say: Callable[[str], None], finished: Callable[[str], None],
                 failed: Callable[[str, tuple], Exception], execute: Callable[..., object] | None = None) -> None:
    """Run the chapters in worker processes, ``workers`` at a time, each when the chapters it waits for are done.

    Ready chapters start in the config's order. ``finished(name)`` is called (in this process) as each
    chapter ends; when a chapter fails, no new chapter starts, the running ones finish, and the first
    failure is raised (``failed`` builds its error). ``execute`` (default
    :func:`sosu_analysis.pipeline.kernel.execute_chapter`) is called in a worker process with the
    arguments ``tasks[name]`` and returns ``None`` or the failed cell's ``(number, name, value)``.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    from .kernel import execute_chapter

    execute = execute or execute_chapter
    pending = list(order)
    running: dict[Future, str] = {}
    done: set[str] = set()
    error: Exception | None = None
    # spawn: a worker starts from a clean interpreter (no copy of this process' threads or open files)
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(order))),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        while pending or running:
            if error is None:
                for name in list(pending):
                    if len(running) >= workers:
                        break
                    if set(deps[name]) <= done:
                        pending.remove(name)
                        say(f"[{order.index(name) + 1}/{len(order)}] {name}: running")
                        running[pool.submit(execute, *tasks[name])] = name
            else:
                pending.clear()
            if not running:
                if pending:  # cannot happen: a chapter waits only for chapters before it
                    raise RuntimeError(f"chapters left that wait for each other: {pending}")
                break
            ended, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(ended, key=lambda f: order.index(running[f])):
                name = running.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # the kernel died, or papermill could not start it
                    error = error or exc
                    continue
                if result is not None:
                    error = error or failed(name, result)
                    continue
                if error is None:
                    finished(name)
                    done.add(name)
    if error is not None:
        raise error
