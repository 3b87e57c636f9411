"""Logistic, multinomial and trend models of dropout, with and without programme switching (issue 3).

The public namespace is :mod:`sosu_analysis.models.api` (``run_all`` and the
building blocks); their prose, figure and table files are in :mod:`sosu_analysis.reporting.models`.
Files, one job each:

- ``data.py``: the cell table the models take, checked; outcome definitions;
- ``design.py``: treatment-coded design matrices with readable names;
- ``glm.py``: binomial logit on cell counts, coefficient table, LR tests;
- ``quasi.py``: Pearson dispersion and quasi-binomial covariance;
- ``margins.py``: predicted probabilities and average marginal effects (delta method);
- ``multinomial.py``: in progress / switched / left;
- ``trend.py``: logistic trend, Cochran–Armitage, segmented trend, fitted trend curves, distance to the goal,
  sentences;
- ``tables.py``: the SOSU models and the output tables;
- ``reporting/models/summary.py``, ``plots.py``, ``results.py``: the prose of the results, the trend
  figure, and the tables written through their contracts.

Chapter 02 fits once and writes every table (``reporting.models.results.save_results``); later
chapters read them back (``load_results``) through :mod:`sosu_analysis.reporting.contracts`.
"""
