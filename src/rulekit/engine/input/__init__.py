"""Reading the engine's inputs: histories, snapshot records and people, from tables.

`cells` reads one cell as a typed value, `text_columns` the same as polars expressions;
`event_rows` reads events row by row (the one place that knows an event's columns),
`event_frame` column-wise from a CSV read into polars, `history` picks between them;
`record_frame` reads a snapshot's cells column-wise; `people_file` the people file;
`errors` is the input error every reader raises. Depends on `engine.core` only.
"""
