"""Wild cluster bootstrap and randomization inference against brute force written differently."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import statsmodels.api as sm
from did_helpers import small_panel_frame

from sosu_analysis.did.bootstrap import bootstrap_t, weight_matrix, wild_cluster_bootstrap
from sosu_analysis.did.data import student_rows, to_cells, treatment_for
from sosu_analysis.did.estimate import InferenceOptions, estimate_did
from sosu_analysis.did.model import cell_design as build_design
from sosu_analysis.did.model import fit_ols
from sosu_analysis.did.randomization import distinct_permutations, n_distinct_permutations


def _pieces(design, ysum, j):
    return bootstrap_t(fit_ols(design, ysum), j)


def _pvalue(pieces, V, beta0):
    return pieces.p_value(V, beta0)


def _wild(design, ysum, **kw):
    return wild_cluster_bootstrap(fit_ols(design, ysum), **kw)

WEBB = [-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)]


def _setup(drop=()):
    cells = to_cells(small_panel_frame(drop))
    tab = cells.table
    design = build_design(tab, tab["treated"].to_numpy(float), "did")
    ysum = cells.outcome_sum("incl_switch")
    st = student_rows(tab, ysum)
    rows = st["cell"].to_numpy()
    return cells, design, ysum, design.X[rows], st["y"].to_numpy(), design.cluster[rows]


def _t_crv1_statsmodels(X, y, g):
    res = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    return res.params[0], res.bse[0]


def _brute_force_wild(X, y, g, beta0, values):
    """Student-level WCR with every sign pattern: restricted fit by lstsq, every bootstrap
    refit by statsmodels with cluster SEs (a different code path from the package)."""
    Z = X[:, 1:]
    yr = y - beta0 * X[:, 0]
    gam, *_ = np.linalg.lstsq(Z, yr, rcond=None)
    u = yr - Z @ gam
    yfit = y - u
    b, se = _t_crv1_statsmodels(X, y, g)
    t_obs = (b - beta0) / se
    hits = total = 0
    for v in itertools.product(values, repeat=g.max() + 1):
        bs, ses = _t_crv1_statsmodels(X, yfit + u * np.asarray(v)[g], g)
        hits += abs((bs - beta0) / ses) >= abs(t_obs) - 1e-9
        total += 1
    return hits / total, total


def test_wild_webb_enumeration_equals_brute_force():
    """G = 5: all 6^5 = 7776 Webb patterns; the package's p must equal the brute-force count exactly."""
    _, design, ysum, X, y, g = _setup(drop=("F",))
    res = _wild(design, ysum, weights="webb", beta0=0.05, ci=False)
    p_bf, total = _brute_force_wild(X, y, g, 0.05, WEBB)
    assert res.extra["enumerated"] and res.extra["n_draws"] == total == 6**5
    assert res.p_value == pytest.approx(p_bf, abs=1e-12)
    # the 6 constant patterns v = c*1 always tie with the observed |t|
    assert res.extra["min_p"] == pytest.approx(6 / 7776)


def test_wild_rademacher_enumeration_equals_brute_force():
    _, design, ysum, X, y, g = _setup()
    for beta0 in (0.0, -0.1, 0.3):
        res = _wild(design, ysum, weights="rademacher", beta0=beta0, ci=False)
        p_bf, total = _brute_force_wild(X, y, g, beta0, [-1.0, 1.0])
        assert res.extra["n_draws"] == total == 2**6
        assert res.p_value == pytest.approx(p_bf, abs=1e-12)


def test_wild_ci_is_test_inversion():
    """At the interval ends the bootstrap p-value crosses alpha."""
    _, design, ysum, *_ = _setup()
    res = _wild(design, ysum, weights="webb", alpha=0.10)
    pieces = _pieces(design, ysum, 0)
    V, _ = weight_matrix(design.G, "webb", 100_000, 0, np.random.default_rng(0))
    eps = 1e-4 * pieces.se
    for end, inward in ((res.ci_low, +1), (res.ci_high, -1)):
        assert _pvalue(pieces, V, end + inward * eps) >= 0.10
        assert _pvalue(pieces, V, end - inward * eps) < 0.10
    assert res.ci_low < res.estimate < res.ci_high


def test_wild_random_draws_seeded_when_too_many_patterns():
    _, design, ysum, *_ = _setup()
    a = _wild(design, ysum, max_enumerate=1000, B=499, seed=11, ci=False)
    b = _wild(design, ysum, max_enumerate=1000, B=499, seed=11, ci=False)
    assert not a.extra["enumerated"] and a.extra["n_draws"] == 499
    assert a.p_value == b.p_value


def _brute_force_randomization(cells_df, starts_by_campus):
    """Every assignment of the start dates to campuses; each refit by statsmodels on student rows."""
    from did_helpers import expand_students

    stud = expand_students(cells_df)
    campuses = sorted(stud["campus"].unique())
    obs = [starts_by_campus.get(c, np.inf) for c in campuses]
    camp_d = np.array([[float(c == k) for k in campuses] for c in stud["campus"]])
    intake_levels = sorted(stud["intake"].unique())[:-1]
    int_d = np.array([[float(t == k) for k in intake_levels] for t in stud["intake"]])
    g = np.array([campuses.index(c) for c in stud["campus"]])
    y = stud["dropout_total"].to_numpy(float)

    def t_for(assign):
        s = dict(zip(campuses, assign))
        d = np.array([float(t >= s[c]) for c, t in zip(stud["campus"], stud["intake"])])
        if not d.any():
            return np.nan
        b, se = _t_crv1_statsmodels(np.column_stack([d, camp_d, int_d]), y, g)
        return b / se

    t_obs = t_for(obs)
    perms = set(itertools.permutations(obs))
    ts = np.array([t_for(p) for p in perms])
    ts = ts[np.isfinite(ts)]
    return np.mean(np.abs(ts) >= abs(t_obs) - 1e-9), len(ts)


def test_randomization_equals_brute_force_staggered():
    """Starts {A: 3, B: 3, C: 4} over 6 campuses: 6!/(2! 1! 3!) = 60 assignments."""
    df = small_panel_frame()
    res = estimate_did(df, "incl_switch", "lpm", ("randomization",), InferenceOptions(ci=False))
    p_bf, n = _brute_force_randomization(df, {"A": 3, "B": 3, "C": 4})
    t = res.tests["randomization"]
    assert t.extra["n_assignments"] == n == 60
    assert t.extra["min_p"] == pytest.approx(1 / 60)
    assert t.p_value == pytest.approx(p_bf, abs=1e-12)


def test_randomization_coef_statistic_and_ci():
    """Common start (C starts with A, B): binom(6, 3) = 20 assignments; p of the coefficient statistic by
    hand. With 3 of 6 campuses pilot the complement assignment has D = post - D_obs, so |T| ties with
    the observed for any data and the smallest attainable p is 2/20, not 1/20. The interval ends are
    where p crosses alpha."""
    df = small_panel_frame()
    df["pilot_post"] = ((df["campus"].isin(["A", "B", "C"])) & (df["intake"] >= 3)).astype(int)
    alpha = 0.25
    opts = InferenceOptions(ri_statistic="coef", alpha=alpha)
    res = estimate_did(df, "incl_switch", "lpm", ("randomization",), opts)
    t = res.tests["randomization"]
    assert t.extra["n_assignments"] == 20
    assert t.extra["min_p"] == pytest.approx(2 / 20) and t.extra["n_mirror"] == 2
    cells = to_cells(df)
    tab = cells.table
    base = build_design(tab, tab["treated"].to_numpy(float), "did")
    ysum = cells.outcome_sum("incl_switch")
    camps = cells.campuses
    coefs = []
    for pil in itertools.combinations(range(6), 3):
        s = np.array([3.0 if i in pil else np.inf for i in range(6)])
        X = base.with_treatment(treatment_for(tab, camps, s)).X
        w = base.n
        b = np.linalg.solve(X.T @ (X * w[:, None]), X.T @ ysum)[0]
        coefs.append(b)
    coefs = np.array(coefs)
    p = np.mean(np.abs(coefs) >= abs(res.estimate) - 1e-12)
    assert t.p_value == pytest.approx(p, abs=1e-12)
    assert np.isfinite(t.ci_low) and np.isfinite(t.ci_high)
    assert t.ci_low < res.estimate < t.ci_high
    d_obs_sum = base.n * tab["treated"].to_numpy(float)
    designs = [
        base.with_treatment(treatment_for(tab, camps, np.array([3.0 if i in pil else np.inf for i in range(6)]))).X
        for pil in itertools.combinations(range(6), 3)
    ]

    def coef(X, target):
        return np.linalg.solve(X.T @ (X * base.n[:, None]), X.T @ target)[0]

    def p_at(tau):  # sharp null y(0) = y - tau * D_obs, statistic = FE coefficient
        target = ysum - tau * d_obs_sum
        obs = abs(coef(base.X, target))
        return np.mean([abs(coef(X, target)) >= obs - 1e-12 for X in designs])

    eps = 1e-5
    assert p_at(t.ci_low + eps) >= alpha > p_at(t.ci_low - eps)
    assert p_at(t.ci_high - eps) >= alpha > p_at(t.ci_high + eps)


def test_randomization_too_few_assignments_gives_whole_line():
    """5 campuses, 2 pilots: 10 assignments, min p = 0.1 > 0.05, so no effect can be rejected."""
    df = small_panel_frame(drop=("C",))
    df = df[df["campus"] != "C"]
    res = estimate_did(df, "incl_switch", "lpm", ("randomization",), InferenceOptions())
    t = res.tests["randomization"]
    assert t.extra["n_assignments"] == 10 and t.extra["min_p"] == pytest.approx(0.1)
    assert t.ci_low == -np.inf and t.ci_high == np.inf


def test_distinct_permutations_count():
    vals = np.array([1.0, 1.0, 2.0, np.inf, np.inf, np.inf])
    perms = distinct_permutations(vals)
    assert len(perms) == len(set(perms)) == n_distinct_permutations(vals) == 60
