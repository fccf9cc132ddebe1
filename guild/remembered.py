"""A bounded memory of signed values whose signature already checked out."""

from collections import OrderedDict
from typing import Generic, TypeVar

Held = TypeVar("Held")

DEFAULT_SIZE = 16_384


class Remembered(Generic[Held]):
    """Up to `size` signed values and what they held, the least recently used forgotten first.

    A phone sends the same session cookie and CSRF token with every request of a practice
    round; checking their signatures costs as much as a small query each time. Only the
    signature is remembered: callers still check the age and anything else that can change.
    The size must cover the workers active at once per process: a burst that cycles through
    more forgets each value before it comes back, and every request pays the check again.
    """

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._held: OrderedDict[str, Held] = OrderedDict()

    def get(self, signed: str) -> Held | None:
        """What a remembered signed value held, or None."""
        held = self._held.get(signed)
        if held is not None:
            self._held.move_to_end(signed)
        return held

    def put(self, signed: str, held: Held) -> None:
        """Remember a signed value whose signature checked out."""
        self._held[signed] = held
        self._held.move_to_end(signed)
        if len(self._held) > self._size:
            self._held.popitem(last=False)
