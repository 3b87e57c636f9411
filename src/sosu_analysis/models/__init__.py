"""Logistic, multinomial and trend models of dropout, with and without programme switching (issue 3).

The public namespace is :mod:`sosu_analysis.models.api` (``run_all``,
``summary_sentences``, ``plot_trends`` and the building blocks). Files, one
job each:

- ``data.py``: the cell table the models take, checked; outcome definitions;
- ``design.py``: treatment-coded design matrices with readable names;
- ``glm.py``: binomial logit on cell counts, coefficient table, LR tests;
- ``quasi.py``: Pearson dispersion and quasi-binomial covariance;
- ``margins.py``: predicted probabilities and average marginal effects (delta method);
- ``multinomial.py``: in progress / switched / left;
- ``trend.py``: logistic trend, Cochran–Armitage, segmented trend, distance to the goal, sentences;
- ``tables.py``: the SOSU models and the output tables;
- ``plots.py``: observed rates with fitted trends.
"""
