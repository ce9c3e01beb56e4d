"""`rulekit init CLIENT`: the files of a new client folder.

    from rulekit.authoring.scaffold import create
    folder = create("acme", parent=".")   # ./acme/{policy.yaml, tests.yaml, history.csv, README.md}

The overlay extends `4321-dcbao@1` and changes nothing: each common tailoring (the quota, a
timer, claim approval, a rule) is written as a YAML comment, ready to be uncommented. The
tests pass on the overlay as it is; the history exercises archive, promote (through to a
signing), claim, approve, reject, release and renew.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rulekit.safeio import printable, write_text_atomic

MAX_NAME = 64
CLIENT_NAME = re.compile(r"^[A-Za-z0-9\u00c0-\uffff][^@\s/\\:*?\"<>|]*$")


class ScaffoldError(Exception):
    """The folder cannot be created: `message`, and a `hint`."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


POLICY = """\
{header}
# {client}: the 4321 system (4321-dcbao@1) tailored for this client.
# Every tailoring below is a comment: as it is, this overlay behaves exactly like the default
# policy. Uncomment a block to change that, then check it:
#   rulekit validate policy.yaml && rulekit test
rulekit: 1
id: {id}
version: 0.1.0
extends: 4321-dcbao@1
title: {title}

# Sales rights: how many pre-sale customers (new, D, C, B, A) one rep may hold (default 50).
# quota: {{limit: 30}}

# Transitions are changed by name; only the keys given change.
# transitions:
#   lapse: {{after: 60d}}          # timer: a renewal window of 60 days instead of 90
#   claim: {{approval: null}}      # claims from the public pool need no admin approval

# Rules: alerts raised at the evaluation instant, and actions checked every day.
# rules:
#   stalled-proposal:
#     when: "state == A and days_in_stage > 30"
#     alert: critical
#     message: "{{customer}} has waited {{days_in_stage}} days for a signature ({{owner}})"
#   recycle:                      # give back the customers nobody follows up
#     when: "state in [new, D] and days_since(last_activity_at) > 21"
#     do: release
"""

TESTS = """\
# Policy tests of {client}: run them with `rulekit test` in this folder.
# Each test replays `events` (CSV text, a list of rows, or a file) under the policy up to
# `as_of` and compares only the fields written under `expect`.
policy: policy.yaml
as_of: 2026-03-31

tests:
  archive-and-promote:
    description: a rep archives a customer and promotes it one stage at a time
    events: |
      at,               customer, type,    actor, stage
      2026-03-02 09:00, T1,       archive, wang,
      2026-03-03 09:00, T1,       promote, wang,  D
      2026-03-04 09:00, T1,       promote, wang,  B
      2026-03-05 09:00, T1,       promote, wang,  C
    expect:
      customers:
        T1: {{state: C, owner: wang, stage: C, flags: {{D: 1, C: 1, B: 0}}}}
      refused:
        - {{row: 3, reason: stage_skipped}}     # B before C skips a stage
      reps:
        wang: {{slots_used: 1}}

  sample-history:
    description: the sample history, as the default rules see it
    events: history.csv
    expect:
      customers:
        C001: {{state: O+, owner: wang, renewals: 1}}
        C003: {{state: R, owner: li, stage: O}}
        C004: {{state: L, owner: null, pending_owner: li}}
        C005: {{state: D, owner: wang}}
        C002: {{state: new, owner: li, flags: {{D: 0}}}}
      refused:
        - {{row: 22, customer: C002, reason: stage_skipped}}
      reps:
        wang: {{slots_used: 1}}
        li: {{slots_used: 3}}
"""

HISTORY = """\
at,customer,type,actor,stage
2026-01-05 09:00,C001,archive,wang,
2026-01-05 09:30,C002,archive,wang,
2026-01-05 10:00,C003,archive,li,
2026-01-05 10:30,C004,archive,li,
2026-01-05 11:00,C005,archive,admin,
2026-01-06 09:00,C001,promote,wang,D
2026-01-06 10:00,C003,promote,li,D
2026-01-07 09:00,C002,promote,wang,D
2026-01-08 14:00,C005,claim,wang,
2026-01-09 09:00,C005,approve,admin,
2026-01-12 09:00,C001,promote,wang,C
2026-01-13 10:00,C003,promote,li,C
2026-01-15 09:00,C004,release,li,
2026-01-16 11:00,C004,claim,wang,
2026-01-16 15:00,C004,reject,admin,
2026-01-20 09:00,C001,promote,wang,B
2026-01-22 16:00,C003,promote,li,B
2026-01-26 09:00,C001,promote,wang,A
2026-01-27 09:00,C005,promote,wang,D
2026-02-02 09:00,C003,promote,li,A
2026-02-03 10:00,C001,promote,wang,O
2026-02-05 09:00,C002,promote,wang,B
2026-02-10 11:00,C003,promote,li,O
2026-02-12 09:00,C006,archive,li,
2026-02-12 09:30,C006,promote,li,D
2026-02-20 10:00,C002,release,wang,
2026-03-01 09:00,C002,claim,li,
2026-03-02 09:00,C002,approve,admin,
2026-03-06 09:00,C001,renew,wang,
2026-03-10 09:00,C004,claim,li,
"""

README = """\
# {client}

The 4321 sales method (policy `4321-dcbao@1`) tailored for {client}.

| file | what it is |
|---|---|
| `policy.yaml` | the overlay: what {client} changes in the default policy |
| `tests.yaml` | policy tests: scenarios and the outcome they must have |
| `history.csv` | a sample history: archive, promote, claim, approve, reject, release, renew |

Run these in this folder:

```
rulekit validate policy.yaml                                   # check the overlay
rulekit test                                                   # run tests.yaml
rulekit test --coverage                                        # ... and what they never reach
rulekit diff 4321-dcbao@1 policy.yaml                          # what the overlay changes
rulekit replay policy.yaml history.csv --as-of 2026-03-31      # the customers and reps it gives
rulekit explain policy.yaml history.csv --customer C001 --as-of 2026-03-31
rulekit coverage policy.yaml history.csv --as-of 2026-03-31    # transitions and rules exercised
rulekit dry-run --baseline 4321-dcbao@1 --candidate policy.yaml history.csv --as-of 2026-03-31
```

To tailor the method, uncomment a block of `policy.yaml`, run `rulekit validate policy.yaml`,
see what it changes with `rulekit dry-run` on the client's real history, and write a test in
`tests.yaml` for the behaviour you want (`rulekit test -k NAME` runs just that one). Raise
`version:` when a changed policy goes into use.
"""


def check_name(client: str) -> None:
    """Raise ScaffoldError if `client` cannot be a folder and a policy id (the very test the
    policy validator applies to `id`, so `init` never writes a policy `validate` rejects)."""
    from rulekit.policy.values import is_policy_id

    if len(client) > MAX_NAME:
        raise ScaffoldError(
            f"a client name may have at most {MAX_NAME} characters, not {len(client):,}",
            "for example `rulekit init acme-valves`",
        )
    if not CLIENT_NAME.match(client) or not is_policy_id(client) or "@" in client:
        raise ScaffoldError(
            f"`{printable(client)}` cannot name a client: start with a letter (A-Z), a digit or "
            "a Chinese character, then letters, digits, `-`, `_` or `.` (no spaces, `@`, `/`, "
            "`:` or `#`)",
            "for example `rulekit init acme-valves`",
        )


def files(client: str) -> dict[str, str]:
    """The name and text of each file of a new client folder."""
    check_name(client)
    quoted = json.dumps(client, ensure_ascii=False)
    title = json.dumps(f"{client} · tailored 4321", ensure_ascii=False)
    from rulekit.authoring import schema

    return {
        "policy.yaml": POLICY.format(client=client, id=quoted, title=title, header=schema.HEADER),
        schema.SCHEMA_FILE: schema.render(),
        "tests.yaml": TESTS.format(client=client),
        "history.csv": HISTORY,
        "README.md": README.format(client=client),
    }


def create(client: str, parent: str | Path = ".") -> Path:
    """Write the folder `parent/client` with its files; return its path.

    Raises:
        ScaffoldError: the name is unusable, or the folder exists and is not empty.
    """
    content = files(client)
    folder = Path(parent) / client
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} exists and is a file", "choose another name or --dir")
    if folder.is_dir() and any(folder.iterdir()):
        raise ScaffoldError(
            f"{folder} exists and is not empty; nothing was written",
            "choose another name or --dir, or move the folder away first",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in content.items():
            write_text_atomic(folder / name, text)
    except OSError as exc:
        raise ScaffoldError(f"cannot write {folder}: {exc.strerror or exc}") from None
    return folder


__all__ = ["ScaffoldError", "check_name", "create", "files"]
