"""Rendering results for people and programs: text, JSON, CI annotations."""
