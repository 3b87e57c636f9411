"""sosu-analysis: dropout on the SOSU main courses at SOSU H.

Public entry points live in the subpackages:

- :mod:`sosu_analysis.readers.published` reads and checks the ministry's published table,
- :mod:`sosu_analysis.models.descriptives` makes the descriptive tables,
- :mod:`sosu_analysis.pipeline.run` runs the notebooks with papermill.
"""

__version__ = "0.1.0"
