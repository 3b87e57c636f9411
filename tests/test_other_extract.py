"""The whole pipeline on another synthetic extract, as a researcher would run it.

`sosu-analysis synth` makes a fresh extract (another seed, true effect 0), and
`sosu-analysis run --students FILE --output DIR` runs every chapter on it. The
numbers and the sentences must follow the new data, and stay labelled synthetic.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from sosu_analysis.paths import project_root

pytestmark = pytest.mark.e2e

ROOT = project_root()
DID_COLUMNS = ["outcome_definition", "horizon_months", "estimator", "inference", "att_pp", "ci_low_pp",
               "ci_high_pp", "p_value", "n_students", "n_campuses", "n_pilot_campuses"]


@pytest.fixture(scope="module")
def other_run(synth_run):
    """Seed 7, true effect 0 (shared with test_rapport_other_data's no-effect run); few power simulations."""
    run = synth_run(7, 0.0)
    k = len(yaml.safe_load((ROOT / "config/default.yaml").read_text())["notebooks"])
    assert f"[{k}/{k}] 06_rapport: done" in run["stderr"]  # progress is shown
    return run


def test_did_table_follows_the_new_extract(other_run):
    new = pd.read_csv(other_run["out"] / "tables/did.csv")
    committed = pd.read_csv(ROOT / "reports/tables/did.csv")
    assert set(DID_COLUMNS) <= set(new.columns)
    assert set(new["estimator"]) >= {"lpm", "logit_ame", "triple_diff"}
    assert set(new["inference"]) >= {"crv1", "cr2", "wild_webb", "randomization"}
    assert set(new["horizon_months"]) == {3, 6, 12}
    main = lambda t: t[(t.estimator == "lpm") & (t.inference == "cr2") & (t.horizon_months == 3)]["att_pp"].to_numpy()  # noqa: E731
    assert not (abs(main(new) - main(committed)) < 1e-6).any()


def test_new_extract_is_labelled_synthetic(other_run):
    page = (other_run["out"] / "04_pilot_vs_nonpilot.html").read_text()
    assert "SYNTETISKE DATA" in page and "students_synthetic_seed7_effect0.csv" in page
    assert "true effect of 0.0 percentage points" in page  # the built-in true effect of this draw (no sign on 0)


def test_committed_processed_data_and_reports_untouched(other_run):
    assert (other_run["out"] / "processed/table1_clean.csv").is_file()
    assert set(other_run["before"]) == {"data/processed", "reports"}
    assert other_run["changed"]() == []


def _summary(page: str) -> str:
    import html
    import re

    page = html.unescape(re.sub(r"<[^>]+>", " ", page))
    start = page.index("Kort fortalt")
    end = re.search(r"Det (beslutter|anbefaler) vi", page[start:])  # the committed report may predate issue 19
    return page[start:start + end.start()] if end else page[start:]


def test_report_sentences_follow_the_data(other_run):
    """Every number in the prose comes from the tables: another extract gives other sentences and verdicts."""
    import html

    from sosu_analysis.reporting import rapport
    from sosu_analysis.students import synthetic_label

    raw = (other_run["out"] / "rapport.html").read_text()
    new_page = html.unescape(raw)
    old_page = html.unescape((ROOT / "reports/rapport.html").read_text())
    assert _summary(new_page) != _summary(old_page)
    did = pd.read_csv(other_run["out"] / "tables/did.csv")
    r = did[(did.estimator == "lpm") & (did.inference == "cr2") & (did.horizon_months == 3)
            & (did.outcome_definition == "incl_switch")].iloc[0]
    numbers = f"{abs(r['att_pp']):.1f}".replace(".", ",") + "\u00a0procentpoint " + (
        "lavere" if r["att_pp"] < 0 else "højere")
    assert numbers in new_page
    assert "uden nogen indbygget virkning" in new_page  # this draw's built-in effect (none)
    # the pilot verdict is did.csv's CR2 p on the one scale, and the note says one thing about each quantity
    from sosu_analysis.reporting.rapport.consistency import claims, contradictions

    res = rapport.load_results(other_run["out"], synthetic_label(other_run["out"].parent /
                                                                     "students_synthetic_seed7_effect0.csv"))
    assert dict(claims(raw))["indsats:incl_switch:3"][0] == rapport.strength(float(r["p_value"]), res.alpha)
    assert contradictions(raw) == {}
    assert "endnu" not in _summary(new_page)
