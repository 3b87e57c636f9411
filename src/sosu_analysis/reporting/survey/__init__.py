"""Presentation of :mod:`sosu_analysis.survey`: figures and prose over its typed results."""
