"""Public namespace of :mod:`sosu_analysis.did` (difference-in-differences with few campuses)."""

from ..errors import NotEstimable
from .bootstrap import wild_cluster_bootstrap
from .covariance import cr2_test, cr2_vcov, crv1_test, crv1_vcov, satterthwaite_df, wald_test
from .data import Cells, as_cells, to_cells
from .estimate import (
    AVAILABLE,
    DEFAULT_INFERENCE,
    ESTIMATORS,
    INFERENCE_METHODS,
    INFERENCES,
    OUTCOMES,
    Estimator,
    FittedModel,
    Inference,
    InferenceOptions,
    estimate_did,
    placebo_did,
)
from .event_study import event_study
from .logit import att_probability, fit_logit, logit_att_crv1
from .model import CellDesign, cell_design, fit_ols
from .plots import add_watermark, plot_event_study, plot_power_curve, plot_rates_2x2
from .power import (
    PowerDesign,
    analytic_mde,
    analytic_power,
    analytic_se,
    estimate_icc,
    make_dgp,
    power_curve,
    power_table,
    simulated_power,
)
from .randomization import randomization_test
from .results import CoefTest, DidResult, EventStudyResult, LinearFit, LogitFit, SyntheticDidResult
from .sdid import SDID_ESTIMATORS, SDID_SE_METHODS, synthetic_did
from .simcheck import simulation_check
from .tables import did_table, event_study_table, pretrend_table, rates_2x2

__all__ = [
    "AVAILABLE", "Cells", "CellDesign", "CoefTest", "DEFAULT_INFERENCE", "DidResult", "ESTIMATORS", "Estimator",
    "EventStudyResult", "FittedModel", "INFERENCES", "INFERENCE_METHODS", "Inference", "InferenceOptions",
    "LinearFit", "LogitFit", "NotEstimable", "OUTCOMES", "PowerDesign", "add_watermark", "analytic_mde",
    "analytic_power", "analytic_se", "as_cells", "att_probability", "cell_design", "cr2_test", "cr2_vcov",
    "crv1_test", "crv1_vcov", "did_table", "estimate_did", "estimate_icc", "event_study", "event_study_table",
    "fit_logit", "fit_ols", "logit_att_crv1", "make_dgp", "placebo_did", "plot_event_study", "plot_power_curve",
    "plot_rates_2x2", "power_curve", "power_table", "pretrend_table", "randomization_test", "rates_2x2",
    "satterthwaite_df", "simulated_power", "simulation_check", "to_cells", "wald_test", "wild_cluster_bootstrap",
    "SDID_ESTIMATORS", "SDID_SE_METHODS", "SyntheticDidResult", "synthetic_did",
]
