"""Replaying a history: events in time order, timers before events, refusals, rule actions.

`world` is what a replay builds (customers, ledger, refusals, steps for explain),
`replayer` applies events and timers to it, `rule_runner` runs rule actions (daily sweep,
routing). Depends on `engine.core` and `engine.input`.
"""
