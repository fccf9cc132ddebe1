"""The lot drawing on its own: no database, no app. Examples, statistics and properties."""

import hashlib
import hmac
import json
from collections import Counter
from datetime import datetime
from itertools import permutations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competitions.contests.lots import (
    ALGORITHM,
    CODE_DIGITS,
    CODE_LETTERS,
    CODE_PATTERN,
    CODE_SPACE,
    DrawRecord,
    Lot,
    draw,
    fingerprint,
    new_seed,
    record_draw,
    station_labels,
    verify,
)

SEED = "5e" * 32
OTHER_SEED = "a7" * 32
ENTRIES = [104, 17, 58, 23, 91, 42, 66, 8]


def fixed_seed(number: int) -> str:
    """The number-th of a fixed list of seeds, so statistical tests cannot flake."""
    return hashlib.sha256(f"lots-test-{number}".encode()).hexdigest()


seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)
entry_lists = st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=40, unique=True)


@st.composite
def draws(draw_from) -> tuple[list[int], int | list[str], str]:
    """Entry ids, enough stations (a count or shuffled labels) and a seed."""
    entries = draw_from(entry_lists)
    count = draw_from(st.integers(len(entries), len(entries) + 10))
    if draw_from(st.booleans()):
        return entries, count, draw_from(seeds)
    labels = draw_from(st.permutations([f"Bay {number}" for number in range(count)]))
    return entries, labels, draw_from(seeds)


def reference_draw(entry_ids, stations, seed, code_prefix=""):
    """The draw re-implemented from the module docstring alone, as an auditor would."""
    key = bytes.fromhex(seed)

    def stream(purpose):
        for counter in range(2**64):
            message = f"{ALGORITHM}/{purpose}".encode() + b"\x00" + counter.to_bytes(8, "big")
            yield from hmac.new(key, message, hashlib.sha256).digest()

    def below(source, bound):
        bits = (bound - 1).bit_length()
        while bound > 1:
            raw = bytes(next(source) for _ in range((bits + 7) // 8))
            value = int.from_bytes(raw, "big") & ((1 << bits) - 1)
            if value < bound:
                return value
        return 0

    if isinstance(stations, int):
        width = max(2, len(str(stations)))
        stations = [str(number).zfill(width) for number in range(1, stations + 1)]
    labels = sorted(stations)
    shuffle = stream("stations")
    for index in reversed(range(1, len(labels))):
        other = below(shuffle, index + 1)
        labels[index], labels[other] = labels[other], labels[index]
    codes, given, lots = stream("codes"), [], []
    for entry_id, station in zip(sorted(entry_ids), labels, strict=False):
        index = below(codes, CODE_SPACE)
        while index in given:
            index = below(codes, CODE_SPACE)
        given.append(index)
        letters, digits = divmod(index, len(CODE_DIGITS) ** 3)
        code = "".join(CODE_LETTERS[letters // 19**place % 19] for place in (2, 1, 0))
        code += "-" + "".join(CODE_DIGITS[digits // 8**place % 8] for place in (2, 1, 0))
        lots.append(Lot(entry_id, code_prefix + code, station))
    return lots


def chi_square(counts, expected: float) -> float:
    """Pearson's statistic of observed counts against one expected count for every cell."""
    return sum((observed - expected) ** 2 / expected for observed in counts)


def test_new_seed_is_32_random_bytes_in_hex():
    first, second = new_seed(), new_seed()
    assert len(bytes.fromhex(first)) == 32
    assert first == first.lower()
    assert first != second
    assert draw(ENTRIES, 10, first)


def test_the_same_seed_gives_the_same_draw():
    assert draw(ENTRIES, 10, SEED, "A-") == draw(ENTRIES, 10, SEED, "A-")


def test_a_known_draw_never_changes():
    """Recorded seeds must re-run to the same lots after any refactoring of the module."""
    assert draw([3, 1, 2], 4, "00" * 32) == [
        Lot(1, "FKH-233", "04"),
        Lot(2, "DPJ-434", "02"),
        Lot(3, "LLK-923", "03"),
    ]
    assert fingerprint([3, 1, 2], 4, "00" * 32) == (
        "73c28ff386d13a7b768bb6c5e3097dd58c0ea8e878daac07e79c20e09a83e4c6"
    )


def test_different_seeds_give_different_draws():
    lots = [draw(ENTRIES, 10, fixed_seed(number)) for number in range(50)]
    assert len({tuple(result) for result in lots}) == 50
    assert len({tuple(lot.station for lot in result) for result in lots}) == 50
    assert draw(ENTRIES, 10, SEED) != draw(ENTRIES, 10, OTHER_SEED)


def test_input_order_does_not_matter():
    lots = draw(ENTRIES, ["C", "A", "B", "E", "D", "G", "F", "H"], SEED)
    assert lots == draw(sorted(ENTRIES), ["A", "B", "C", "D", "E", "F", "G", "H"], SEED)
    assert lots == draw(tuple(reversed(ENTRIES)), ["H", "G", "F", "E", "D", "C", "B", "A"], SEED)
    assert [lot.entry_id for lot in lots] == sorted(ENTRIES)


def test_codes_are_unique_well_formed_and_prefixed():
    lots = draw(range(1, 301), 300, SEED, code_prefix="W-")
    codes = [lot.code for lot in lots]
    assert len(set(codes)) == 300
    assert all(code.startswith("W-") and CODE_PATTERN.fullmatch(code[2:]) for code in codes)
    assert not set("".join(codes)) & set("AEIOUYQ01")


def test_codes_are_not_sequential_nor_follow_the_entry_ids():
    codes = [lot.code for lot in draw(range(1, 41), 40, SEED)]
    assert codes != sorted(codes)
    assert codes != sorted(codes, reverse=True)
    assert len({code[:3] for code in codes}) > 30


def test_the_code_space_is_all_codes_of_the_pattern():
    assert CODE_SPACE == 19**3 * 8**3 == 3_511_808
    assert len(set(CODE_LETTERS)) == 19
    assert len(set(CODE_DIGITS)) == 8


def test_every_station_is_used_at_most_once():
    lots = draw(ENTRIES, 20, SEED)
    assert len({lot.station for lot in lots}) == len(ENTRIES)
    assert {lot.station for lot in lots} <= set(station_labels(20))


def test_station_labels_for_a_count_are_zero_padded():
    assert station_labels(3) == ["01", "02", "03"]
    assert station_labels(12)[-1] == "12"
    assert station_labels(150)[:2] == ["001", "002"]
    assert station_labels(0) == []
    assert station_labels(["B-2", "B-10", "A-1"]) == ["A-1", "B-10", "B-2"]


def test_exactly_as_many_stations_as_entries_uses_them_all():
    lots = draw(ENTRIES, len(ENTRIES), SEED)
    assert sorted(lot.station for lot in lots) == station_labels(len(ENTRIES))


def test_too_few_stations_are_refused():
    with pytest.raises(ValueError, match="fewer stations than entries"):
        draw(ENTRIES, len(ENTRIES) - 1, SEED)
    with pytest.raises(ValueError, match="fewer stations than entries"):
        draw([1, 2, 3], ["A", "B"], SEED)
    with pytest.raises(ValueError, match="fewer stations than entries"):
        draw([1], 0, SEED)


def test_duplicate_entry_ids_are_refused():
    with pytest.raises(ValueError, match="listed twice"):
        draw([4, 7, 4], 5, SEED)


@pytest.mark.parametrize(
    ("entry_ids", "stations", "seed", "prefix", "error", "message"),
    [
        ([], 4, SEED, "", ValueError, "no entries"),
        ([1, 2], 4, "5E" * 32, "", ValueError, "lowercase hex"),
        ([1, 2], 4, "5e" * 16, "", ValueError, "lowercase hex"),
        ([1, 2], 4, "zz" * 32, "", ValueError, "lowercase hex"),
        ([1, 2], 4, None, "", ValueError, "lowercase hex"),
        ([1, "2"], 4, SEED, "", TypeError, "integers"),
        ([1, True], 4, SEED, "", TypeError, "integers"),
        ("12", 4, SEED, "", TypeError, "sequence of integers"),
        ({1, 2}, 4, SEED, "", TypeError, "sequence of integers"),
        ([1, 2], -1, SEED, "", ValueError, "negative"),
        ([1, 2], True, SEED, "", TypeError, "count or a sequence"),
        ([1, 2], 2.0, SEED, "", TypeError, "count or a sequence"),
        ([1, 2], "AB", SEED, "", TypeError, "not one string"),
        ([1, 2], ["A", 2], SEED, "", TypeError, "must be strings"),
        ([1, 2], ["A", " "], SEED, "", ValueError, "needs a label"),
        ([1, 2], ["A", "A", "B"], SEED, "", ValueError, "same label"),
        ([1, 2], 4, SEED, None, TypeError, "prefix"),
    ],
)
def test_bad_inputs_are_refused(entry_ids, stations, seed, prefix, error, message):
    with pytest.raises(error, match=message):
        draw(entry_ids, stations, seed, prefix)
    assert not verify(entry_ids, stations, seed, [], prefix)


def test_verify_accepts_the_draw_in_any_order():
    lots = draw(ENTRIES, 10, SEED, "K-")
    assert verify(ENTRIES, 10, SEED, lots, "K-")
    assert verify(list(reversed(ENTRIES)), 10, SEED, list(reversed(lots)), "K-")


def test_verify_detects_tampering():
    lots = draw(ENTRIES, 10, SEED)
    first, second = lots[0], lots[1]
    swapped_stations = [
        Lot(first.entry_id, first.code, second.station),
        Lot(second.entry_id, second.code, first.station),
        *lots[2:],
    ]
    swapped_codes = [
        Lot(first.entry_id, second.code, first.station),
        Lot(second.entry_id, first.code, second.station),
        *lots[2:],
    ]
    unused = next(label for label in station_labels(10) if label not in {x.station for x in lots})
    moved = [Lot(first.entry_id, first.code, unused), *lots[1:]]
    for tampered in (swapped_stations, swapped_codes, moved, lots[1:], [*lots, lots[0]]):
        assert not verify(ENTRIES, 10, SEED, tampered)
    assert not verify(ENTRIES, 10, OTHER_SEED, lots)
    assert not verify([*ENTRIES, 200], 10, SEED, lots)
    assert not verify(ENTRIES, 11, SEED, lots)
    assert not verify(ENTRIES, 10, SEED, lots, "K-")


def test_the_record_fingerprints_what_was_drawn():
    drawn_at = datetime(2025, 3, 14, 1, 30)
    record = record_draw(ENTRIES, 10, SEED, "K-", drawn_at=drawn_at)
    assert record == DrawRecord(SEED, drawn_at, len(ENTRIES), fingerprint(ENTRIES, 10, SEED, "K-"))
    assert len(bytes.fromhex(record.fingerprint)) == 32
    assert record.fingerprint == fingerprint(list(reversed(ENTRIES)), 10, SEED, "K-")
    assert record.fingerprint == fingerprint(
        ENTRIES, list(reversed(station_labels(10))), SEED, "K-"
    )
    changed = [
        fingerprint(ENTRIES, 10, OTHER_SEED, "K-"),
        fingerprint(ENTRIES[1:], 10, SEED, "K-"),
        fingerprint(ENTRIES, 11, SEED, "K-"),
        fingerprint(ENTRIES, 10, SEED, ""),
    ]
    assert record.fingerprint not in changed
    assert len(set(changed)) == len(changed)


def test_the_fingerprint_is_the_documented_encoding():
    document = {
        "algorithm": ALGORITHM,
        "entries": [1, 2],
        "prefix": "",
        "seed": SEED,
        "stations": ["01", "02", "03"],
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    assert fingerprint([2, 1], 3, SEED) == hashlib.sha256(encoded).hexdigest()


def test_the_record_is_stamped_now_in_naive_utc(monkeypatch):
    moment = datetime(2025, 6, 1, 8, 0)
    monkeypatch.setattr("competitions.contests.lots.utcnow", lambda: moment)
    record = record_draw(ENTRIES, 10, SEED)
    assert record.drawn_at == moment


def test_the_real_stamp_is_naive():
    assert record_draw([1], 1, SEED).drawn_at.tzinfo is None


def test_the_record_refuses_what_the_draw_refuses():
    with pytest.raises(ValueError, match="fewer stations"):
        record_draw(ENTRIES, 3, SEED)


def test_each_entry_lands_on_each_station_uniformly():
    """4 entries on 6 stations over 3,000 fixed seeds: 500 expected per entry and station."""
    counts = Counter()
    for number in range(3000):
        for lot in draw([10, 20, 30, 40], 6, fixed_seed(number)):
            counts[lot.entry_id, lot.station] += 1
    cells = [counts[entry, station] for entry in (10, 20, 30, 40) for station in station_labels(6)]
    # 20 degrees of freedom at most: the 0.1 % critical value is 45.3, the bound is generous.
    assert chi_square(cells, 500) < 60


def test_every_arrangement_is_equally_likely():
    """3 entries on 3 stations: each of the 6 permutations 400 times in 2,400 fixed seeds."""
    counts = Counter(
        tuple(lot.station for lot in draw([1, 2, 3], 3, fixed_seed(number)))
        for number in range(2400)
    )
    assert set(counts) == set(permutations(["01", "02", "03"]))
    # 5 degrees of freedom: the 0.1 % critical value is 20.5.
    assert chi_square([counts[arrangement] for arrangement in counts], 400) < 30


def test_code_symbols_are_uniform():
    """Each letter place and digit place over 1,900 fixed one-entry draws."""
    codes = [draw([1], 1, fixed_seed(number))[0].code for number in range(1900)]
    for place, alphabet in ((0, CODE_LETTERS), (2, CODE_LETTERS), (4, CODE_DIGITS)):
        counts = Counter(code[place] for code in codes)
        assert set(counts) <= set(alphabet)
        expected = len(codes) / len(alphabet)
        # 18 degrees of freedom at most: the 0.1 % critical value is 42.3.
        assert chi_square([counts[symbol] for symbol in alphabet], expected) < 60


@given(draws(), st.sampled_from(["", "A-", "焊"]))
def test_property_a_draw_is_well_formed(inputs, prefix):
    entries, stations, seed = inputs
    lots = draw(entries, stations, seed, prefix)
    labels = station_labels(stations)
    assert [lot.entry_id for lot in lots] == sorted(entries)
    assert len({lot.code for lot in lots}) == len(lots)
    assert all(lot.code.startswith(prefix) for lot in lots)
    assert all(CODE_PATTERN.fullmatch(lot.code.removeprefix(prefix)) for lot in lots)
    assert len({lot.station for lot in lots}) == len(lots)
    assert {lot.station for lot in lots} <= set(labels)
    assert verify(entries, stations, seed, lots, prefix)


@given(draws(), st.randoms(use_true_random=False))
def test_property_input_order_is_irrelevant(inputs, random):
    entries, stations, seed = inputs
    shuffled_entries = list(entries)
    random.shuffle(shuffled_entries)
    if not isinstance(stations, int):
        stations = list(stations)
        random.shuffle(stations)
    assert draw(shuffled_entries, stations, seed) == draw(entries, inputs[1], seed)
    assert fingerprint(shuffled_entries, stations, seed) == fingerprint(entries, inputs[1], seed)


@given(draws())
def test_property_the_draw_follows_the_documented_algorithm(inputs):
    assert draw(*inputs, "P-") == reference_draw(*inputs, "P-")


@given(draws(), st.data())
def test_property_any_changed_lot_fails_verification(inputs, data):
    entries, stations, seed = inputs
    lots = draw(entries, stations, seed)
    index = data.draw(st.integers(0, len(lots) - 1))
    target = lots[index]
    new_code = data.draw(st.from_regex(CODE_PATTERN, fullmatch=True))
    new_station = data.draw(st.sampled_from(station_labels(stations)))
    changed = Lot(target.entry_id, new_code, new_station)
    tampered = [*lots[:index], changed, *lots[index + 1 :]]
    assert verify(entries, stations, seed, tampered) == (changed == target)


@given(st.lists(st.integers(), min_size=3, max_size=10, unique=True), seeds, seeds)
def test_property_distinct_seeds_give_distinct_codes(entries, seed, other):
    if seed != other:
        first = [lot.code for lot in draw(entries, len(entries), seed)]
        assert first != [lot.code for lot in draw(entries, len(entries), other)]
