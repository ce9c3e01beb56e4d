"""Reading what a policy does to a history: `dryrun` (two policies, the differences), `diff`
(two policies, entry by entry), `explain` (one customer's path), `coverage` (which transitions
and rules a history exercises), `show` (the resolved policy and its graph)."""
