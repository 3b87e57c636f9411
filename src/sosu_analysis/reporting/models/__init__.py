"""Presentation of :mod:`sosu_analysis.models`: figures and prose over its typed results."""
