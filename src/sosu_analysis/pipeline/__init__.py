"""The run: the configuration schema, the checks before any notebook, and the papermill pipeline.

``config`` reads and checks ``config/*.yaml``; ``precheck`` checks every input and the design
before a notebook starts; ``run`` executes the chapters in a private folder and publishes
``reports/`` only when every chapter succeeded.
"""
