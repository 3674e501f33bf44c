"""URL converters."""

from typing import Any

from werkzeug.routing import BaseConverter
from werkzeug.routing import UnicodeConverter

# Largest id a 32-bit INTEGER primary key holds on PostgreSQL.
MAX_ID = 2**31 - 1


class IdConverter(BaseConverter):
    """A record id in a URL.

    Digits beyond any id a table can hold become 0, which no row has, so the
    lookup answers 404 for every method. Rejecting them in the converter instead
    makes werkzeug answer 405 for methods the rule does not list.
    """

    regex = r"\d+"
    weight = 50

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0

    def to_url(self, value: object) -> str:
        return str(value)


class TextConverter(UnicodeConverter):
    """A text segment of a URL (a setting's key, a file name, a feed token).

    Werkzeug's own, except that a NUL character matches no route: PostgreSQL
    cannot compare text holding NUL, so such a lookup would fail in the database
    rather than answer 404 as every other unknown key does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\x00]", 1)
