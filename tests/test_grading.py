"""The grading rule on its own: no database, no app. Examples and hypothesis properties."""

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from competitions.questions.types import FALSE, OPTION_LETTERS, TRUE, QuestionType
from competitions.training.grading import (
    MAX_BLANK_LENGTH,
    grade,
    normalise_blank,
    response_problem,
    to_display_letters,
    to_stored_letters,
)

SINGLE, MULTIPLE = QuestionType.SINGLE, QuestionType.MULTIPLE
TRUE_FALSE, FILL_BLANK = QuestionType.TRUE_FALSE, QuestionType.FILL_BLANK


@st.composite
def orders(draw, min_size: int = 2) -> list[int]:
    """A shuffled option order of 2 to 8 options: the stored index shown at each place."""
    count = draw(st.integers(min_size, len(OPTION_LETTERS)))
    return draw(st.permutations(list(range(count))))


@st.composite
def order_and_letters(draw) -> tuple[list[int], list[str]]:
    """An order and some distinct letters among its options."""
    order = draw(orders())
    letters = draw(st.lists(st.sampled_from(OPTION_LETTERS[: len(order)]), min_size=1, unique=True))
    return order, letters


@st.composite
def choice_keys(draw) -> tuple[QuestionType, int, list[str]]:
    """A valid key of a choice question: its type, option count and letters."""
    count = draw(st.integers(2, len(OPTION_LETTERS)))
    kind = draw(st.sampled_from([SINGLE, MULTIPLE]))
    letters = list(OPTION_LETTERS[:count])
    size = 1 if kind is SINGLE else draw(st.integers(2, count))
    key = draw(st.lists(st.sampled_from(letters), min_size=size, max_size=size, unique=True))
    return kind, count, key


# ---- option letters: display ↔ stored ------------------------------------------------------


def test_letters_map_through_the_shown_order():
    """Place i shows stored option order[i]: with D, A, C, B shown, display A is stored D."""
    order = [3, 0, 2, 1]
    assert to_stored_letters(order, ["A"]) == ["D"]
    assert to_stored_letters(order, ["B", "D"]) == ["A", "B"]
    assert to_display_letters(order, ["D"]) == ["A"]
    assert to_display_letters(order, ["A", "B"]) == ["B", "D"]


@given(order_and_letters())
def test_display_letters_round_trip(case):
    """Any permutation, any letters shown: stored and back gives the letters shown, sorted."""
    order, shown = case
    stored = to_stored_letters(order, shown)
    assert to_display_letters(order, stored) == sorted(shown)
    assert len(set(stored)) == len(shown)
    assert all(letter in OPTION_LETTERS[: len(order)] for letter in stored)


@given(order_and_letters())
def test_stored_letters_round_trip(case):
    """Any permutation, any stored letters: to display and back gives them, sorted."""
    order, stored = case
    assert to_stored_letters(order, to_display_letters(order, stored)) == sorted(stored)


@given(order_and_letters())
def test_identity_order_changes_no_letter(case):
    """Unshuffled options show each letter as stored."""
    order, letters = case
    identity = list(range(len(order)))
    assert to_stored_letters(identity, letters) == sorted(letters)
    assert to_display_letters(identity, letters) == sorted(letters)


@given(orders(), st.data())
def test_the_key_shown_shuffled_grades_right(order, data):
    """Whatever the order, choosing the places where the key's options are shown is right."""
    letters = OPTION_LETTERS[: len(order)]
    key = data.draw(st.lists(st.sampled_from(letters), min_size=2, unique=True))
    shown = to_display_letters(order, key)
    assert grade(MULTIPLE, key, to_stored_letters(order, shown)) == 1.0
    wrong_place = [letter for letter in letters if letter not in shown][:1]
    if wrong_place:  # one more option than the key: all-or-nothing gives nothing
        assert grade(MULTIPLE, key, to_stored_letters(order, shown + wrong_place)) == 0.0


# ---- grade ----------------------------------------------------------------------------------


@given(choice_keys(), st.booleans(), st.randoms(use_true_random=False))
def test_the_key_itself_scores_one(case, partial, rnd):
    """A response equal to the key (in any order) is worth full marks, credit or not."""
    kind, _count, key = case
    response = list(key)
    rnd.shuffle(response)
    assert grade(kind, key, response, partial_credit=partial) == 1.0


@given(st.sampled_from([TRUE, FALSE]))
def test_true_false_is_exact(key):
    assert grade(TRUE_FALSE, [key], [key]) == 1.0
    other = FALSE if key == TRUE else TRUE
    assert grade(TRUE_FALSE, [key], [other]) == 0.0
    assert grade(TRUE_FALSE, [key], []) == 0.0


def test_single_choice_is_exact():
    assert grade(SINGLE, ["B"], ["B"]) == 1.0
    assert grade(SINGLE, ["B"], ["A"]) == 0.0
    assert grade(SINGLE, ["B"], []) == 0.0
    # Partial credit is for multiple choice only.
    assert grade(SINGLE, ["B"], ["A"], partial_credit=True) == 0.0


def test_multiple_choice_all_or_nothing_by_default():
    key = ["A", "C", "D"]
    assert grade(MULTIPLE, key, ["D", "A", "C"]) == 1.0
    assert grade(MULTIPLE, key, ["A", "C"]) == 0.0
    assert grade(MULTIPLE, key, ["A", "B", "C", "D"]) == 0.0
    assert grade(MULTIPLE, key, []) == 0.0


def test_multiple_choice_partial_credit():
    """少选得分, 错选不得分: the share of right options found, nothing with any wrong one."""
    key = ["A", "C", "D", "E"]
    assert grade(MULTIPLE, key, ["A"], partial_credit=True) == 0.25
    assert grade(MULTIPLE, key, ["C", "E"], partial_credit=True) == 0.5
    assert grade(MULTIPLE, key, ["A", "C", "D"], partial_credit=True) == 0.75
    assert grade(MULTIPLE, key, key, partial_credit=True) == 1.0
    assert grade(MULTIPLE, key, ["A", "B"], partial_credit=True) == 0.0
    assert grade(MULTIPLE, key, ["B"], partial_credit=True) == 0.0
    assert grade(MULTIPLE, key, [], partial_credit=True) == 0.0


@given(choice_keys(), st.data())
def test_partial_credit_property(case, data):
    """Any response scores within [0, 1]; a subset of the key scores its share; else 0."""
    _kind, count, key = case
    letters = OPTION_LETTERS[:count]
    response = data.draw(st.lists(st.sampled_from(letters), unique=True))
    score = grade(MULTIPLE, key, response, partial_credit=True)
    strict = grade(MULTIPLE, key, response)
    assert 0.0 <= strict <= score <= 1.0
    if set(response) == set(key):
        assert score == strict == 1.0
    elif response and set(response) < set(key):
        assert score == len(response) / len(key)
        assert strict == 0.0
    else:
        assert score == 0.0


# ---- fill in the blank --------------------------------------------------------------------


def test_full_width_spaced_upper_case_matches():
    assert normalise_blank("ＡＢＣ １２") == "abc12"
    assert normalise_blank("ＡＢＣ\u3000１２") == "abc12"  # the ideographic space too
    assert normalise_blank(" a B\tc 1\n2 ") == "abc12"
    assert grade(FILL_BLANK, ["abc12"], ["ＡＢＣ １２"]) == 1.0
    assert grade(FILL_BLANK, ["ABC 12"], ["abc12"]) == 1.0


def test_fill_blank_matches_any_alternative():
    key = ["接地", "保护接地", "PE"]
    assert grade(FILL_BLANK, key, ["保护 接地"]) == 1.0
    assert grade(FILL_BLANK, key, ["ｐｅ"]) == 1.0
    assert grade(FILL_BLANK, key, ["接零"]) == 0.0
    assert grade(FILL_BLANK, key, ["接地线"]) == 0.0  # whole answers, not substrings
    assert grade(FILL_BLANK, key, []) == 0.0
    assert grade(FILL_BLANK, key, ["   "]) == 0.0


def test_fill_blank_units_and_symbols_fold():
    """Full-width digits, letters and punctuation are their half-width selves."""
    assert grade(FILL_BLANK, ["220V"], ["２２０ｖ"]) == 1.0
    assert grade(FILL_BLANK, ["3.14"], ["３．１４"]) == 1.0
    assert grade(FILL_BLANK, ["220V"], ["22OV"]) == 0.0  # a letter O is not a zero


FULL_WIDTH = {chr(code): chr(code + 0xFEE0) for code in range(0x21, 0x7F)}


@given(
    st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=30),
    st.data(),
)
def test_any_full_width_spacing_and_case_variant_matches(word, data):
    """Each character may be full-width, change case, and have spaces around it."""
    typed = ""
    for char in word:
        if data.draw(st.booleans()):
            char = char.swapcase()
        if data.draw(st.booleans()):
            char = FULL_WIDTH[char]
        typed += data.draw(st.sampled_from(["", " ", "\u3000", "\t"])) + char
    assert normalise_blank(typed) == word.lower()
    assert grade(FILL_BLANK, [word], [typed]) == 1.0


@given(st.text())
def test_normalising_twice_changes_nothing(text):
    """The normal form is a fixed point, so a key and its normalised self always agree."""
    once = normalise_blank(text)
    assert normalise_blank(once) == once
    assert not any(char.isspace() for char in once)


def test_composing_marks_compare_equal_whatever_the_spelling():
    """ "R" + a spacing cedilla (NFKC: space + combining cedilla) is "ŗ" once the space goes."""
    assert normalise_blank("R¸") == normalise_blank("ŗ") == normalise_blank("r\u0327")
    assert grade(FILL_BLANK, ["ŗ"], ["R¸"]) == 1.0


@given(st.text(min_size=1, max_size=50))
def test_any_fill_blank_key_matches_itself(key):
    assume(normalise_blank(key))
    assert grade(FILL_BLANK, [key], [key]) == 1.0
    assert grade(FILL_BLANK, ["别的答案", key], [f" {key} "]) == 1.0


# ---- response_problem ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "count", "response"),
    [
        (SINGLE, 4, ["A"]),
        (SINGLE, 4, ["D"]),
        (MULTIPLE, 4, ["A", "D"]),
        (MULTIPLE, 8, ["H"]),
        (TRUE_FALSE, 0, [TRUE]),
        (TRUE_FALSE, 0, [FALSE]),
        (FILL_BLANK, 0, ["接地"]),
        (FILL_BLANK, 0, ["x" * MAX_BLANK_LENGTH]),
    ],
)
def test_gradable_responses(kind, count, response):
    assert response_problem(kind, count, response) == ""


@pytest.mark.parametrize(
    ("kind", "count", "response", "problem"),
    [
        (SINGLE, 4, [], "Please choose an answer."),
        (SINGLE, 4, ["A", "B"], "Choose exactly one option."),
        (SINGLE, 4, ["E"], "That option does not exist."),
        (SINGLE, 4, ["a"], "That option does not exist."),
        (SINGLE, 4, [""], "That option does not exist."),
        (SINGLE, 4, ["AB"], "That option does not exist."),
        (MULTIPLE, 3, ["A", "D"], "That option does not exist."),
        (MULTIPLE, 4, ["A", "A"], "That option does not exist."),
        (MULTIPLE, 4, [], "Please choose an answer."),
        (TRUE_FALSE, 0, [], "Please choose true or false."),
        (TRUE_FALSE, 0, ["A"], "Please choose true or false."),
        (TRUE_FALSE, 0, [TRUE, FALSE], "Please choose true or false."),
        (TRUE_FALSE, 0, ["True"], "Please choose true or false."),
        (FILL_BLANK, 0, [], "Please type an answer."),
        (FILL_BLANK, 0, ["  \u3000 "], "Please type an answer."),
        (FILL_BLANK, 0, ["a", "b"], "Please type an answer."),
        (FILL_BLANK, 0, ["x" * (MAX_BLANK_LENGTH + 1)], "The answer is too long."),
        # What a JSON body may carry instead of strings is refused, not a crash.
        (SINGLE, 4, [1], "That option does not exist."),
        (MULTIPLE, 4, ["A", None], "That option does not exist."),
        (MULTIPLE, 4, [["A"]], "That option does not exist."),
        (TRUE_FALSE, 0, [True], "Please choose true or false."),
        (FILL_BLANK, 0, [None], "Please type an answer."),
        (FILL_BLANK, 0, [12], "Please type an answer."),
    ],
)
def test_ungradable_responses(kind, count, response, problem):
    assert response_problem(kind, count, response) == problem


@given(orders(), st.data())
def test_letters_beyond_the_options_never_pass(order, data):
    count = len(order)
    outside = data.draw(st.sampled_from(OPTION_LETTERS[count:] + "IZ"))
    inside = data.draw(st.lists(st.sampled_from(OPTION_LETTERS[:count]), unique=True))
    assert response_problem(MULTIPLE, count, [*inside, outside]) != ""
    assert response_problem(SINGLE, count, [outside]) != ""
    if inside:
        assert response_problem(MULTIPLE, count, inside) == ""
        assert (response_problem(SINGLE, count, inside) == "") == (len(inside) == 1)
