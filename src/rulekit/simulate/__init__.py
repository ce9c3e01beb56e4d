"""Simulating a realistic, seeded history for a policy: reps and customers acting through
the year as the policy allows, written as an event table and a people file.

    from rulekit.simulate.simulator import Simulator, simulate
    sim = simulate(policy, reps=20, customers=2000, start=datetime(2026, 1, 1), days=365)
    sim.rows     # dicts with the event log's columns (at, customer, type, actor, stage, to, ...)
    sim.people   # dicts: id, name, team, role

    run = Simulator(policy, 20, 2000, datetime(2026, 1, 1), 365, 0, ("admin",), 0.03)
    for rows in run.chunks():   # the same rows, handed out as they come (nothing kept)
        ...

The generator walks the simulated days. Reps archive new customers (within their slot limit,
except a few greedy ones), promote them stage by stage along the policy's path with delays
around each stage's target days and the stage-to-stage reach as the odds of going on, release
the ones that stall to the public pool, and renew signed customers now and then. Admins
publish lapsed customers, decide claims, and reassign a customer now and then. Activities run
throughout. Which event does what is read from the policy's transitions, not assumed.

The engine is the oracle: every generated event is applied to a `Replayer` (timers first) as
it is written, so each choice is made on the true state, and the refusals are known. A `noise`
share of the events is deliberately wrong (an unknown id, a duplicate archive, a rep doing an
admin's job, a skipped stage...), chosen so that every refusal reason the policy allows occurs.

Deterministic for a seed: one `random.Random(seed)`, and no iteration over unordered sets.
"""
