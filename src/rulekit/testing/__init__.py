"""A policy's own tests (`tests.yaml`): loading the cases, running them against the engine,
and reporting the mismatches."""
