"""clubSandwich reference values for the small panel in ``did_small_panel.py``.

Computed once with R 4.2.2 and clubSandwich 0.5.8 (Debian bookworm packages
r-base-core 4.2.2.20221110-2 and r-cran-clubsandwich 0.5.8-1) on the
student-level rows of ``did_small_panel.CELLS`` (264 students; the first
``n_dropout`` students of each cell have y = 1):

    d$campus <- factor(d$campus); d$intake <- factor(d$intake)
    fit <- lm(y ~ D + campus + intake, data = d)
    coef_test(fit, vcov = "CR2",  cluster = d$campus, test = "Satterthwaite", coefs = "D")
    coef_test(fit, vcov = "CR1S", cluster = d$campus, test = c("naive-t", "Satterthwaite"), coefs = "D")
    conf_int(fit, vcov = "CR2", cluster = d$campus, coefs = "D", level = 0.95)
    coef_test(fit, vcov = "CR2",  cluster = d$campus, test = "Satterthwaite", coefs = "intake4")

printed with ``print(as.data.frame(.), digits = 15)``. ``CR1S`` is clubSandwich's
``G/(G-1) * (N-1)/(N-p)`` factor (the Stata/CRV1 factor used here).
R's ``intake4`` coefficient is intake 4 minus intake 0.

Also checked once, not as a test (the data set ships only inside the R
package): on clubSandwich's ``MortalityRates`` (motor-vehicle deaths,
year <= 1983, non-missing beer tax; 714 state-years, 51 states), unweighted
``lm(mrate ~ 0 + legal + beertaxa + factor(state) + factor(year))``, the
published vignette "Cluster-robust standard errors and hypothesis tests in
panel data models" prints CR2 + Satterthwaite: legal SE 2.51, df 24.58,
t 3.019, p 0.00583; beertaxa SE 5.27, df 5.77, t 0.725, p 0.49663.
``sosu_analysis.did.covariance.cr2_test`` on the same rows gave 2.5131,
24.5785, 3.0193, 0.005831 and 5.2650, 5.7684, 0.7253, 0.49663.
"""

N_STUDENTS = 264
BETA_D = 0.101715355057266

CR2_SE_D = 0.108641630980784
CR2_T_D = 0.936246576372338
CR2_DF_D = 3.89486764834638
CR2_P_D = 0.403481898656508
CR2_CI_D = (-0.203160490761229, 0.40659120087576)

CR1S_SE_D = 0.0967876303397895
CR1S_P_NAIVE_T_D = 0.341414461144602  # t with G - 1 = 5 df

BETA_INTAKE4 = -0.179354236551095
CR2_SE_INTAKE4 = 0.127987708880503
CR2_DF_INTAKE4 = 3.82939885801947
CR2_P_INTAKE4 = 0.236725906417562
