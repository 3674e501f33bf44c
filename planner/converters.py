"""URL converters."""

from typing import Any

from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map

# Largest id a 32-bit INTEGER primary key holds on PostgreSQL.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """A record id in a URL: an id no table can hold is a 404, not a 500."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)
