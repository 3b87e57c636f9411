"""clubSandwich reference values of the HTZ Wald test on the small panel.

Computed once with R 4.2.2 and clubSandwich 0.5.8 (Debian bookworm packages
r-base-core 4.2.2.20221110-2 and r-cran-clubsandwich 0.5.8-1) by the script
``did_htz_small_panel.R`` beside this file, on the student-level rows of
``did_small_panel.CELLS`` with three treatment columns: ``lead1`` and ``lead2``
(pilot campus at intake 1 and 2) and ``post`` (pilot campus from its start)::

    fit <- lm(y ~ lead1 + lead2 + post + campus + intake, data = d)
    Wald_test(fit, constraints = constrain_zero(c("lead1", "lead2")), vcov = "CR2",
              cluster = d$campus, test = c("HTZ", "Naive-F"))

printed with ``digits = 15``. ``df_denom`` of HTZ is ``eta - q + 1``.
"""

# constrain_zero(c("lead1", "lead2"))
LEADS_HTZ_F = 1.21600252341396
LEADS_HTZ_DF_DENOM = 2.74632529280463
LEADS_HTZ_P = 0.418580638136386
LEADS_NAIVE_F = 1.65877691965897  # CR2, F(2, G - 1 = 5)
LEADS_NAIVE_P = 0.280179243944632

# constrain_zero(c("lead1", "lead2", "post"))
ALL_HTZ_F = 1.75285067987161
ALL_HTZ_DF_DENOM = 1.79811480418785
ALL_HTZ_P = 0.3992918561628902
ALL_NAIVE_F = 3.70250447927217
ALL_NAIVE_P = 0.0963981487925417

# constrain_zero("post"): HTZ with q = 1 is the Satterthwaite t-test squared
POST_HTZ_F = 0.856138035697519
POST_HTZ_DF_DENOM = 3.22180096933587
POST_HTZ_P = 0.418774422360171
