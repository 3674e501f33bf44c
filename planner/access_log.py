"""gunicorn's access log, with what must never be in it taken out.

The path is written as it came over the wire (percent-encoded), not decoded:
a decoded ``%0d%0a`` would start a forged line. The query string is never
written (searches carry names and birth dates), and a calendar feed's or a
patient diary's address is written without its token, which is its only key.
``make run`` passes this class to gunicorn (``--logger-class``) with a format
naming ``%(path)s``.
"""

import re
from typing import Any
from urllib.parse import quote
from urllib.parse import unquote

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # gunicorn ships no types

FEED_PATH = re.compile(r"^/calendar/[^/]+\.ics$")
FEED_LOGGED = "/calendar/[token].ics"
# A patient's diary address: its token is the diary's only key too.
DIARY_PATH = re.compile(r"^/diary/[^/]+(/[a-z-]+)?/?$")
# Atoms gunicorn offers that would carry the query or the decoded path.
UNSAFE_ATOMS = ("{raw_uri}e", "{path_info}e", "{query_string}e", "{request_uri}e")


def logged_path(raw_uri: str) -> str:
    """Return the request's path for the log: raw, printable, no query, no token."""
    path = raw_uri.split("?", 1)[0].split("#", 1)[0]
    # Matched as the router would see it, so no spelling of the address hides
    # the token from this check.
    routed = re.sub("/{2,}", "/", unquote(path))
    if FEED_PATH.match(routed):
        return FEED_LOGGED
    diary = DIARY_PATH.match(routed)
    if diary:
        return "/diary/[token]" + (diary.group(1) or "")
    return "".join(ch if "!" <= ch <= "~" else quote(ch, safe="") for ch in path)


class AccessLogger(Logger):  # type: ignore[misc]  # gunicorn's Logger is untyped
    """gunicorn's logger, whose request atoms hold only the safe path."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        path = logged_path(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["path"] = atoms["U"] = path
        atoms["r"] = f"{atoms['m']} {path} {atoms['H']}"
        atoms["q"] = "-"
        for name in UNSAFE_ATOMS:
            atoms.pop(name, None)
        return atoms
