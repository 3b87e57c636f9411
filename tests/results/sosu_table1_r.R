# Reference values for tests/results/sosu_table1_r.py, computed with R (stats only).
# Run: Rscript tests/results/sosu_table1_r.R > /tmp/sosu_table1_r.txt
# Data: seed 003, Table 1 (SOSU H, main course, 3 months after start), counts as cleaned
# (n_cohort implied by the published percentages), see tests/models/conftest.py.
options(digits = 15)
d <- data.frame(
  programme = c("PAU", "PAU", "PAU", "SSA", "SSA", "SSA", "SSH", "SSH", "SSH"),
  year = c(2022, 2023, 2024, 2022, 2023, 2024, 2022, 2023, 2024),
  n_cohort = c(213, 217, 186, 1072, 1393, 1327, 788, 914, 1032),
  n_in_progress = c(207, 201, 181, 918, 1171, 1095, 711, 790, 918),
  n_switch = c(0, 0, 0, 34, 43, 40, 8, 34, 30),
  n_noswitch = c(6, 16, 4, 120, 179, 191, 68, 89, 82))
d$n_total <- d$n_switch + d$n_noswitch
d$programme <- relevel(factor(d$programme), ref = "SSA")
d$fyear <- factor(d$year)
out <- function(name, x) cat(sprintf("%s = %s\n", name, paste0("[", paste(sprintf("%.12g", x), collapse = ", "), "]")))
cat("# ", R.version.string, "\n")
for (def in c("incl_switch", "excl_switch")) {
  y <- if (def == "incl_switch") d$n_total else d$n_noswitch
  d$y <- y; d$ny <- d$n_cohort - y
  m_add <- glm(cbind(y, ny) ~ programme + fyear, family = binomial, data = d)
  m_prog <- glm(cbind(y, ny) ~ programme, family = binomial, data = d)
  m_year <- glm(cbind(y, ny) ~ fyear, family = binomial, data = d)
  m_int <- glm(cbind(y, ny) ~ programme * fyear, family = binomial, data = d)
  q_add <- glm(cbind(y, ny) ~ programme + fyear, family = quasibinomial, data = d)
  cat(sprintf("# ---- %s\n", def))
  cat("# names:", names(coef(m_add)), "\n")
  out(paste0(def, "_additive_coef"), coef(m_add))
  out(paste0(def, "_additive_se"), sqrt(diag(vcov(m_add))))
  out(paste0(def, "_additive_deviance"), deviance(m_add))
  out(paste0(def, "_additive_quasi_dispersion"), summary(q_add)$dispersion)
  out(paste0(def, "_additive_quasi_se"), sqrt(diag(vcov(q_add))))
  cat("# interaction names:", names(coef(m_int)), "\n")
  out(paste0(def, "_interaction_coef"), coef(m_int))
  out(paste0(def, "_interaction_se"), sqrt(diag(vcov(m_int))))
  a1 <- anova(m_year, m_add, test = "Chisq"); a2 <- anova(m_prog, m_add, test = "Chisq"); a3 <- anova(m_add, m_int, test = "Chisq")
  out(paste0(def, "_lr_programme"), c(a1$Deviance[2], a1$Df[2], a1$`Pr(>Chi)`[2]))
  out(paste0(def, "_lr_year"), c(a2$Deviance[2], a2$Df[2], a2$`Pr(>Chi)`[2]))
  out(paste0(def, "_lr_interaction"), c(a3$Deviance[2], a3$Df[2], a3$`Pr(>Chi)`[2]))
  qy <- glm(cbind(y, ny) ~ fyear, family = quasibinomial, data = d)
  f1 <- anova(qy, q_add, test = "F")
  out(paste0(def, "_quasi_F_programme"), c(f1$F[2], f1$`Pr(>F)`[2]))
  pr <- predict(m_add, type = "response", se.fit = TRUE)
  out(paste0(def, "_additive_pred"), pr$fit)
  out(paste0(def, "_additive_pred_se"), pr$se.fit)
  for (p in c("PAU", "SSA", "SSH")) {
    s <- d[d$programme == p, ]
    t <- glm(cbind(y, ny) ~ I(year - 2022), family = binomial, data = s)
    tq <- glm(cbind(y, ny) ~ I(year - 2022), family = quasibinomial, data = s)
    pt <- prop.trend.test(s$y, s$n_cohort, s$year)
    at <- predict(t, newdata = data.frame(year = 2024), type = "response", se.fit = TRUE)
    # slope, SE, prop.trend.test chi2, its p, quasibinomial dispersion, predicted 2024, its SE
    out(paste0(def, "_trend_", p), c(coef(t)[2], sqrt(vcov(t)[2, 2]), unname(pt$statistic), pt$p.value,
                                      summary(tq)$dispersion, at$fit, at$se.fit))
  }
}
# Multinomial (in progress / switched / left, n_other excluded) on SSA and SSH (PAU has no switcher),
# via the equivalent Poisson log-linear model: cell factor + category * (programme + year).
m <- d[d$programme != "PAU", ]
long <- rbind(data.frame(cell = seq_len(nrow(m)), programme = m$programme, fyear = m$fyear, cat = "in_progress", n = m$n_in_progress),
              data.frame(cell = seq_len(nrow(m)), programme = m$programme, fyear = m$fyear, cat = "switched", n = m$n_switch),
              data.frame(cell = seq_len(nrow(m)), programme = m$programme, fyear = m$fyear, cat = "left", n = m$n_noswitch))
long$cat <- factor(long$cat, levels = c("in_progress", "switched", "left"))
long$programme <- droplevels(long$programme)
pm <- glm(n ~ factor(cell) + cat * (programme + fyear), family = poisson, data = long)
cf <- coef(pm); se <- sqrt(diag(vcov(pm)))
keep <- c("catswitched", "catswitched:programmeSSH", "catswitched:fyear2023", "catswitched:fyear2024",
          "catleft", "catleft:programmeSSH", "catleft:fyear2023", "catleft:fyear2024")
out("multinomial_coef", cf[keep]); out("multinomial_se", se[keep])
fitted_share <- fitted(pm) / ave(fitted(pm), long$cell, FUN = sum)
out("multinomial_shares_in_progress", fitted_share[long$cat == "in_progress"])
out("multinomial_shares_switched", fitted_share[long$cat == "switched"])
out("multinomial_shares_left", fitted_share[long$cat == "left"])
