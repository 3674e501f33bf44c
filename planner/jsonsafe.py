"""JSON parsing that treats absurdly nested input as bad input, not a crash."""

from typing import Any

from flask.json.provider import DefaultJSONProvider


class SafeJSONProvider(DefaultJSONProvider):
    """Report JSON nested too deeply as a ValueError, like any other bad JSON.

    The standard parser raises RecursionError, which Flask does not treat as a
    parse failure, so a hostile body would otherwise become a 500.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON is nested too deeply") from None
