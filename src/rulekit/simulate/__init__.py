"""Simulating a realistic, seeded history for a policy: reps and customers acting through
the year as the policy allows, written as an event table and a people file."""
