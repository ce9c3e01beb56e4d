"""The engine's core: the runtime view of a compiled policy and what it acts on.

`program` (states, transitions as moves, stages, quota, measures), `event` (one event),
`record` (a customer and the `Env` conditions read), `people`, `effects` (taking a
transition), `slots` (the quota ledger), `timers`, `plan` (refusal checks per event type),
`rules` and `alerts` (policy rules and their alerts), `selector` (memoised conditions),
`collector` (the garbage collector paused during a run). Nothing here reads a file.
"""
