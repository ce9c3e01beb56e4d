"""`rulekit fmt`: the canonical layout of a policy file, with every comment kept.

The file is read with ruamel.yaml's round-trip composer, which keeps each node's exact text,
its style (plain, quoted or block scalar; flow or block collection) and its position. The
layout is then printed here rather than by ruamel's emitter, so that the choices an author
makes on purpose survive: the line breaks that group the keys of a flow mapping, and the
padding that aligns the values of neighbouring keys. What fmt decides (docs/formatting.md):

- keys of known mappings in the order of the reference (named entries keep their order);
- two-space indentation, block sequences indented under their key;
- flow style for short block mappings and lists, block style for flow ones holding comments;
- flow mappings wrapped at 100 columns, continuation lines aligned after the bracket;
- scalars printed exactly as written; condition strings re-spaced by unparsing their syntax
  tree, only where that changes nothing but white space;
- comments kept where they were: full-line comments before the entry they precede (or at the
  end of the block they are indented into), end-of-line comments on the line of their text,
  at their column when it is still free; at most one blank line in a row.

The result is checked before it is returned: it must load to the same data (conditions
compared after normalising) and hold the same comments, else `FmtError`.
"""

from __future__ import annotations

from rulekit.authoring.fmt_comments import attach, comments_of, compose, scan
from rulekit.authoring.fmt_layout import FmtError, canonical_data
from rulekit.authoring.fmt_printer import Printer


def format_text(text: str, name: str = "<text>") -> str:
    """Return the canonical layout of a policy file's text.

    Raises:
        FmtError: the text is not YAML fmt can rewrite, or the result would not load to the
            same data with the same comments (a bug; the file is then left as it is).
    """
    from rulekit.policy.yamlsrc import parse_yaml

    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    before, problems = parse_yaml(text, name)
    if before is None:
        d = problems[0]
        line, col = (d.span.line, d.span.column) if d.span else (1, 1)
        raise FmtError(d.message, line, col)
    root = compose(text)
    gaps, eols = scan(text, root)
    found = attach(root, gaps, eols)
    result = Printer(text, root, found).render()
    after, _ = parse_yaml(result, name)
    if after is None or canonical_data(after.data) != canonical_data(before.data):
        raise FmtError("fmt would change what the file means; it is left as it is (a bug)")
    if sorted(comments_of(result)) != sorted(comments_of(text)):
        raise FmtError("fmt would lose a comment; the file is left as it is (a bug)")
    return result
