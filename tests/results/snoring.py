"""Snoring and heart disease: Agresti, An Introduction to Categorical Data Analysis, Table 3.1.

Data (Agresti, 2nd ed. 2007, Table 3.1): snoring scores 0 (never), 2 (occasional),
4 (nearly every night), 5 (every night); heart disease yes / no.

Reference values:

- Logistic fit ``logit = -3.8662 + 0.3973 score`` (SE of slope 0.0500) and
  deviance 2.809 on 2 df: Agresti (2007), the logistic fit to Table 3.1;
  to more digits from R 4.2.2 ``glm(cbind(yes, no) ~ score, family = binomial)``.
- Quasi-binomial: R 4.2.2 ``glm(cbind(yes, no) ~ score, family = quasibinomial)``:
  dispersion 1.437162, SE of score 0.05995 (also stated in ISSUE 3).
- Cochran–Armitage trend chi2 72.688: R 4.2.2 ``prop.trend.test(yes, yes + no, score)``
  (X-squared = 72.688087; also stated in ISSUE 3).
"""

SCORE = [0, 2, 4, 5]
YES = [24, 35, 21, 30]
NO = [1355, 603, 192, 224]

LOGIT_COEF = [-3.8662481014, 0.3973366204]
LOGIT_SE = [0.1662143629, 0.0500106597]
DEVIANCE = 2.808911793
DF_RESID = 2

QUASI_DISPERSION = 1.437161663
QUASI_SE = [0.19926056677, 0.05995361784]
QUASI_T_PVALUE_SCORE = 0.022018251052   # Pr(>|t|) on 2 df

CA_CHI2 = 72.688087
