"""Subcommands of ``sosu-analysis`` that need the config's defaults: the cli layer, above the pipeline.

:mod:`sosu_analysis.cli` imports each only when its subcommand runs (or asks for ``--help``).
"""
