"""The one rule for uncertainty: which interval, which words, and how a synthetic result is worded.

Every verdict of the lead's report is an :class:`Evidence` made here, and every sentence that
states a verdict takes its words from :meth:`Evidence.says`. The rule is written out in
``docs/decisions.md`` ("Issue 19: one rule for uncertainty"); in short:

1. **Which interval.** A Wald interval (t with the dispersion's degrees of freedom where a dispersion
   is estimated), widened by the square root of the overdispersion ``phi`` wherever the data show it
   (``phi > 1``):

   - SOSU H's numbers over the years (trend, goal, the school against the others' development): ``phi``
     of SOSU H's own yearly rates, pooled over its programmes (``trend_tests.dispersion``; one
     programme's three years leave one degree of freedom and cannot show it);
   - SOSU H's level against the other schools in one year: the funnel's between-school ``phi``
     (Spiegelhalter 2005, multiplicative: ``z / sqrt(phi)``);
   - the campus comparison: CR2 with Satterthwaite df (students within a campus are not independent);
     the randomization test's smallest possible p is a property of the design and is stated.
2. **Which words** (:data:`SCALE`), from the p-value of that interval's test and the run's ``alpha``:
   ``p < alpha/5`` "klart", ``p < alpha`` "sandsynligvis", ``p < 2 alpha`` "tyder på", otherwise "kan
   ikke afgøres". Nothing is "sikkert".
3. **Synthetic data.** A result from synthetic data gets the same scale, prefixed "I de syntetiske
   data" and never named as a finding about SOSU H.
4. **What the design cannot deliver** is not promised: when the design's smallest possible p is above
   ``alpha``, the text says so instead of "endnu".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from markupsafe import Markup
from scipy import stats

from ...danish import number, p_value

Strength = Literal["klart", "sandsynligvis", "tyder", "uafklaret"]
Source = Literal["offentlig", "syntetisk", "elevdata"]

#: the fixed scale of Danish phrases, strongest first (the word list explains it in one line)
SCALE: dict[Strength, str] = {"klart": "klart", "sandsynligvis": "sandsynligvis", "tyder": "tyder på",
                              "uafklaret": "kan ikke afgøres"}
#: the thresholds of the scale as multiples of alpha
THRESHOLDS: dict[Strength, float] = {"klart": 0.2, "sandsynligvis": 1.0, "tyder": 2.0}
#: what a source class is called on screen
SOURCE_DA: dict[Source, str] = {"offentlig": "Offentlige tal", "syntetisk": "Syntetiske data",
                                "elevdata": "Skolens elevdata"}


def strength(p: float, alpha: float) -> Strength:
    """Return the strength of evidence of a p-value on the fixed scale (see module docstring)."""
    if not math.isfinite(p):
        return "uafklaret"
    for name, k in THRESHOLDS.items():
        if p < k * alpha:
            return name
    return "uafklaret"


@dataclass(frozen=True)
class Evidence:
    """One verdict: the quantity it is about, the estimate, its interval, the p-value and the words.

    ``quantity`` names what the verdict is about (``"tendens:SSA"``); two sentences about the same
    quantity must carry the same :class:`Evidence` (checked by :mod:`.consistency`). ``basis`` says,
    for the appendix, which interval was used; ``floor`` is the smallest p the design can give
    (NaN: no floor).
    """

    quantity: str
    estimate: float
    low: float
    high: float
    p: float
    strength: Strength
    source: Source
    basis: str
    floor: float = float("nan")

    @property
    def synthetic(self) -> bool:
        """The verdict rests on synthetic data."""
        return self.source == "syntetisk"

    @property
    def decided(self) -> bool:
        """The evidence reaches at least "tyder på"."""
        return self.strength != "uafklaret"

    @property
    def phrase(self) -> str:
        """The scale's phrase for this verdict."""
        return SCALE[self.strength]

    def says(self, clause: str, question: str = "") -> Markup:
        """Return the verdict sentence for ``clause`` ("frafaldet på SSA steg"), marked with its quantity.

        ``question`` is the clause for an undecided result ("om frafaldet på SSA steg"); by default
        "om " + ``clause``.
        """
        q = question or "om " + clause
        if self.synthetic:  # "I de syntetiske data" first: Danish puts the verb second
            words = {"klart": f"I de syntetiske data er det klart, at {clause}",
                     "sandsynligvis": f"I de syntetiske data er det sandsynligt, at {clause}",
                     "tyder": f"I de syntetiske data tyder tallene på, at {clause}",
                     "uafklaret": f"I de syntetiske data kan det ikke afgøres, {q}"}[self.strength]
        else:
            words = {"klart": f"Det er klart, at {clause}", "sandsynligvis": f"Det er sandsynligt, at {clause}",
                     "tyder": f"Tallene tyder på, at {clause}",
                     "uafklaret": f"Det kan ikke afgøres, {q}"}[self.strength]
        return mark(self, words + f" ({p_value(self.p)})")


def mark(ev: Evidence, text: str) -> Markup:
    """Wrap ``text`` in a span that names the verdict's quantity, strength and source (read by the check)."""
    span = "<span class='vurdering kilde-{src}' data-maengde='{q}' data-styrke='{s}' data-p='{p}'>{t}</span>"
    return Markup(span).format(
        src=ev.source, q=ev.quantity, s=ev.strength, p=number(ev.p, 3) if math.isfinite(ev.p) else "–", t=text)


def mark_value(quantity: str, text: str, source: Source) -> Markup:
    """Wrap a number that is quoted in several places (the detectable effect, the power) with its quantity."""
    return Markup("<span class='tal kilde-{src}' data-maengde='{q}' data-vaerdi='{t}'>{t}</span>").format(
        src=source, q=quantity, t=text)


def _t_p(t: float, df: float | None) -> float:
    return float(2 * (stats.t.sf(abs(t), df) if df else stats.norm.sf(abs(t))))


def _crit(alpha: float, df: float | None) -> float:
    return float(stats.t.ppf(1 - alpha / 2, df) if df else stats.norm.ppf(1 - alpha / 2))


def trend_evidence(row: pd.Series, alpha: float, quantity: str, source: Source = "offentlig") -> Evidence:
    """Return the trend of a programme (``trend_tests.csv`` row): change in pp per year, widened by SOSU H's ``phi``."""
    phi, df = float(row["dispersion"]), float(row["df_dispersion"])
    est = float(row["ame_pp_per_year"])
    half_bin = (float(row["ame_ci_high"]) - float(row["ame_ci_low"])) / 2
    if phi > 1:
        half = half_bin * math.sqrt(phi) * _crit(alpha, df) / _crit(alpha, None)
        p = float(row["p_value_quasi"])
        basis = (f"binomial × √φ, φ = {number(phi, 2)} (SOSU H's uddannelser samlet), t med {number(df, 0)} "
                 "frihedsgrader")
    else:
        half, p, basis = half_bin, float(row["p_value"]), "binomial (ingen overspredning)"
    return Evidence(quantity, est, est - half, est + half, p, strength(p, alpha), source, basis)


def goal_evidence(row: pd.Series, alpha: float, quantity: str, source: Source = "offentlig") -> Evidence:
    """Return the distance of the trend's last-year rate to the goal (``goal_distance.csv``), widened by ``phi``."""
    phi, df = float(row["dispersion"]), float(row["df_dispersion"])
    est = float(row["distance_pp"])
    if phi > 1:
        lo, hi, dfu = float(row["distance_ci_low_quasi"]), float(row["distance_ci_high_quasi"]), df
        basis = f"trendens forudsigelse, binomial × √φ, φ = {number(phi, 2)}, t med {number(df, 0)} frihedsgrader"
    else:
        lo, hi, dfu = float(row["distance_ci_low"]), float(row["distance_ci_high"]), None
        basis = "trendens forudsigelse, binomial"
    se = (hi - lo) / (2 * _crit(alpha, dfu))
    p = _t_p(est / se, dfu) if se > 0 else float("nan")
    return Evidence(quantity, est, lo, hi, p, strength(p, alpha), source, basis)


def national_trend_evidence(nat: pd.Series, own: pd.Series, alpha: float, quantity: str,
                            source: Source) -> Evidence:
    """SOSU H's yearly change against the other schools' (log-odds per year), SOSU H's part widened by its ``phi``.

    ``nat`` is the row of ``national_trend.csv``, ``own`` SOSU H's row of ``trend_tests.csv`` (the same
    slope: SOSU H's own fit). Var = Var(national difference) + (phi - 1) Var(SOSU H's slope).
    """
    phi, df = float(own["dispersion"]), float(own["df_dispersion"])
    se_bin, se_own = float(nat["se"]), float(own["std_error"])
    est = float(nat["slope_diff"])
    if phi > 1:
        se = math.sqrt(se_bin ** 2 + (phi - 1) * se_own ** 2)
        dfu: float | None = df
        basis = f"SOSU H's del × √φ, φ = {number(phi, 2)}, t med {number(df, 0)} frihedsgrader"
    else:
        se, dfu, basis = se_bin, None, "binomial"
    p = _t_p(est / se, dfu)
    c = _crit(alpha, dfu)
    return Evidence(quantity, est, est - c * se, est + c * se, p, strength(p, alpha), source, basis)


def funnel_evidence(row: pd.Series, alpha: float, quantity: str, source: Source) -> Evidence:
    """SOSU H's level against all schools in one year (``national_funnel.csv``): z adjusted by the funnel's ``phi``.

    Spiegelhalter (2005), "Funnel plots for comparing institutional performance", section 4.2:
    with overdispersion ``phi`` the z-score is ``z / sqrt(phi)``.
    """
    phi, z = float(row["phi"]), float(row["z"])
    z_adj = z / math.sqrt(phi) if phi > 1 else z
    p = _t_p(z_adj, None)
    est = float(row["school_pct"]) - float(row["national_pct"])
    se = abs(est / z_adj) if z_adj else float("nan")
    c = _crit(alpha, None)
    basis = (f"tragtdiagrammets z / √φ, φ = {number(phi, 2)} (Spiegelhalter)" if phi > 1 else "tragtdiagrammets z")
    return Evidence(quantity, est, est - c * se, est + c * se, p, strength(p, alpha), source, basis)


def did_evidence(row: pd.Series, alpha: float, quantity: str, source: Source, floor: float) -> Evidence:
    """Return the campus comparison's estimate (``did.csv`` row, CR2) with the design's smallest possible p."""
    p = float(row["p_value"])
    return Evidence(quantity, float(row["att_pp"]), float(row["ci_low_pp"]), float(row["ci_high_pp"]), p,
                    strength(p, alpha), source, "CR2 med Satterthwaites frihedsgrader", floor)


def flags(p: float, alpha: float) -> bool:
    """Return a check (pre-trend, overdispersion) flags when its p-value is below ``alpha``."""
    return bool(math.isfinite(p) and p < alpha)
