"""The engine: replay an event history and evaluate a snapshot, driven only by a compiled policy.

Nothing here knows the 4321 method: stages, states, transitions, timers, roles, quota and
refusals all come from the policy (`program.Program` is its runtime view).
"""
