"""The project lead's report, tested as a reader would see it: on a phone, on a desktop and on paper.

The browser checks use Debian's Chromium (``make browser``); the PDF checks use
pdftotext (poppler-utils, installed by ``make browser`` too).
"""

from __future__ import annotations

import html as htmllib
import os
import re
import shutil
import subprocess

import pandas as pd
import pytest

from sosu_analysis.did.power import mde_from_se, power_from_se
from sosu_analysis.paths import project_root
from sosu_analysis.reporting import browser, rapport, rapport_figures

ROOT = project_root()
SCREENSHOTS = ROOT / "build" / "screenshots"  # git-ignored; look at them after `make test`
SHIPPED_STUDENTS = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"

needs_chromium = pytest.mark.skipif(browser.chromium_path() is None and not os.environ.get("CI"),
                                    reason="Chromium not installed (make browser); required on CI")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                     reason="pdftotext not installed (make browser); required on CI")


def visible_text(page: str) -> str:
    """The text a reader sees: no style, script, hidden header or tags; entities decoded."""
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<div[^>]*id=[\"']pdf-header[\"'][^>]*>.*?</div>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return htmllib.unescape(page)


def body_text(page: str) -> str:
    """The visible text before the appendix (file names and package names are not prose)."""
    text = visible_text(page)
    return text[: text.rindex("Bilag: datagrundlag og versioner")]


# ---- the files and their structure --------------------------------------------------------------

def test_report_files(fresh_run):
    _, out = fresh_run
    page = (out / "rapport.html").read_text()
    assert '<html lang="da">' in page
    assert '<html lang="da">' in (out / "06_rapport.html").read_text()  # the notebook page too
    pdf = (out / "rapport.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and b"/CreationDate (D:20000101000000" in pdf  # fixed stamp: same bytes each run
    assert 'href="rapport.html"' in (out / "index.html").read_text()
    text = visible_text(page)
    # the answers first, then contents, then the sections in the order of the contents
    order = ["Kort fortalt", "Stiger frafaldet?", "Hvor langt er vi fra målet?", "Virker indsatserne",
             "Det anbefaler vi", "Indhold", "Begreber", "Hvad blev afprøvet?"]
    positions = [text.index(x) for x in order]
    assert positions == sorted(positions)
    for anchor, title in rapport.CONTENTS:
        assert re.search(rf"id=[\"']{anchor}[\"']", page), title
    # the synthetic banner before the answers; the pilot answer says it is an illustration
    assert text.index("SYNTETISKE DATA") < text.index("Kort fortalt")
    assert "kun er en illustration" in text
    # date, version, extraction
    assert "Rapportdato:" in text and "Version" in text and "Elevdata:" in text
    # numbered figures and tables, each with a source line; no pandas index
    for key, (n, title) in rapport.FIGURES.items():
        assert f"Figur {n}. {title}." in text, key
    for key, (n, title) in rapport.TABLES_DA.items():
        assert f"Tabel {n}. {title}." in text, key
    assert text.count("Kilde:") >= len(rapport.FIGURES) + len(rapport.TABLES_DA)
    assert "<th></th>" not in page and "Unnamed" not in page
    # every image has a Danish alt text (nbconvert's English default is gone)
    alts = re.findall(r"<img [^>]*alt=\"([^\"]*)\"", page)  # nbconvert writes attributes in double quotes
    assert len(alts) == len(rapport.FIGURES) and all(len(a) > 40 for a in alts)
    assert "No description" not in page and not re.search(r"<img(?![^>]*alt=)", page)
    # the watermark on every figure made from the synthetic student data
    for fig in ("rapport_pilot_effekt", "rapport_pilot_andele", "rapport_hvornaar"):
        assert "SYNTETISKE DATA" in (out / "figures" / f"{fig}.svg").read_text()
    # the ministry's public numbers are not synthetic: no watermark there
    assert "SYNTETISKE DATA" not in (out / "figures" / "rapport_tendens.svg").read_text()
    # input checksums in the appendix
    for rel in ("data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv", "data/raw/campuses.csv",
                "data/raw/interventions.csv"):
        assert rapport.sha256(ROOT / rel) in page


def test_front_page_is_short_and_complete(fresh_run):
    _, out = fresh_run
    page = (out / "rapport.html").read_text()
    front = page[re.search(r"<section class=[\"']forside", page).start():page.index("</section>")]
    words = len(visible_text(front).split())
    assert words <= 250, words
    assert len(re.findall(r"class=[\"']svar lys-", front)) == 3
    assert 3 <= front.count("<li>") <= 5
    assert front.count("Hvem:") == front.count("Hvornår:") == front.count("<li>")
    # the body does not repeat the summary word for word
    body = page[page.index("</section>"):]
    for sentence in re.findall(r"<p class=[\"']saetning[\"']>(.*?)</p>", front):
        assert sentence not in body


def test_report_numbers_come_from_the_tables(fresh_run):
    _, out = fresh_run
    text = visible_text((out / "rapport.html").read_text())
    did = pd.read_csv(out / "tables/did.csv")
    main = did[(did.estimator == "lpm") & (did.inference == "cr2") & (did.horizon_months == 3)]
    for _, r in main.iterrows():
        assert rapport.pp(r["att_pp"]) in text
        assert rapport.change_words(r["ci_low_pp"], r["ci_high_pp"]) in text
    ssa = pd.read_csv(out / "tables/trend_tests.csv").query("programme == 'SSA' and outcome_definition == "
                                                            "'incl_switch'").iloc[0]
    assert rapport.pval(ssa["p_value"]) in text and rapport.pval(ssa["p_value_quasi"]) in text
    # the detectable effect is the CR2 one of the timeline, not the analytic t(G-2) of power.csv
    timeline = pd.read_csv(out / "tables/rapport_tidslinje.csv")
    analytic = pd.read_csv(out / "tables/power.csv").query("method == 'analytic_t(G-2)' and "
                                                           "icc_source == 'estimated'")["mde_pp"].iloc[0]
    assert any(rapport.pp(m) in text for m in timeline["mde_pp"].dropna())
    assert rapport.pp(analytic) not in text
    # SSH's whole series, with its 2023 peak (seed 003: 13,5 %)
    assert "13,5\u00a0% i 2023" in text and "toppede" in text


def test_no_line_break_inside_a_number(fresh_run):
    _, out = fresh_run
    text = body_text((out / "rapport.html").read_text())
    assert not re.search(r"\d %", text), re.findall(r".{20}\d %.{5}", text)[:3]
    assert not re.search(r"\d procentpoint", text)
    assert not re.search(r"\d\.\d+\s*%", text)  # a decimal point in a percentage


# ---- in a real browser --------------------------------------------------------------------------

@needs_chromium
@pytest.mark.parametrize("width, height, name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_report_in_a_real_browser(fresh_run, tmp_path, width, height, name):
    _, out = fresh_run
    shot = tmp_path / f"rapport-{name}.png"
    seen = browser.check_page(out / "rapport.html", screenshot=shot, width=width, height=height,
                              text_selectors=(".forside", "figure"), last_selector=".forside .svar")
    assert seen.console_errors == [] and seen.page_errors == []
    assert seen.external_requests == []  # nothing loaded from the network (or anywhere else)
    assert seen.failed_images == 0
    assert seen.scroll_width <= width  # no sideways scrolling, also on a phone
    assert seen.overflowing == []  # no table or box wider than its container (it would scroll or be cut)
    if name == "phone":  # the three answers fit the first screen of a phone
        assert 0 < seen.last_bottom <= height, seen.last_bottom
    assert seen.title.startswith("Frafald")
    assert seen.small_text == []  # no text under 11 px in the summary and the captions
    # text inside the figures: the smallest font (points at 100 dpi) scaled to the width shown
    assert len(seen.images) == len(rapport.FIGURES)
    for alt, shown, natural in seen.images:
        smallest = rapport_figures.MIN_FONT_PT * 100 / 72 * shown / natural
        assert smallest >= 11, (alt[:40], smallest)
    assert shot.stat().st_size > 10_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENSHOTS / shot.name)


@needs_chromium
@needs_pdftotext
def test_pdf_pages_have_number_date_and_warning(fresh_run):
    _, out = fresh_run
    text = subprocess.run(["pdftotext", "-layout", str(out / "rapport.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 4
    date = rapport.date_da(rapport.report_date(ROOT))
    for i, p in enumerate(pages, start=1):
        assert f"Side {i} af {len(pages)}" in p
        assert date in p
        assert "SYNTETISKE DATA" in p
    assert "Indhold" in pages[0] or "Indhold" in pages[1]


# ---- the wording follows the numbers ------------------------------------------------------------

@pytest.mark.parametrize("lo, hi, words", [
    (-6.04, 1.02, "mellem 6,0\u00a0procentpoint færre og 1,0\u00a0procentpoint flere"),
    (-6.0, -1.0, "mellem 1,0 og 6,0\u00a0procentpoint færre"),
    (0.5, 2.26, "mellem 0,5 og 2,3\u00a0procentpoint flere"),
    (float("-inf"), float("inf"), "uden en endelig grænse"),
])
def test_interval_words(lo, hi, words):
    # the issue's own example: "mellem 6 procentpoint færre og 1 procentpoint flere"
    assert rapport.interval_words(lo, hi) == words


def test_danish_numbers():
    assert rapport.pct(17.4) == "17,4\u00a0%"
    assert rapport.pval(0.0004) == "p\u00a0<\u00a00,001" and rapport.pval(0.043) == "p\u00a0=\u00a00,043"
    assert rapport.num(-0.04) == "0,0" and rapport.num(-4.2) == "−4,2"
    assert rapport.num(12345.67, 1) == "12.345,7"
    assert rapport.date_da("2026-11-23") == "23. november 2026"
    assert re.fullmatch(r"[0-9a-f]{40}( med ikke-committede ændringer)?", rapport.git_commit(ROOT))


def test_half_up_rounding_as_published():
    # 9 of 400 = 2,25 % is published as 2,3 % (half up); float formatting would print 2,2
    assert rapport.pct(100 * 9 / 400) == "2,3\u00a0%"


@pytest.fixture
def shipped():
    from sosu_analysis.students import synthetic_label

    return rapport.load_results(ROOT / "reports", synthetic_label(SHIPPED_STUDENTS))


def _set_main(res, lo, hi, att=None):
    d = res.tables["did"].copy()
    main = (d.estimator == "lpm") & (d.inference == "cr2") & (d.horizon_months == 3)
    d.loc[main, "ci_low_pp"], d.loc[main, "ci_high_pp"] = lo, hi
    if att is not None:
        d.loc[main, "att_pp"] = att
    res.tables["did"] = d


def _set_pretrend(res, p):
    t = res.tables["event_study_pretrend"].copy()
    t.loc[t["method"] == "cr2_slope", "p_value"] = p
    res.tables["event_study_pretrend"] = t


def test_pilot_verdict_follows_the_interval_and_the_pretrend(shipped):
    _set_pretrend(shipped, 0.5)
    _set_main(shipped, -16.0, 8.0, -4.0)
    assert rapport.pilot_light(shipped) == "rød"
    a = rapport.answer_pilot(shipped)
    assert "måske ingen forskel" in a.sentence
    _set_main(shipped, -9.0, -1.0, -5.0)
    assert rapport.pilot_light(shipped) == "grøn"
    assert "for stor til at være tilfældig" in rapport.answer_pilot(shipped).sentence
    # a failed pre-trend test (CR2 slope test) turns green into yellow and is said in words
    _set_pretrend(shipped, 0.01)
    assert rapport.pilot_light(shipped) == "gul"
    assert "ikke ens" in rapport.answer_pilot(shipped).why
    assert "forsigtighed" in rapport.pretrend_words(shipped)
    assert "testen fandt ikke" not in rapport.pretrend_words(shipped).lower()
    # an increase is called an increase
    _set_pretrend(shipped, 0.5)
    _set_main(shipped, 1.0, 9.0, 5.0)
    assert "højere på pilotafdelingerne" in rapport.answer_pilot(shipped).sentence


def test_trend_verdict_for_a_fall(shipped):
    t = shipped.tables["trend_tests"].copy()
    ssa = t.programme == "SSA"
    t.loc[ssa, "ame_pp_per_year"] *= -1
    shipped.tables["trend_tests"] = t
    a = rapport.answer_trend(shipped)
    assert "faldt" in a.sentence and "stigningen" not in a.sentence + a.why


def test_goal_answer_quotes_the_observed_rate(shipped):
    a = rapport.answer_goal(shipped)
    # SSA 2024: 17,4 % observed is 5,4 pp over the 12 % goal (seed 003, Table 1); SSH 10,9 % (interval spans 12 %)
    assert "SSA lå i 2024 5,4\u00a0procentpoint over målet på 12\u00a0%" in a.sentence
    assert "17,4\u00a0%" in a.why and "SSH (10,9\u00a0%) ligger omkring målet" in a.why
    # the light shows the distance to the goal: clearly above it is red, not green ("good")
    assert a.light == "rød" and a.verdict == "Over målet"


def test_goal_line_only_where_the_goal_applies(shipped):
    # seed 000 states the goal for SSA and SSH only: PAU never gets it
    assert rapport.goal_programmes(shipped) == ["SSA", "SSH"]


def test_figures_use_decimal_commas(shipped):
    import matplotlib

    matplotlib.use("Agg")
    fig = rapport_figures.pilot_estimates_figure(shipped["did"], [3, 6, 12])
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels and not any("." in s for s in labels)
    assert any(s.startswith("−") for s in labels)  # a real minus sign
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_pretrend_words_do_not_claim_parallel_trends(shipped):
    # a low-power test that does not reject says only that it found nothing, and why that is weak
    _set_pretrend(shipped, 0.5)
    text = rapport.pretrend_words(shipped)
    assert "ingen tegn på" not in text
    assert "Testen fandt ikke en forskellig udvikling" in text and "kun opdage store forskelle" in text
    n = int(rapport.did_row(shipped, "incl_switch")["n_campuses"])
    assert f"med kun {rapport.number_word(n)} afdelinger" in text  # from the results, not typed


# ---- when will we know: one method for the detectable effect and the power ----------------------

def test_detectable_effect_closed_form():
    # Bloom (1995), Evaluation Review 19(5), eq. 1: MDE = (z_{1-a/2} + z_{power}) * SE; with many df the t
    # quantiles are the normal ones: z_0.975 = 1.959964, z_0.80 = 0.841621 (any normal table), so 2.801585 * SE
    assert mde_from_se(2.0, 1e7, 0.05, 0.8) == pytest.approx(2.801585 * 2.0, rel=1e-5)
    # with few df: t_{0.975, 2} = 4.302653, t_{0.80, 2} = 1.060660 (t table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
    assert mde_from_se(3.0, 2, 0.05, 0.8) == pytest.approx((4.302653 + 1.060660) * 3.0, rel=1e-5)
    # power is the noncentral t (issue 18's one rule); at Bloom's MDE it is close to the power asked for:
    # 0.775 at 2.4 df (the t approximation), 0.800 with many df
    assert power_from_se(mde_from_se(3.0, 2.4, 0.05), 3.0, 2.4, 0.05) == pytest.approx(0.775, abs=0.005)
    assert power_from_se(mde_from_se(3.0, 1e6, 0.05), 3.0, 1e6, 0.05) == pytest.approx(0.8, abs=0.001)
    # no effect: the test rejects in alpha of the cases
    assert power_from_se(0.0, 3.0, 2.4, 0.05) == pytest.approx(0.05, rel=1e-9)


def _milestones(horizons=(3, 6, 12)):
    observed = ["2025-04", "2025-06", "2025-08", "2025-10"]
    planned = [f"{y}-{m:02d}" for y in (2026, 2027, 2028) for m in (4, 6, 8, 10)]
    rows = []
    for intake in observed + planned:
        y, m = int(intake[:4]), int(intake[5:])
        for h in horizons:
            k = 12 * y + m - 1 + h
            rows.append({"intake": intake, "observed": intake in observed, "horizon": h,
                         "known_from": f"{k // 12:04d}-{k % 12 + 1:02d}"})
    return pd.DataFrame(rows)


def _design_timeline(shipped, end_mde: float):
    """A design timeline whose 3-month MDE falls linearly from the shipped design value to ``end_mde``."""
    from sosu_analysis.did.timeline import month_label

    dates = [month_label(k) for k in range(12 * 2025 + 3, 12 * 2028 + 12)]
    rows = []
    for i, d in enumerate(dates):
        for h in (3, 6, 12):
            n_post = 4 if "2026-01" <= d < "2026-04" else (0 if d < "2025-07" else 4 + i // 6)
            se = 2.4 - (2.4 - end_mde / 4.66) * i / (len(dates) - 1)
            rows.append({"date": d, "horizon": h, "n_pre": 12, "n_post": n_post, "se_pp": se if n_post else None,
                         "mde_pp": 4.66 * se if n_post else None, "df_cr2": 2.43})
    return pd.DataFrame(rows)


def test_realised_timeline_uses_the_verdicts_standard_error(shipped):
    ms = _milestones()
    design = _design_timeline(shipped, 7.0)
    real = rapport.realised_timeline(shipped, design, ms)
    for h in (3, 6, 12):
        did = rapport.did_row(shipped, "incl_switch", h)
        # the design of the observed intakes (4 pilot intakes, all pre intakes) gets the realised CR2 SE of did.csv
        row = real[(real.horizon == h) & (real.n_post == 4)].iloc[0]
        assert row["se_pp"] == pytest.approx(did["se_pp"], rel=1e-9)
        # and the closed form MDE with the df used (the design's Satterthwaite df, as did.csv's up to rounding)
        assert row["mde_pp"] == pytest.approx(mde_from_se(did["se_pp"], row["df_cr2"], 0.05), rel=1e-9)
        assert row["df_cr2"] == pytest.approx(did["df"], rel=0.01)
        assert row["mde_best_pp"] == design.loc[row.name, "mde_pp"]  # the best case is kept beside it
    # the realised SE is larger than the ICC = 0 design here: the realistic MDE is too
    assert (real["mde_pp"] >= real["mde_best_pp"] - 1e-9).where(real["mde_pp"].notna(), True).all()


def _timing(shipped, reachable: bool):
    ms = _milestones()
    design = _design_timeline(shipped, 2.0 if reachable else 12.0)
    real = rapport.realised_timeline(shipped, design, ms)
    return rapport.timing(shipped, real, ms)


def test_unreachable_effect_is_not_promised_for_the_end_of_the_window(shipped):
    when = _timing(shipped, reachable=False)
    assert not any(when.first_month.values())
    assert "kan ikke påvises, heller ikke med de planlagte optag til og med december 2028" in when.sentence
    assert "før december" not in when.sentence
    text = rapport.timeline_text(shipped, when)
    assert "status efter 3, 6 eller 12 måneder" in text and "ikke påvises før" not in text
    assert "ikke før" not in rapport.alt_timeline(shipped, when)
    # the recommendations offer what can be done: no campus table has more SSA campuses here
    recs = " ".join(r.what for r in rapport.recommendations(shipped, when, ["A", "B", "C", "D"], ["E", "F"],
                                                            "2026-12-04"))
    assert "flere afdelinger skal" not in recs and "6- og 12-måneders status" in recs and "trinvis på E og F" in recs
    # the power and the detectable effect now are from the same method
    assert when.power_now < 0.8 and when.mde_now_pp > when.target_pp


@pytest.mark.parametrize("reachable", [True, False])
@pytest.mark.parametrize("pretrend_p", [0.5, 0.01])
@pytest.mark.parametrize("interval", [(-16.0, 8.0, -4.0), (-9.0, -1.0, -5.0), (1.0, 9.0, 5.0)])
@pytest.mark.parametrize("synthetic", [True, False])
def test_front_page_fits_250_words_in_every_case(shipped, reachable, pretrend_p, interval, synthetic):
    _set_pretrend(shipped, pretrend_p)
    _set_main(shipped, *interval)
    if not synthetic:
        shipped.synthetic = None
    when = _timing(shipped, reachable)
    page = rapport.front_page(shipped, when, ["Brøndby", "Herlev", "Munkeengen", "Skelbækgade"],
                              ["Frederikssund", "Gladsaxe"], "2026-12-04")
    # words() counts the rendered HTML as a reader sees it; check it against an independent count here
    shown = visible_text(rapport.front_page_html(page))
    assert page.words() == len(shown.split())
    assert page.words() <= 250, (page.words(), shown)
    assert 3 <= len(page.recommendations) <= 5
    # every recommendation has a concrete month, after the report's date
    for r in page.recommendations:
        found = re.findall(r"(januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|"
                           r"december) (\d{4})", r.when)
        assert found and int(found[0][1]) >= 2026, r.when


def test_goals_context_says_the_strategy_level_is_not_the_ministrys_measure():
    from sosu_analysis.readers import goals

    table = goals.read_goals(ROOT / "data/raw/national_goals_danske_sosu_skoler.csv")
    text = rapport.goals_context_text(table)
    # seed 000: "18 % → 12 %", one number for SOSU-assistent and SOSU-hjælper, measure not stated
    assert "fra 18\u00a0% til 12\u00a0%" in text
    assert "Strategiens 18\u00a0% er ét tal for social- og sundhedsassistent og -hjælper tilsammen" in text
    assert "pr. uddannelse" in text
