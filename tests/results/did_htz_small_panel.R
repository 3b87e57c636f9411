# HTZ Wald tests on the small panel (tests/results/did_small_panel.py), R 4.2.2 + clubSandwich 0.5.8
# (Debian bookworm r-base-core, r-cran-clubsandwich). panel.csv: one row per student, written by
# tests/did/test_did_htz.py::write_panel_csv (the first n_dropout students of a cell have y = 1;
# lead1/lead2 = pilot campus at intake 1/2, post = pilot campus from its start intake).
library(clubSandwich)
d <- read.csv("panel.csv")
d$campus <- factor(d$campus); d$intake <- factor(d$intake)
fit <- lm(y ~ lead1 + lead2 + post + campus + intake, data = d)
options(digits = 15)
print(as.data.frame(Wald_test(fit, constraints = constrain_zero(c("lead1", "lead2")), vcov = "CR2", cluster = d$campus, test = c("HTZ", "Naive-F"))), digits = 15)
print(as.data.frame(Wald_test(fit, constraints = constrain_zero(c("lead1", "lead2", "post")), vcov = "CR2", cluster = d$campus, test = c("HTZ", "Naive-F"))), digits = 15)
print(as.data.frame(Wald_test(fit, constraints = constrain_zero(c("post")), vcov = "CR2", cluster = d$campus, test = c("HTZ"))), digits = 15)
print(as.data.frame(coef_test(fit, vcov = "CR2", cluster = d$campus, test = "Satterthwaite", coefs = "post")), digits = 15)
