"""`rulekit.digest.sha256_hex` is hashlib's SHA-256, without importing hashlib."""

from __future__ import annotations

import hashlib

from rulekit.digest import sha256_hex
from tests.conftest import python_output


def test_sha256_hex_is_hashlibs() -> None:
    for data in (b"", b"abc", bytes(range(256)) * 1000, "规则".encode()):
        assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_sha256_hex_does_not_import_hashlib() -> None:
    code = (
        "import sys; from rulekit.digest import sha256_hex; sha256_hex(b'x'); "
        "print('hashlib' in sys.modules)"
    )
    assert python_output(code) == "False"
