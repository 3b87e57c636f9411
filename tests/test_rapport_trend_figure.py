"""Figure 1 of the lead's report draws the quasi-binomial trend band the text's verdict uses."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection

from sosu_analysis.models.trend import programme_years, trend_curves
from sosu_analysis.paths import project_root
from sosu_analysis.readers.published import clean_published
from sosu_analysis.reporting import rapport_figures as figs

ROOT = project_root()


def test_trend_figure_band_is_the_quasi_band():
    from sosu_analysis.models.api import check_table

    table1 = clean_published(ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv")
    cells = check_table(table1)
    curves = trend_curves(cells, n_points=9)
    rates = pd.concat([programme_years(cells, p, d).assign(programme=p, outcome_definition=d,
                                                            pct=lambda x: 100 * x["events"] / x["trials"])
                       for p in ("SSA", "SSH", "PAU") for d in ("incl_switch", "excl_switch")])
    fig = figs.trend_figure(rates, 12.0, 18.0, "95 %", curves=curves)
    top = fig.axes[0]
    bands = [c for c in top.collections if isinstance(c, PolyCollection)]
    assert len(bands) == curves.loc[curves["outcome_definition"] == "incl_switch", "programme"].nunique()
    ssa = curves[(curves["outcome_definition"] == "incl_switch") & (curves["programme"] == "SSA")]
    ys = np.concatenate([b.get_paths()[0].vertices[:, 1] for b in bands])
    # the band's edges are the table's quasi columns (not the narrower binomial ci_low / ci_high)
    assert np.isclose(ys, ssa["band_high_quasi"].max()).any() and np.isclose(ys, ssa["band_low_quasi"].min()).any()
    assert not np.isclose(ys, ssa["ci_high"].max()).any()
