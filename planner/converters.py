"""URL converters."""

from werkzeug.routing import BaseConverter

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
