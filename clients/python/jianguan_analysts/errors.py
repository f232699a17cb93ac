"""The one error type the package raises on purpose: its message is meant for a person."""


class AnalystsError(Exception):
    """Something the caller can fix: a missing descriptor set, an unknown topic, an
    unreachable broker, a broken stream. The CLI prints the message and exits non-zero."""
