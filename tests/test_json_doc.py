"""The JSON writer: the standard library's text (indent 2, UTF-8 as it is), valid JSON always."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rulekit.report import json_doc

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)
    | st.text()
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(documents)
def test_the_same_value_as_the_standard_library(doc: Any) -> None:
    text = json_doc.encode(doc).decode("utf-8")
    assert text.endswith("\n")
    assert json.loads(text) == json.loads(json.dumps(doc))


def test_the_same_text_as_the_standard_library_for_a_document() -> None:
    doc = {
        "policy": {"id": "4321-dcbao", "version": "1.0.0"},
        "customers": [{"customer": "C1", "owner": "王伟", "flags": {"D": 1}, "x": []}],
        "reps": [{"rep": "r1", "expected_signings": 0.157895, "funnel": {}}],
        "counts": {"events": 3},
    }
    assert (
        json_doc.encode(doc).decode("utf-8") == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    )


def test_never_invalid_json() -> None:
    doc = {"a": float("nan"), "b": [float("inf")], "c": 10**30}
    text = json_doc.encode(doc).decode("utf-8")
    assert json.loads(text) == {"a": None, "b": [None], "c": 10**30}


def test_writes_to_a_text_stream_without_a_buffer() -> None:
    out = io.StringIO()
    json_doc.write({"k": "浙江"}, out)
    assert out.getvalue() == '{\n  "k": "浙江"\n}\n'


@given(st.dictionaries(st.text(max_size=3), documents, max_size=4), st.integers(1, 3))
def test_pieces_are_the_whole_text(doc: dict[str, Any], chunk: int) -> None:
    """Top-level lists longer than the chunk are encoded in chunks: the same bytes."""
    doc["customers"] = [{"customer": f"C{i}", "flags": {"D": i % 2}, "x": []} for i in range(7)]
    assert b"".join(json_doc.pieces(doc, chunk)) == json_doc.encode(doc)
    assert b"".join(json_doc.pieces({"k": []}, chunk)) == json_doc.encode({"k": []})
