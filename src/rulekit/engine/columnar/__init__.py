"""The columnar engine: `run` evaluated with polars over the whole snapshot at once, giving
the row engine's `Result` value for value, or `NotColumnar` where it cannot.
Depends on `engine.result` and `engine.input`.
"""
