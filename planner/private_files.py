"""Files and folders only the app's own user may read, whatever the umask.

The instance folder holds the database (patient records), its WAL and SHM files,
the secret key, the demo credentials and, often, backups: the folder is 0700 and
each file 0600, set explicitly rather than left to the process's umask.
"""

import os
import tempfile
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing, and make it owner-only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def make_private(path: Path) -> None:
    """Make an existing file owner-only (read and write)."""
    if path.stat().st_mode & 0o777 != FILE_MODE:
        path.chmod(FILE_MODE)


def create_private(path: Path) -> int:
    """Create a new, empty owner-only file and return its open descriptor.

    :raises FileExistsError: when ``path`` exists; nothing is overwritten.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    # O_CREAT's mode passes through the umask; fchmod is exact.
    os.fchmod(fd, FILE_MODE)
    return fd


def touch_private(path: Path) -> None:
    """Make sure ``path`` exists as an owner-only file, creating it empty if not."""
    try:
        os.close(create_private(path))
    except FileExistsError:
        make_private(path)


def publish_once(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically, unless ``path`` already exists.

    The text goes to a private temporary file beside ``path``, is flushed to
    disk, and is then linked into place: a reader sees either no file or the
    whole text, never a part. A link, not a rename, because a rename would
    replace a file another process published a moment earlier, leaving two
    processes each using a different secret.

    :return: True if this call published the file, False if it existed.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        _sync_dir(path.parent)
        return True
    finally:
        os.unlink(temporary)


def _sync_dir(path: Path) -> None:
    """Flush a folder's entries, so a new name survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
