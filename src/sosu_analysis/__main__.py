"""``python -m sosu_analysis``: the command line (:mod:`sosu_analysis.cli`)."""
import sys

from .cli import main

sys.exit(main())
