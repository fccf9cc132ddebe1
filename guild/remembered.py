"""A bounded memory of signed values whose signature already checked out."""

from collections import OrderedDict
from typing import Generic, TypeVar

Held = TypeVar("Held")


class Remembered(Generic[Held]):
    """Up to `size` signed values and what they held, the oldest forgotten first.

    A phone sends the same session cookie and CSRF token with every request of a practice
    round; checking their signatures costs as much as a small query each time. Only the
    signature is remembered: callers still check the age and anything else that can change.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._held: OrderedDict[str, Held] = OrderedDict()

    def get(self, signed: str) -> Held | None:
        """What a remembered signed value held, or None."""
        return self._held.get(signed)

    def put(self, signed: str, held: Held) -> None:
        """Remember a signed value whose signature checked out."""
        self._held[signed] = held
        if len(self._held) > self._size:
            self._held.popitem(last=False)
