"""Writing policies: the formatter (`fmt`), the JSON Schema for editors (`schema`), a new
client folder (`scaffold`), and re-validation on save (`watch`)."""
