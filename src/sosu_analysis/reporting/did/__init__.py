"""Presentation of :mod:`sosu_analysis.did`: figures and prose over its typed results."""
