"""Run the notebooks with papermill, independent chapters side by side, and render code-free HTML reports.

:func:`run_pipeline` is what ``sosu-analysis run`` and ``make report`` call.
For each notebook named in the config it

1. executes ``notebooks/NAME.ipynb`` with papermill (kernel ``python3``,
   working folder ``notebooks/``, in a worker process: :mod:`sosu_analysis.pipeline.kernel`),
   handing it the typed parameters from the config that its ``parameters`` cell declares;
   a chapter starts when the chapters it reads from are done (:mod:`sosu_analysis.pipeline.chapters`),
   at most ``jobs`` at a time;
2. stores the executed notebook in ``OUTPUT/notebooks/`` with volatile
   metadata (timestamps, durations) removed;
3. renders ``OUTPUT/NAME.html``: no input cells, no parameters cells, images
   embedded, no script or style loaded from the network;

then writes ``OUTPUT/index.html``. Tables (``OUTPUT/tables/*.csv``) and figures
(``OUTPUT/figures/*.png|svg``) are written by the notebooks themselves.

Everything is built in a staging folder beside ``OUTPUT`` that replaces it only
when every notebook has run, so a failed run leaves the previous reports as
they were. Inputs are validated before any notebook runs.
"""

from __future__ import annotations

import ast
import copy
import html
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import atomic
from ..errors import InputError, Problem
from ..paths import project_root, resolve
from ..readers.validation import validate_file
from . import precheck
from .config import Config
from .precheck import StudentCheck

if TYPE_CHECKING:  # nbformat is imported where notebooks are read or written: a refused run never loads it
    import nbformat

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
VOLATILE_METADATA = ("papermill", "execution")
PARAMETER_TAGS = ("parameters", "injected-parameters")
#: what an executed notebook shows for the path of the run's study data (private, deleted after the run)
HANDOFF_SHOWN = "(the run's study data: private, deleted after the run)"


def _declared_parameters(nb_path: Path) -> dict[str, object]:
    """Return the names and default values of a notebook's ``parameters`` cell."""
    import papermill

    declared = papermill.inspect_notebook(str(nb_path))
    out = {}
    for name, info in declared.items():
        try:
            out[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            out[name] = info["default"]
    return out


def _strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for key in VOLATILE_METADATA:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
    return nb


def _without_injected(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    return nb


def _title(nb: nbformat.NotebookNode, default: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def chapter_language(nb: nbformat.NotebookNode, *, lead_report: bool = False) -> str:
    """Return the language of a chapter's page (``<html lang>``, default alt texts): ``"da"`` or ``"en"``.

    A notebook says it is written in Danish with ``"sosu": {"language": "da"}`` in its
    metadata (chapters 06-09); the lead's report is Danish in any case.
    """
    if lead_report:
        return "da"
    language = nb.metadata.get("sosu", {}).get("language", "en")
    if language not in ("da", "en"):
        raise ValueError(f"notebook metadata sosu.language must be 'da' or 'en', got {language!r}")
    return str(language)


def render_html(nb: nbformat.NotebookNode, template: str = "offline", language: str = "en") -> str:
    """Render a code-free, self-contained HTML page of an executed notebook."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config as TConfig

    c = TConfig()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(PARAMETER_TAGS)
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    c.HTMLExporter.language_code = language
    exporter = HTMLExporter(config=c, template_name=template, extra_template_basedirs=[str(TEMPLATE_DIR)],
                            extra_template_paths=[str(TEMPLATE_DIR)])
    body, _ = exporter.from_notebook_node(nb)
    return body


def render_index(entries: list[tuple[str, str]], title: str = "sosu-analysis: rapporter") -> str:
    """Render ``index.html``: a list of links ``(href, text)``."""
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in entries)
    return f"""<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>Frafald på hovedforløbet, SOSU H. Kapitlerne er lavet af notebooks i <code>notebooks/</code>;
tabeller ligger i <code>tables/</code>, figurer i <code>figures/</code>.</p>
<ol>
{items}
</ol>
</body>
</html>
"""


#: the cell tag that moves a cell of the lead report's notebook to its appendix (rapport_bilag.html)
APPENDIX_TAG = "bilag"


def _split_appendix(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """Return the lead report's notebook as the note (untagged cells) and the appendix (cells tagged ``bilag``)."""
    import copy

    note, appendix = copy.deepcopy(nb), copy.deepcopy(nb)
    tagged = [APPENDIX_TAG in c.metadata.get("tags", []) for c in nb.cells]
    note.cells = [c for c, t in zip(note.cells, tagged, strict=True) if not t]
    appendix.cells = [c for c, t in zip(appendix.cells, tagged, strict=True) if t]
    appendix.metadata["title"] = "Bilag til rapporten: metode, tabeller og datagrundlag"
    return note, appendix


def _write_lead_report(nb: nbformat.NotebookNode, folder: Path, say: Callable[[str], None]) -> None:
    """``rapport.html`` (the decision note), ``rapport_bilag.html`` (its appendix) and the note's PDF copy."""
    from ..reporting import browser

    note, appendix = _split_appendix(nb)
    html_path = folder / "rapport.html"
    atomic.write_text(html_path, render_html(note, template="rapport", language="da"))
    atomic.write_text(folder / "rapport_bilag.html", render_html(appendix, template="rapport", language="da"))
    if browser.chromium_path() is None:
        say("warning: Chromium not found, rapport.pdf not made (install it with 'make browser')")
        return
    browser.html_to_pdf(html_path, folder / "rapport.pdf")


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def validate_inputs(cfg: Config, config_file: str, *, check_students: bool = True) -> StudentCheck | None:
    """Check every input file of the config, and the design of the campus comparison, before anything runs.

    Returns what :func:`sosu_analysis.pipeline.precheck.check_students` found about the
    student data (``None`` when the config names none).
    """
    root = project_root()
    problems: list[Problem] = []
    for key in Config.INPUT_FILES:
        value = getattr(cfg, key)
        if not value or (key == "students_file" and check_students):
            continue
        try:
            validate_file(resolve(value, root), value)
        except InputError as exc:
            problems.extend(exc.problems)
    interview_files = (cfg.interview_register, cfg.interview_codes)
    if cfg.interview_export and not any(p.file in interview_files for p in problems):
        # the QDA export through its mapping, cross-checked with the register, the codebook and the name list
        from ..interviews.analysis import load_interviews

        try:
            load_interviews(cfg.interview_register, cfg.interview_codes, cfg.interview_export, cfg.interview_mapping,
                            cfg.interview_names, cfg.campuses_table, survey_items=cfg.survey_items)
        except InputError as exc:
            problems.extend(exc.problems)
    if cfg.national_answer:  # a JSON answer and its query: checked by replaying them (no network)
        from ..national.api import load_national

        try:
            load_national(cfg.national_answer, cfg.national_query, cfg.national_school)
        except InputError as exc:
            problems.extend(exc.problems)
    if cfg.campus_answer:  # the campus-level answer of chapter 11 (issue 18): replayed into its panel
        from ..national.campus import load_campus_panel

        try:
            load_campus_panel(cfg.campus_answer, cfg.campus_query, cfg.national_school, cfg.campuses_table,
                              max_missing_share=cfg.donor_max_missing_share)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    if not (check_students and cfg.students_file):
        return None
    return precheck.check_students(cfg.students_file, cfg.campuses_table, cfg.horizons, cfg.extract_date,
                                   cfg.notebooks, cfg.alpha, root, config_file)


PROTECTED = ("data", "notebooks", "src", "config", "tests", "docs", "benchmarks", ".git")
#: the project's own output folder (tracked in git, replaced by ``make report``)
DEFAULT_OUTPUT = "reports"


def check_output_folder(out: Path, cfg: Config, root: Path, file: str) -> None:
    """Refuse an output folder whose replacement would delete something else (:mod:`sosu_analysis.output_policy`).

    The project, its source and data folders and the config's inputs are protected; the project's own
    ``reports`` may hold tracked files (``make report`` replaces it); any other non-empty folder must carry
    the marker an earlier run wrote.
    """
    from .. import output_policy

    root = root.resolve()
    inputs = [resolve(getattr(cfg, k), root) for k in Config.INPUT_FILES if getattr(cfg, k)]
    output_policy.check_output_folder(out, file, inputs=inputs, protected=[root / d for d in PROTECTED],
                                      allow_tracked=[root / DEFAULT_OUTPUT])


def run_pipeline(cfg: Config, output: str | os.PathLike = "reports", *, config_file: str = "config/default.yaml",
                 update_notebooks: bool = False, progress: Callable[[str], None] | None = None,
                 jobs: int | None = None) -> Path:
    """Run the notebooks of ``cfg`` and write the reports to ``output``.

    Parameters
    ----------
    cfg
        The checked configuration.
    output
        Output folder (relative to the project root, or absolute).
    config_file
        Shown in messages and copied into the output as ``config.yaml``.
    update_notebooks
        Also store the executed notebooks (without the injected-parameters
        cell) back in ``notebooks/``, so that nbval guards the new outputs.
        Only allowed when the run uses the notebooks' own default parameters.
    progress
        Called with one line of text per step (default: print to stderr).
    jobs
        Chapters run side by side at most (default: the cores this process may use). A chapter starts
        when the chapters it reads from are done (:mod:`sosu_analysis.pipeline.chapters`); the outputs
        do not depend on ``jobs``.
    """
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise InputError(Problem("--jobs", f"must be a whole number of at least 1, got {jobs!r}"))
    workers = jobs or usable_cores()
    root = project_root()
    out = resolve(output, root)
    default_out = out.resolve() == (root / "reports").resolve()
    # Cleaned tables: data/processed for the default reports, else inside the output folder
    # (staged with it), so a trial run never overwrites the committed processed data.
    processed_rel = cfg.processed_dir or ("data/processed" if default_out else "")
    out_rel = _display_path(out, root)

    check_output_folder(out, cfg, root, "--output")
    found = validate_inputs(cfg, config_file)
    notebooks_dir = root / "notebooks"
    params_all = dict(cfg.notebook_parameters(), processed_dir=processed_rel or "", output_dir=out_rel)
    provenance = ""
    if found is not None:
        if found.study is not None:
            for line in found.study.describe():  # exactly the students and the date the notebooks use
                say(line)
        if found.inferred and found.as_of is not None:
            day = found.as_of.date().isoformat()
            provenance = (f"# extract_date was empty: the extract is read as of {day}, its latest start or exit "
                          "date\n")
        elif found.study is not None and found.study.date_source == "import" and found.as_of is not None:
            provenance = (f"# extract_date was empty: the extract is read as of {found.as_of.date().isoformat()}, "
                          "the date recorded by 'sosu-analysis import'\n")
        for note in found.notes:
            say(f"note: {note}")
        for warning in found.warnings:
            say(f"warning: {warning}")
    if "11_design" in cfg.notebooks and not cfg.campus_answer:  # issue 18: said plainly, not silently
        say("note: no campus-level national answer (config key campus_answer is empty): chapter 11 cannot compare "
            "the pilot campuses with other schools' campuses and falls back to the in-school comparison")
    if update_notebooks:
        _check_update_notebooks(cfg, params_all, notebooks_dir, default_out, out_rel, config_file)
    try:
        with atomic.output_lock(out):
            return _run_locked(cfg, out, out_rel, root, params_all, processed_rel, found, provenance, config_file,
                               update_notebooks, say, workers)
    except atomic.OutputLocked as exc:
        raise InputError(Problem("--output", str(exc))) from None


def _check_update_notebooks(cfg: Config, params_all: dict, notebooks_dir: Path, default_out: bool, out_rel: str,
                            config_file: str) -> None:
    """Refuse --update-notebooks unless every notebook gets its own default parameters (before anything runs)."""
    for name in cfg.notebooks:
        declared = _declared_parameters(notebooks_dir / f"{name}.ipynb")
        params = {k: v for k, v in params_all.items() if k in declared}
        differ = {k: v for k, v in params.items() if k != "output_dir" and declared.get(k) != v}
        if differ or not default_out:
            raise InputError(Problem(config_file, f"--update-notebooks needs the notebooks' own default "
                                                  f"parameters and output 'reports'; {name} would get "
                                                  f"{differ or {'output': out_rel}}"))


def _run_locked(cfg: Config, out: Path, out_rel: str, root: Path, params_all: dict, processed_rel: str,
                found: StudentCheck | None, provenance: str, config_file: str, update_notebooks: bool,
                say: Callable[[str], None], workers: int) -> Path:
    """Run the notebooks while holding the output lock; stage, then replace the output folder."""
    import shutil

    notebooks_dir = root / "notebooks"
    private = atomic.private_tempdir("sosu-analysis-run-")
    keep_private = False
    saved_env = {k: os.environ.get(k) for k in ("JUPYTER_RUNTIME_DIR",)}
    os.environ["JUPYTER_RUNTIME_DIR"] = str(private / "runtime")  # kernel connection files: private, not shared
    if found is not None and found.study is not None:
        from .study import write_handoff

        # the notebooks get the study data the precheck checked (parameter study_data), not a second reading
        params_all = dict(params_all, study_data=str(write_handoff(found.study, private)))
    try:
        return _execute(cfg, out, out_rel, params_all, processed_rel, provenance, config_file, update_notebooks,
                        say, notebooks_dir, private, workers)
    except _NotebookFailed as exc:
        keep_private = True
        raise RuntimeError(str(exc)) from None
    finally:
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        from .study import HANDOFF_NAME

        (private / HANDOFF_NAME).unlink(missing_ok=True)  # personal data: never left behind
        shutil.rmtree(private / "runtime", ignore_errors=True)
        if not keep_private:
            shutil.rmtree(private, ignore_errors=True)


class _NotebookFailed(Exception):
    pass


def usable_cores() -> int:
    """Return the number of cores this process may run on (its CPU affinity where known, else all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _execute(cfg: Config, out: Path, out_rel: str, params_all: dict, processed_rel: str, provenance: str,
             config_file: str, update_notebooks: bool, say: Callable[[str], None], notebooks_dir: Path,
             private: Path, workers: int) -> Path:
    import nbformat

    from ..reporting.contracts import CHAPTER_ENV
    from .chapters import dependencies, run_chapters
    from .kernel import chapter_environment

    executed: dict[str, nbformat.NotebookNode] = {}
    with atomic.atomic_dir(out) as stage:
        (stage / "notebooks").mkdir()
        from .. import output_policy

        atomic.write_text(stage / output_policy.MARKER, output_policy.MARKER_TEXT)
        atomic.write_text(stage / "config.yaml", f"# Effective configuration of this run (from {config_file})\n"
                          + provenance + cfg.to_yaml())
        stage_rel = str(stage)
        order = list(cfg.notebooks)
        declared = {name: _declared_parameters(notebooks_dir / f"{name}.ipynb") for name in order}
        deps = dependencies(order, cfg.lead_report, lambda name: "processed_dir" in declared[name])
        tasks: dict[str, tuple] = {}  # each chapter's arguments of kernel.execute_chapter
        for name in order:
            params = {k: v for k, v in params_all.items() if k in declared[name]}
            if "output_dir" in params:
                params["output_dir"] = stage_rel
            if "processed_dir" in params and not processed_rel:
                params["processed_dir"] = str(stage / "processed")
            runtime = os.environ["JUPYTER_RUNTIME_DIR"]
            env = dict(chapter_environment(name, CHAPTER_ENV), JUPYTER_RUNTIME_DIR=runtime)
            tasks[name] = (str(notebooks_dir / f"{name}.ipynb"), str(stage / "notebooks" / f"{name}.ipynb"), params,
                          str(notebooks_dir), env, os.path.join(runtime, f"{name}-ipc"))

        def finished(name: str) -> None:
            i = order.index(name) + 1
            dst = stage / "notebooks" / f"{name}.ipynb"
            nb = nbformat.read(dst, as_version=4)
            _strip_volatile(nb)
            for cell in nb.cells:  # the staging path is volatile: show the final output folder instead
                if "injected-parameters" in cell.metadata.get("tags", []):
                    cell.source = cell.source.replace(stage_rel, out_rel)
                    if params_all.get("study_data"):  # private and deleted after the run: not shown
                        cell.source = cell.source.replace(params_all["study_data"], HANDOFF_SHOWN)
                    cell.id = "injected-parameters"  # papermill gives it a random id
            nb.metadata["title"] = _title(nb, name)  # the <title> of the HTML page
            atomic.write_text(dst, nbformat.writes(nb) + "\n")
            if name != cfg.lead_report:  # the lead report is rapport.html (below), not an unstyled near-copy
                language = chapter_language(nb, lead_report=False)
                atomic.write_text(stage / f"{name}.html", render_html(nb, language=language))
            executed[name] = nb
            if name == cfg.lead_report:
                _write_lead_report(nb, stage, say)
            say(f"[{i}/{len(order)}] {name}: done")

        def failed(name: str, error: tuple) -> _NotebookFailed:
            dst = stage / "notebooks" / f"{name}.ipynb"
            kept = private / f"failed-{name}.ipynb"  # may hold data in a traceback: this user only
            if dst.exists():
                fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(dst.read_bytes())
            cell, ename, evalue = error
            return _NotebookFailed(f"notebook {name} failed in cell {cell}: {ename}: {evalue}\n"
                                   f"The executed notebook is kept at {kept}; {out_rel}/ was left as it was.")

        run_chapters(order, deps, tasks, workers, say, finished, failed)
        # the index lists the chapters by number (their reading order), whatever order they ran in
        entries = [(f"{name}.html", _title(executed[name], name)) for name in sorted(order) if name != cfg.lead_report]
        if cfg.lead_report in executed:
            entries[:0] = [("rapport.html", "Rapport til projektlederen (dansk)")] + (
                [("rapport.pdf", "Rapport til projektlederen som PDF")] if (stage / "rapport.pdf").is_file() else []
            ) + [("rapport_bilag.html", "Bilag til rapporten: metode, tabeller og datagrundlag")]
        atomic.write_text(stage / "index.html", render_index(entries))
    if update_notebooks:
        for name, nb in executed.items():
            atomic.write_text(notebooks_dir / f"{name}.ipynb", nbformat.writes(_without_injected(nb)) + "\n")
        say(f"stored outputs updated in notebooks/ ({len(executed)} notebooks)")
    say(f"reports written to {out_rel}/")
    return out

