"""`rulekit sweep`: many candidate policies (the baseline with some entries varied over a grid)
replayed over one history read once, in this process, on local worker processes or on a Dask
cluster; ranked by an objective expression; reported as text, JSON and an HTML heatmap.

Modules: `grid` (the --vary options), `candidates` (overlays, checked), `work` (one
candidate's replay), `execute` (where they run), `rank` (--rank-by), `result` (JSON, polars),
`run` (the whole sweep), `text` and `html` (reports).
"""

import sys

from rulekit import SweepModule

sys.modules[__name__].__class__ = SweepModule
