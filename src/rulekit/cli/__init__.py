"""The command line: one small module per command, a thin click layer over rulekit.api."""
