"""The project lead's report, tested as a reader would see it: in a real browser (Debian's Chromium)."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from sosu_analysis import browser, danish, rapport
from sosu_analysis.paths import project_root

ROOT = project_root()
SCREENSHOTS = ROOT / "build" / "screenshots"  # git-ignored; look at them after `make test`

needs_chromium = pytest.mark.skipif(browser.chromium_path() is None and not __import__("os").environ.get("CI"),
                                    reason="Chromium not installed (make browser); required on CI")


def test_report_files(fresh_run):
    _, out = fresh_run
    page = (out / "rapport.html").read_text()
    assert '<html lang="da">' in page
    pdf = (out / "rapport.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and b"/CreationDate (D:20000101000000" in pdf  # fixed stamp: same bytes each run
    assert 'href="rapport.html"' in (out / "index.html").read_text()
    # findings first: the summary comes before every section with figures
    assert page.index("Sammenfatning") < page.index("Udviklingen pr. uddannelse") < page.index("Bilag")
    # Danish number formats, both definitions, the terms box and the provenance appendix
    assert "17,4\u00a0%" in page and "1.327" in page
    assert "inkl. omvalg" in page and "ekskl. omvalg" in page
    assert "Begreber" in page and "Afbrudt med omvalg" in page
    for rel in ("data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv", "data/raw/campuses.csv"):
        assert rapport.sha256(ROOT / rel) in page
    assert "git commit" in page and "statsmodels" in page
    # synthetic student data: banner on top, watermark on every figure made from it
    assert page.index("SYNTETISKE DATA") < page.index("Sammenfatning")
    for fig in ("rapport_pilot", "rapport_optag", "rapport_styrke"):
        assert "SYNTETISKE DATA" in (out / "figures" / f"{fig}.svg").read_text()


def test_report_numbers_come_from_the_tables(fresh_run):
    _, out = fresh_run
    page = (out / "rapport.html").read_text()
    did = pd.read_csv(out / "tables/did.csv")
    main = did[(did.estimator == "lpm") & (did.inference == "cr2") & (did.horizon_months == 3)]
    for _, r in main.iterrows():
        assert rapport.pp(r["att_pp"]) in page
        assert rapport.interval_words(r["ci_low_pp"], r["ci_high_pp"]) in page
    trends = pd.read_csv(out / "tables/trend_tests.csv")
    ssa = trends[trends.programme == "SSA"]
    for p in ssa["p_value"]:
        assert danish.p_value(p) in page


@needs_chromium
@pytest.mark.parametrize("width, height, name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_report_in_a_real_browser(fresh_run, tmp_path, width, height, name):
    _, out = fresh_run
    shot = tmp_path / f"rapport-{name}.png"
    seen = browser.check_page(out / "rapport.html", screenshot=shot, width=width, height=height)
    assert seen.console_errors == [] and seen.page_errors == []
    assert seen.external_requests == []  # nothing loaded from the network (or anywhere else)
    assert seen.failed_images == 0
    assert seen.scroll_width <= width  # no sideways scrolling, also on a phone
    assert seen.title.startswith("Frafald")
    assert shot.stat().st_size > 10_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENSHOTS / shot.name)


@pytest.mark.parametrize("lo, hi, words", [
    (-6.04, 1.02, "mellem 6,0 procentpoint færre og 1,0 procentpoint flere"),
    (-6.0, -1.0, "mellem 1,0 og 6,0 procentpoint færre"),
    (0.5, 2.26, "mellem 0,5 og 2,3 procentpoint flere"),
    (float("-inf"), float("inf"), "uden en endelig grænse"),
])
def test_interval_words(lo, hi, words):
    # the issue's own example: "mellem 6 procentpoint færre og 1 procentpoint flere"
    assert rapport.interval_words(lo, hi) == words


def test_danish_numbers():
    assert danish.percent(17.4) == "17,4\u00a0%"
    assert danish.p_value(0.0004) == "p < 0,001" and danish.p_value(0.043) == "p = 0,043"
    assert danish.number(-0.04) == "0,0" and danish.number(-4.2) == "−4,2"
    assert re.fullmatch(r"[0-9a-f]{40}( med ikke-committede ændringer)?", rapport.git_commit(ROOT))


# ---- the prose for other data: signs, falls, intervals that exclude zero ---------------------

@pytest.fixture
def shipped():
    from sosu_analysis.students import synthetic_label

    return rapport.load_results(ROOT / "reports", synthetic_label(
        ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"), main_horizon=3, alpha=0.05)


def test_effect_wording_follows_the_sign(shipped):
    d = shipped.tables["did"].copy()
    for col in ("att_pp", "ci_low_pp", "ci_high_pp"):
        d[col] = -d[col]
    d[["ci_low_pp", "ci_high_pp"]] = d[["ci_high_pp", "ci_low_pp"]].to_numpy()
    shipped.tables["did"] = d
    text = rapport.effect_of_interventions(shipped)
    assert "ugunstigere (højere)" in text and "gunstigere (lavere)" not in text
    assert "mellem 8,2 procentpoint færre og 16,7 procentpoint flere" in text


def test_effect_wording_when_the_interval_excludes_zero(shipped):
    d = shipped.tables["did"].copy()
    main = (d.estimator == "lpm") & (d.horizon_months == 3)
    d.loc[main, "ci_high_pp"] = -0.5
    shipped.tables["did"] = d
    text = rapport.effect_of_interventions(shipped)
    assert "udelukker intervallerne under begge definitioner" in text
    assert "rummer både" not in text


def test_trend_wording_for_a_fall(shipped):
    t = shipped.tables["trend_tests"].copy()
    ssa = t.programme == "SSA"
    t.loc[ssa, "slope_log_odds_per_year"] *= -1
    t.loc[ssa, "ame_pp_per_year"] *= -1
    shipped.tables["trend_tests"] = t
    text = rapport.trend_verdict(shipped)
    assert "faldet er større end tilfældig variation" in text and "ned om året" in text
    assert "falden" not in text and "stigningen" not in text


def test_goal_sentence_quotes_the_observed_rate(shipped):
    text = rapport.goal_status(shipped)
    # SSH 2024: 10,9 % observed is 1,1 pp under the 12 % goal (seed 003, Table 1)
    assert "SSH lå i 2024 på 10,9\u00a0%, 1,1 procentpoint under målet" in text


def test_half_up_rounding_as_published():
    # 9 of 400 = 2,25 % is published as 2,3 % (half up); float formatting would print 2,2
    assert danish.percent(100 * 9 / 400) == "2,3\u00a0%"
