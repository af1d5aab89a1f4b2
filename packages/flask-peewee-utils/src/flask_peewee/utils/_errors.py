"""The toolkit's error types: one for query strings, a sibling for submitted data."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["DataError", "QueryError"]


class QueryError(ValueError):
    """A query string (filter, ordering, page) the toolkit cannot use.

    ``param`` names the offending parameter; REST answers 400 with the message, the admin
    shows it as a form error.
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class DataError(QueryError):
    """Submitted data that does not fit the model; ``errors`` maps field names to messages.

    Problems that concern no single field are listed under ``"__all__"``.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        message = "; ".join(f"{name}: {text}" if name != "__all__" else text for name, text in self.errors.items())
        super().__init__(message or "invalid data", param=next(iter(self.errors), None))
