"""UC Berkeley graduate admissions, fall 1973: admitted / rejected by department and sex.

Data: Bickel, Hammel and O'Connell (1975), "Sex bias in graduate admissions:
data from Berkeley", Science 187(4175), 398-404; as R's ``datasets::UCBAdmissions``.

Reference fits: R 4.2.2,
``w <- reshape(as.data.frame(UCBAdmissions), idvar = c("Gender", "Dept"), timevar = "Admit", direction = "wide")``,
``w$Gender <- relevel(w$Gender, "Female")``,
``glm(cbind(Freq.Admitted, Freq.Rejected) ~ Gender + Dept, family = binomial, data = w)`` and
``glm(cbind(Freq.Admitted, Freq.Rejected) ~ Gender, family = binomial, data = w)``
(values also as stated in ISSUE 3: male -0.09987 (SE 0.08085), residual
deviance 20.204 on 5 df; male alone +0.6104 (SE 0.0639)).
"""

DEPARTMENTS = ["A", "B", "C", "D", "E", "F"]
#: department -> ((men admitted, men rejected), (women admitted, women rejected))
COUNTS = {
    "A": ((512, 313), (89, 19)),
    "B": ((353, 207), (17, 8)),
    "C": ((120, 205), (202, 391)),
    "D": ((138, 279), (131, 244)),
    "E": ((53, 138), (94, 299)),
    "F": ((22, 351), (24, 317)),
}

# admitted ~ male + department (R: GenderMale, DeptB ... DeptF)
GENDER_DEPT_TERMS = ["Intercept", "male", "dept[B]", "dept[C]", "dept[D]", "dept[E]", "dept[F]"]
GENDER_DEPT_COEF = [0.68192148344, -0.09987008816, -0.04339793121, -1.26259802238, -1.29460646875,
                    -1.73930573782, -3.30648005589]
GENDER_DEPT_SE = [0.09911269680, 0.08084646652, 0.10983889832, 0.10663288590, 0.10582342365,
                  0.12611349598, 0.16998180847]
GENDER_DEPT_DEVIANCE = 20.20427533
GENDER_DEPT_DF_RESID = 5

# admitted ~ male
GENDER_COEF = [-0.8304863950, 0.6103523761]
GENDER_SE = [0.05077208463, 0.06389304718]
