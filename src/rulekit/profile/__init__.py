"""The capability profile (能力定性): each rep's promotions per stage and cycle against the
policy's targets, with conversion, days between promotions, the weakest capability, and the
team beside it. `build` makes a ProfileReport; `document`, `text`, `sheet` and `html` render
it; `compare` sets two policies' profiles side by side for `dry-run`.

`rulekit.profile(...)` is the library call (`rulekit.api.profile`); since this package has
that name too, the top-level package makes it callable (calling that function).
"""

from __future__ import annotations

import sys

import rulekit

rulekit._callable_package(sys.modules[__name__])
