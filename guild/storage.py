"""Where uploaded files live: one small interface, a local folder by default."""

import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CHUNK = 1024 * 1024
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}(\.[a-z0-9]{1,8})?")


class TooLarge(Exception):
    """A stream passed the size limit while being saved; nothing was kept."""


@dataclass(frozen=True)
class SavedFile:
    """What save_file stored: the new key, the size in bytes and the SHA-256 in hex."""

    key: str
    size: int
    sha256: str


class LocalStorage:
    """Files under a folder, stored under random names so no upload chooses its own path."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY_PATTERN.fullmatch(key):  # keys come back from sessions and forms
            raise KeyError(key)
        return self.root / key

    def save(self, data: bytes, suffix: str = "") -> str:
        """Store bytes under a new random key and return the key."""
        self.root.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24) + (f".{suffix}" if suffix.isalnum() else "")
        path = self._path(key)
        with open(path, "xb") as handle:
            handle.write(data)
        return key

    def save_file(
        self, source: BinaryIO, suffix: str = "", max_bytes: int | None = None
    ) -> SavedFile:
        """Copy a stream under a new random key in chunks, counting and hashing as it goes.

        Past max_bytes the copy stops and the partial file is removed (TooLarge): a stream
        never fills the disk beyond the limit nor passes through memory whole.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24) + (f".{suffix}" if suffix.isalnum() else "")
        path, size, digest = self._path(key), 0, hashlib.sha256()
        try:
            with open(path, "xb") as handle:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(key)
                    digest.update(chunk)
                    handle.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return SavedFile(key, size, digest.hexdigest())

    def read(self, key: str) -> bytes:
        """The whole content of a stored file (for small files such as staged imports)."""
        return self._path(key).read_bytes()

    def stream(self, key: str) -> Iterator[bytes]:
        """The content of a stored file in chunks, never whole in memory."""
        with open(self._path(key), "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def delete(self, key: str) -> None:
        """Remove a stored file; a missing one is not an error."""
        self._path(key).unlink(missing_ok=True)


def storage(area: str) -> LocalStorage:
    """The storage of one area (e.g. "staging") under the configured upload folder."""
    return LocalStorage(Path(current_app.config["UPLOAD_FOLDER"]) / area)
