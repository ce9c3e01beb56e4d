"""The engine: replay an event history and evaluate a snapshot, driven only by a compiled policy.

Nothing here knows the 4321 method: stages, states, transitions, timers, roles, quota and
refusals all come from the policy (`core.program.Program` is its runtime view).

Subpackages, lowest first; each imports only from those before it:
`core` → `input` → `replay` → `snapshot` → `result` → `columnar`; `runner` is the entry
point the library and the CLI call (replay a history, run a snapshot).
"""
