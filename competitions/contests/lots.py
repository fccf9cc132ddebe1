"""The lot drawing (抽签) of a contest: entry codes and stations, no database, no Flask.

A draw is a pure function of the entry ids, the stations, the code prefix and a seed. The
seed comes from `secrets` (new_seed) and is the only secret: without it the draw cannot be
predicted, with it an auditor re-runs the draw and gets the same lots. Until reveal the seed,
the lots and the record's seed are for the encryption officer only; the record's fingerprint
is safe to publish at draw time as a commitment to what will be revealed.

The algorithm (version ALGORITHM), written out so that it can be re-implemented for audit:

1. The entry ids are sorted ascending; station labels ("01".."NN" for a count, else the
   given labels) are sorted as strings. Neither input order changes the draw.
2. A byte stream per purpose P ("stations" or "codes") is the concatenation of the blocks
   HMAC-SHA256(key = bytes.fromhex(seed), msg = ALGORITHM "/" P 0x00 counter), the counter
   an 8-byte big-endian integer from 0.
3. A uniform integer below n takes the fewest whole bytes that hold n - 1 (big-endian),
   masks them to the bit length of n - 1, and tries again while the value is n or more
   (rejection sampling, no modulo bias). n = 1 reads nothing.
4. Stations: Fisher–Yates over the sorted labels with the "stations" stream, for i from
   the last index down to 1 swapping i with a uniform j ≤ i; the k-th sorted entry gets the
   k-th label of the shuffled list.
5. Codes: for each sorted entry in turn, a uniform index below CODE_SPACE from the "codes"
   stream, drawn again while it was already given in this draw; the index in base
   (19, 19, 19, 8, 8, 8), most significant first, picks the letters and digits.

Entry codes look like "KXR-472" (after the optional prefix): three consonants, a hyphen,
three digits. Letters then digits make a code easy to read aloud and to write on a marking
sheet in two short chunks, and keep it apart from the purely numeric station labels and
ranks that are called on the same floor. Look-alikes are left out (no I, O, Q, no 0 or 1),
and so are vowels (and Y), so a code never spells a word, rude or suggestive. The 3,511,808
codes make a guess at another entry's code hopeless, and codes are drawn without
replacement, so they are unique within a draw; four-digit numbers would have been easier
still to say, but are easily mistaken for station numbers and only 10,000 strong.
"""

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from guild.i18n import mark
from guild.timeutil import utcnow

ALGORITHM = "guild-lots-v1"
SEED_BYTES = 32
CODE_LETTERS = "BCDFGHJKLMNPRSTVWXZ"
CODE_DIGITS = "23456789"
CODE_SPACE = len(CODE_LETTERS) ** 3 * len(CODE_DIGITS) ** 3
CODE_PATTERN = re.compile(f"[{CODE_LETTERS}]{{3}}-[{CODE_DIGITS}]{{3}}")

_SEED = re.compile(f"[0-9a-f]{{{2 * SEED_BYTES}}}")


@dataclass(frozen=True, slots=True)
class Lot:
    """What the draw gave one entry: its entry code and its station."""

    entry_id: int
    code: str
    station: str


@dataclass(frozen=True, slots=True)
class DrawRecord:
    """The audit row of a draw: when, from which seed, and a fingerprint of what was drawn."""

    seed: str
    drawn_at: datetime
    entry_count: int
    fingerprint: str


def new_seed() -> str:
    """A fresh seed for a draw: 32 bytes from the operating system's generator, as hex."""
    return secrets.token_hex(SEED_BYTES)


def station_labels(stations: int | Sequence[str]) -> list[str]:
    """The station labels of a draw, sorted: "01".."NN" for a count, else the given labels."""
    if isinstance(stations, bool) or not isinstance(stations, int | Sequence):
        raise TypeError("stations must be a count or a sequence of labels")
    if isinstance(stations, int):
        if stations < 0:
            raise ValueError("the station count cannot be negative")
        width = max(2, len(str(stations)))
        return [f"{number:0{width}d}" for number in range(1, stations + 1)]
    if isinstance(stations, str):
        raise TypeError("stations must be a sequence of labels, not one string")
    if any(not isinstance(label, str) for label in stations):
        raise TypeError("station labels must be strings")
    if any(not label.strip() for label in stations):
        raise ValueError(mark("A station needs a label."))
    if len(set(stations)) != len(stations):
        raise ValueError(mark("Two stations have the same label."))
    return sorted(stations)


def draw(
    entry_ids: Sequence[int],
    stations: int | Sequence[str],
    seed: str,
    code_prefix: str = "",
) -> list[Lot]:
    """The lots of the entries, in ascending entry id order: the same for the same inputs.

    code_prefix goes before every code as given, so end it with a separator ("W-").
    """
    entries, labels = _checked(entry_ids, stations, seed, code_prefix)
    key = bytes.fromhex(seed)
    shuffle = _Stream(key, "stations")
    for index in range(len(labels) - 1, 0, -1):
        other = shuffle.below(index + 1)
        labels[index], labels[other] = labels[other], labels[index]
    codes = _Stream(key, "codes")
    given: set[int] = set()
    lots = []
    for entry_id, station in zip(entries, labels, strict=False):
        index = codes.below(CODE_SPACE)
        while index in given:
            index = codes.below(CODE_SPACE)
        given.add(index)
        lots.append(Lot(entry_id, code_prefix + _code(index), station))
    return lots


def verify(
    entry_ids: Sequence[int],
    stations: int | Sequence[str],
    seed: str,
    lots: Sequence[Lot],
    code_prefix: str = "",
) -> bool:
    """Whether the lots are exactly what the draw gives (in any order); False if it cannot run."""
    try:
        expected = draw(entry_ids, stations, seed, code_prefix)
    except (TypeError, ValueError):
        return False
    return len(lots) == len(expected) and set(lots) == set(expected)


def fingerprint(
    entry_ids: Sequence[int],
    stations: int | Sequence[str],
    seed: str,
    code_prefix: str = "",
) -> str:
    """SHA-256 (hex) of everything the draw depends on, canonically encoded as JSON.

    The object has the keys algorithm, entries (sorted ids), prefix, seed and stations
    (sorted labels), written with sorted keys, no spaces and ASCII escapes.
    """
    entries, labels = _checked(entry_ids, stations, seed, code_prefix)
    document = {
        "algorithm": ALGORITHM,
        "entries": entries,
        "prefix": code_prefix,
        "seed": seed,
        "stations": labels,
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def record_draw(
    entry_ids: Sequence[int],
    stations: int | Sequence[str],
    seed: str,
    code_prefix: str = "",
    drawn_at: datetime | None = None,
) -> DrawRecord:
    """The audit record of a draw, stamped now (naive UTC) unless drawn_at is given."""
    return DrawRecord(
        seed=seed,
        drawn_at=utcnow() if drawn_at is None else drawn_at,
        entry_count=len(entry_ids),
        fingerprint=fingerprint(entry_ids, stations, seed, code_prefix),
    )


def _checked(
    entry_ids: Sequence[int], stations: int | Sequence[str], seed: str, code_prefix: str
) -> tuple[list[int], list[str]]:
    """The sorted entry ids and station labels of a draw, or an error saying what is wrong."""
    if not isinstance(seed, str) or not _SEED.fullmatch(seed):
        raise ValueError(f"the seed must be {2 * SEED_BYTES} lowercase hex digits, as new_seed()")
    if not isinstance(code_prefix, str):
        raise TypeError("the code prefix must be a string")
    if isinstance(entry_ids, str | bytes) or not isinstance(entry_ids, Sequence):
        raise TypeError("entry ids must be a sequence of integers")
    if any(isinstance(entry, bool) or not isinstance(entry, int) for entry in entry_ids):
        raise TypeError("entry ids must be integers")
    entries = sorted(entry_ids)
    labels = station_labels(stations)
    if not entries:
        raise ValueError(mark("There are no entries to draw."))
    if len(set(entries)) != len(entries):
        raise ValueError("an entry id is listed twice")
    if len(labels) < len(entries):
        raise ValueError(mark("There are fewer stations than entries."))
    if len(entries) > CODE_SPACE:
        raise ValueError("there are more entries than entry codes")
    return entries, labels


def _code(index: int) -> str:
    """The entry code at an index below CODE_SPACE: three letters, a hyphen, three digits."""
    letters, digits = divmod(index, len(CODE_DIGITS) ** 3)
    return "".join(_places(letters, CODE_LETTERS)) + "-" + "".join(_places(digits, CODE_DIGITS))


def _places(number: int, alphabet: str) -> Iterator[str]:
    """A number below len(alphabet) ** 3 as three symbols, most significant first."""
    base = len(alphabet)
    yield alphabet[number // base**2]
    yield alphabet[number // base % base]
    yield alphabet[number % base]


class _Stream:
    """The HMAC-SHA256 counter-mode byte stream of one purpose, and uniform integers from it."""

    def __init__(self, key: bytes, purpose: str) -> None:
        self._key = key
        self._label = f"{ALGORITHM}/{purpose}".encode("ascii") + b"\x00"
        self._counter = 0
        self._buffer = b""

    def read(self, count: int) -> bytes:
        """The next count bytes of the stream."""
        while len(self._buffer) < count:
            message = self._label + self._counter.to_bytes(8, "big")
            self._buffer += hmac.digest(self._key, message, hashlib.sha256)
            self._counter += 1
        taken, self._buffer = self._buffer[:count], self._buffer[count:]
        return taken

    def below(self, bound: int) -> int:
        """A uniform integer from 0 to bound - 1, by rejection sampling (no modulo bias)."""
        if bound == 1:
            return 0
        bits = (bound - 1).bit_length()
        mask = (1 << bits) - 1
        while True:
            value = int.from_bytes(self.read((bits + 7) // 8), "big") & mask
            if value < bound:
                return value
