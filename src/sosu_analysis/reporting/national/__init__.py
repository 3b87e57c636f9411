"""Presentation of :mod:`sosu_analysis.national`: figures and prose over its typed results."""
