"""Reference values for the SOSU cell table (seed 003, Table 1), computed with R.

Source: R 4.2.2 (stats only), script ``tests/results/sosu_table1_r.R`` in this
folder (``Rscript tests/results/sosu_table1_r.R``); its printed output is
pasted below unchanged apart from Python syntax. Calls:

- ``glm(cbind(y, n - y) ~ programme + factor(year), family = binomial)`` (SSA and
  2022 reference levels), ``~ programme * factor(year)``, and the same with
  ``family = quasibinomial`` (``summary(.)$dispersion``);
- ``anova(reduced, full, test = "Chisq")`` -> ``[deviance, df, p]``;
  ``anova(quasi_year, quasi_additive, test = "F")`` -> ``[F, p]``;
- ``predict(m_add, type = "response", se.fit = TRUE)`` -> ``*_pred``, ``*_pred_se``
  (cells in the order PAU, SSA, SSH x 2022-2024);
- per programme: ``glm(cbind(y, n - y) ~ I(year - 2022), binomial)`` slope and SE,
  ``prop.trend.test(y, n, year)`` chi2 and p, the quasibinomial dispersion, and
  ``predict(., data.frame(year = 2024), type = "response", se.fit = TRUE)``:
  ``<definition>_trend_<programme> = [slope, SE, CA chi2, CA p, quasi dispersion,
  predicted 2024, its SE]``;
- multinomial (in progress / switched / left, SSA and SSH, n_other excluded) via
  the equivalent Poisson log-linear model
  ``glm(n ~ factor(cell) + cat * (programme + factor(year)), poisson)``:
  the ``cat:`` coefficients are the multinomial logit coefficients
  (order: switched: Intercept, SSH, 2023, 2024; left: the same), and fitted
  counts / cell totals are the predicted shares (cells SSA 2022-2024, SSH 2022-2024).

y is ``n_dropout_total`` for ``incl_switch`` and ``n_dropout_noswitch`` for
``excl_switch``; n is ``n_cohort``.
"""

ADDITIVE_TERMS = ["Intercept", "programme[PAU]", "programme[SSH]", "year[2023]", "year[2024]"]
#: R's order of the interaction coefficients, in this package's names
INTERACTION_TERMS = ["Intercept", "programme[PAU]", "programme[SSH]", "year[2023]", "year[2024]",
                     "programme[PAU]:year[2023]", "programme[SSH]:year[2023]",
                     "programme[PAU]:year[2024]", "programme[SSH]:year[2024]"]

# R version 4.2.2 Patched (2022-11-10 r83330)
# ---- incl_switch
# names: (Intercept) programmePAU programmeSSH fyear2023 fyear2024
incl_switch_additive_coef = [-1.81486867457, -1.45334783172, -0.392930056562, 0.239901350101, 0.18789177218]
incl_switch_additive_se = [0.0747188155756, 0.205316608053, 0.0748441659497, 0.0900288021859, 0.0905991597282]
incl_switch_additive_deviance = [10.8968955876]
incl_switch_additive_quasi_dispersion = [2.72934992479]
incl_switch_additive_quasi_se = [0.123441044709, 0.339198318375, 0.123648132857, 0.148734282124, 0.149676555236]
# interaction names: (Intercept) programmePAU programmeSSH fyear2023 fyear2024 programmePAU:fyear2023 programmeSSH:fyear2023 programmePAU:fyear2024 programmeSSH:fyear2024
incl_switch_interaction_coef = [-1.78524478821, -1.75571453583, -0.452099782919, 0.122308806481, 0.228240031221, 0.887934331737, 0.253922152249, -0.50499303314, -0.096770258843]
incl_switch_interaction_se = [0.0870794528706, 0.423178940464, 0.148812701847, 0.113759863668, 0.113244179543, 0.501910366002, 0.192088519971, 0.663186500314, 0.193396383807]
incl_switch_lr_programme = [88.2140639718, 2, 6.99132345637e-20]
incl_switch_lr_year = [7.64503936436, 2, 0.0218726193542]
incl_switch_lr_interaction = [10.8968955876, 4, 0.0277475329881]
incl_switch_quasi_F_programme = [16.1602701014, 0.0121287315615]
incl_switch_additive_pred = [0.0366777915765, 0.046162957276, 0.0439261756262, 0.140050731258, 0.17150941292, 0.164244916272, 0.0990523432557, 0.122614908177, 0.117128611861]
incl_switch_additive_pred_se = [0.0073555900147, 0.00904421191534, 0.00867681096682, 0.00899887442028, 0.00890727814966, 0.00885536751947, 0.00759082663838, 0.00819770185023, 0.00775934113074]
incl_switch_trend_PAU = [-0.0536053116221, 0.249901708552, 0.0460302701386, 0.830120783047, 8.35532568441, 0.0399702258344, 0.012864194398]
incl_switch_trend_SSA = [0.113562037735, 0.0562091635725, 4.0877938066, 0.0431939874492, 0.00782955827348, 0.174436877767, 0.00959000247622]
incl_switch_trend_SSH = [0.045596453346, 0.0744758798535, 0.374930065152, 0.540329147974, 6.24076249509, 0.117951944443, 0.00930483138074]
# ---- excl_switch
# names: (Intercept) programmePAU programmeSSH fyear2023 fyear2024
excl_switch_additive_coef = [-2.03109986339, -1.20485093421, -0.436079358726, 0.18356725878, 0.153189253902]
excl_switch_additive_se = [0.0813595925841, 0.206243855987, 0.0833061395233, 0.0986839864403, 0.0991099868917]
excl_switch_additive_deviance = [11.5055831654]
excl_switch_additive_quasi_dispersion = [2.89851920815]
excl_switch_additive_quasi_se = [0.138515015998, 0.351130949703, 0.14182901957, 0.168009862468, 0.168735129858]
# interaction names: (Intercept) programmePAU programmeSSH fyear2023 fyear2024 programmePAU:fyear2023 programmeSSH:fyear2023 programmePAU:fyear2024 programmeSSH:fyear2024
excl_switch_interaction_coef = [-2.07107329201, -1.46988603203, -0.288670214825, 0.156783126231, 0.288078120775, 0.853460011987, -0.0237866359992, -0.564831122694, -0.378077351271]
excl_switch_interaction_se = [0.0968697759954, 0.425301467246, 0.159619938426, 0.125674456073, 0.124497539276, 0.504744269732, 0.210563331136, 0.665200516599, 0.211759679962]
excl_switch_lr_programme = [63.3229927362, 2, 1.77658846715e-14]
excl_switch_lr_year = [3.84924877268, 2, 0.145930560075]
excl_switch_lr_interaction = [11.5055831654, 4, 0.0214327405149]
excl_switch_quasi_F_programme = [10.9233350185, 0.0239502905015]
excl_switch_additive_pred = [0.0378350202359, 0.0451146807857, 0.0438239514046, 0.11597611022, 0.136162857853, 0.132629049627, 0.0781913077852, 0.0924893361937, 0.0899709265351]
excl_switch_additive_pred_se = [0.00762304081488, 0.00890036704801, 0.00871115100578, 0.00834144528249, 0.00812247461931, 0.00813674961522, 0.00677389667342, 0.00715796373236, 0.00685306612991]
excl_switch_trend_PAU = [-0.0536053116221, 0.249901708552, 0.0460302701386, 0.830120783047, 8.35532568441, 0.0399702258344, 0.012864194398]
excl_switch_trend_SSA = [0.143031906156, 0.0616161621943, 5.40177357192, 0.0201162994135, 0.015790883865, 0.144400023478, 0.00890683813902]
excl_switch_trend_SSH = [-0.0509710626183, 0.08330284685, 0.374527085111, 0.540546900871, 1.60475391314, 0.083730405724, 0.00793489390588]
multinomial_coef = [-3.57371133866, -0.205714627745, 0.415467210512, 0.302390098362, -1.99009795667, -0.442858698029, 0.158235902649, 0.16813600392]
multinomial_se = [0.167021877275, 0.152348825042, 0.194790520484, 0.198043476875, 0.0822522813844, 0.0834506562126, 0.101095797974, 0.100687563547]
multinomial_shares_in_progress = [0.858565435814, 0.831521000291, 0.833566439971, 0.900403879041, 0.879179897694, 0.881253301552]
multinomial_shares_switched = [0.0240840924893, 0.0353398925379, 0.0316390516951, 0.0205614394594, 0.0304178857554, 0.0272297256819]
multinomial_shares_left = [0.117350471697, 0.133139107171, 0.134794508334, 0.0790346814998, 0.0904022165509, 0.0915169727657]
