"""The project lead's report in Danish: a decision note (``rapport.html``/``.pdf``) and its appendix.

Split along its concerns (``docs/architecture.md``):

- :mod:`.results` — the result tables, read once; rows chosen by explicit keys;
- :mod:`.uncertainty` — the one rule for uncertainty (interval, scale of words, synthetic wording);
- :mod:`.verdicts` — every verdict computed once (:class:`~.verdicts.Verdicts`);
- :mod:`.answers` — the first screen: three answers and the decisions;
- :mod:`.prose` — the note's sections; :mod:`.appendix` — the appendix's;
- :mod:`.captions` — figure captions, alt texts, source lines;
- :mod:`.provenance` — report date, code version, checksums, package versions;
- :mod:`.render` — HTML through the Jinja template ``templates/rapport/dele.html.j2``;
- :mod:`.consistency` — the check that two statements about one quantity agree.

The timeline statistics are in :mod:`sosu_analysis.did.timeline`; numbers are formatted by
:mod:`sosu_analysis.danish`. ``notebooks/06_rapport.ipynb`` shows the sections in the note's order; the
design section (:mod:`.design`, chapter 11) and "Hvad siger eleverne" (chapter 10) are sections like the others.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from .answers import Answer, Decision, answers, decisions
from .render import Section, parts, show
from .results import POWER, POWER_ROW, Results, did_row, load_results, power_row
from .uncertainty import SCALE, Evidence, strength
from .verdicts import Verdicts, build


def banner(res: Results) -> Markup:
    """Return the red box on top when the student data are synthetic (empty otherwise); years from the table."""
    if not res.synthetic:
        return Markup("")
    years = res["table1"]["year"]
    return Markup(parts().banner(f"{int(years.min())}–{int(years.max())}"))


def first_screen(v: Verdicts, comparison: list[str], report_month: str, res: Results, date_words: str,
                 version: str, extract: str, more: Sequence[Decision] = (),
                 best: tuple[str, Evidence, int] | None = None) -> Markup:
    """Return the legend, the synthetic banner, the three answers, the decisions and the metadata line.

    ``more`` are recommendations from wired-in sections (the design that answers soonest), sorted in by date;
    ``best`` is the strongest design (:func:`.design.best_design`), which answer (a) leads with.
    """
    p = parts()
    out = [Markup(p.legend(bool(res.synthetic), v.national_synthetic)), banner(res)]
    recommended = sorted([*decisions(v, comparison, report_month), *more], key=lambda d: d.when)
    out.append(Markup(p.front(answers(v, best), recommended, "rapport_bilag.html")))
    out.append(Markup(p.metadata(date_words, version, extract)))
    out.append(Markup(p.running_header(f"Frafald på hovedforløbet, SOSU H · {date_words}")))
    return Markup("").join(out)


__all__ = ["POWER", "POWER_ROW", "SCALE", "Answer", "Decision", "Evidence", "Results", "Section",
           "Verdicts", "answers", "banner", "build", "decisions", "did_row", "first_screen", "load_results",
           "power_row", "show", "strength"]
