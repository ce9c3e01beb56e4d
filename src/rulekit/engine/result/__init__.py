"""The result of `replay` or `run`: customer and rep rows, the JSON document, polars frames.

`rows` are the rows of a result, `customer_frame` keeps a columnar result's customers as a
polars frame until asked, `result` builds the `Result` from a world. Depends on
`engine.snapshot`.
"""
