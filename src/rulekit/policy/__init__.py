"""The policy DSL: YAML source with positions, pydantic models, overlays and loading."""
