"""Campus comparison of SSA dropout: difference-in-differences with few clusters.

See :mod:`sosu_analysis.did.api` for the public functions.
"""

from .api import *  # noqa: F401,F403
from .api import __all__  # noqa: F401
