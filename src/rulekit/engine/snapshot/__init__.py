"""Evaluating a snapshot row by row: customer records read into a world, timers fired by
as-of, and the figures of `run` (ranks, overdue and forecast measures, funnel).
Depends on `engine.replay`.
"""
