"""Where a ``next`` parameter may send the browser: a page of this site, no other."""

import re
from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from flask import current_app
from werkzeug.exceptions import HTTPException

from planner.errors import InvalidInput

# C0 controls, DEL and C1 controls. Browsers drop tabs and newlines from a URL
# before parsing it ("/\t/evil.example" becomes "//evil.example"), and CR/LF in a
# Location header would split it: such a target is refused outright.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_LENGTH = 2048


@dataclass(frozen=True)
class LocalPage:
    """A page of this app a ``next`` may name: its URL, endpoint and URL values."""

    url: str
    endpoint: str
    args: Mapping[str, Any]


def local_target(
    target: str | None,
    default: str,
    *,
    field: str = "next",
    endpoints: Collection[str] | None = None,
) -> str:
    """Return ``target`` when it is a page of this app (a GET route), else ``default``.

    ``endpoints``, when given, narrows the pages to those endpoints (a form that
    says "Back to the chart" follows only a chart). See :func:`local_page`.

    :raises InvalidInput: (400) when the target holds control characters.
    """
    page = local_page(target, field=field)
    if page is None or (endpoints is not None and page.endpoint not in endpoints):
        return default
    return page.url


def local_page(target: str | None, *, field: str = "next") -> LocalPage | None:
    """Return the page of this app (a GET route) ``target`` names, else None.

    Only a path is followed, rebuilt from its own parts: no scheme, no host, no
    fragment, and never a path that starts with two slashes or holds a backslash
    (a browser reads either as another host). The path must be one the app's
    URL map answers for GET, so an allow-list of the app's own pages decides,
    not a parser's view of what is "relative". The endpoint and its URL values
    come back with it, so a caller can also check whose page it is.

    :raises InvalidInput: (400) when the target holds control characters.
    """
    if not target:
        return None
    if CONTROL.search(target):
        raise InvalidInput(
            "That link cannot be followed.",
            fields={field: "must not contain control characters"},
        )
    if len(target) > MAX_LENGTH or "\\" in target:
        return None
    parts = urlsplit(target)
    path = parts.path
    if parts.scheme or parts.netloc or not path.startswith("/"):
        return None
    decoded = unquote(path)
    if path.startswith("//") or decoded.startswith("//") or "\\" in decoded:
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, args = adapter.match(decoded, method="GET")
    except HTTPException:  # not found, wrong method, or a redirect to elsewhere
        return None
    return LocalPage(urlunsplit(("", "", path, parts.query, "")), endpoint, args)
