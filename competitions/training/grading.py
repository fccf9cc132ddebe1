"""The one grading rule for practice, exams and contest theory papers: no database, no Flask.

A response is what the worker chose, in the question's own terms: option letters of the
stored order ("A", "C"), "true"/"false", or the text typed into a blank. Display letters of
a shuffled attempt are mapped back with `to_stored_letters` before grading.
"""

import re
import unicodedata
from collections.abc import Sequence

from competitions.questions.types import FALSE, OPTION_LETTERS, TRUE, QuestionType
from guild.i18n import mark

MAX_BLANK_LENGTH = 200
_SPACES = re.compile(r"\s+")


def normalise_blank(text: str) -> str:
    """A typed answer reduced for comparison: half-width (NFKC), no spaces, case folded.

    NFKC is applied again after folding: dropping a space or folding case can leave a
    letter and a combining mark that compose ("R¸" → "r" + U+0327 → "ŗ"), and both ways of
    writing it must compare equal (the result is a fixed point: normalising it changes nothing).
    """
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return _SPACES.sub("", unicodedata.normalize("NFKC", folded))


def grade(
    kind: QuestionType,
    key: Sequence[str],
    response: Sequence[str],
    partial_credit: bool = False,
) -> float:
    """The score of a response, from 0 to 1.

    Single choice and true/false are exact. Multiple choice is all-or-nothing; with partial
    credit, a response with no wrong option scores the share of the right ones it found
    (少选得分, 错选不得分). Fill-in-the-blank matches any listed alternative after
    normalise_blank.
    """
    if kind is QuestionType.FILL_BLANK:
        typed = normalise_blank(response[0]) if response else ""
        return 1.0 if typed and typed in {normalise_blank(item) for item in key} else 0.0
    chosen, right = set(response), set(key)
    if chosen == right:
        return 1.0
    if kind is QuestionType.MULTIPLE and partial_credit and chosen and chosen < right:
        return len(chosen) / len(right)
    return 0.0


def response_problem(kind: QuestionType, option_count: int, response: Sequence[str]) -> str:
    """Why a response cannot be graded (empty when it can), marked for translation.

    `response` is in display terms: letters of the options as shown, "true"/"false", or the
    typed text. Anything else (numbers, nulls from a JSON body) is refused, never an error.
    """
    if kind is QuestionType.FILL_BLANK:
        if len(response) != 1 or not isinstance(response[0], str) or not response[0].strip():
            return mark("Please type an answer.")
        if len(response[0]) > MAX_BLANK_LENGTH:
            return mark("The answer is too long.")
        return ""
    if kind is QuestionType.TRUE_FALSE:
        return "" if list(response) in ([TRUE], [FALSE]) else mark("Please choose true or false.")
    letters = OPTION_LETTERS[:option_count]
    if not response:
        return mark("Please choose an answer.")
    if any(not isinstance(letter, str) or len(letter) != 1 for letter in response):
        return mark("That option does not exist.")
    if any(letter not in letters for letter in response):
        return mark("That option does not exist.")
    if len(set(response)) != len(response):
        return mark("That option does not exist.")
    if kind is QuestionType.SINGLE and len(response) != 1:
        return mark("Choose exactly one option.")
    return ""


def to_stored_letters(order: Sequence[int], display: Sequence[str]) -> list[str]:
    """Map letters as displayed back to the stored options' letters, sorted.

    `order[i]` is the stored index of the option shown in place i.
    """
    return sorted(OPTION_LETTERS[order[OPTION_LETTERS.index(letter)]] for letter in display)


def to_display_letters(order: Sequence[int], stored: Sequence[str]) -> list[str]:
    """Map stored option letters to the letters the worker saw, sorted."""
    place = {index: position for position, index in enumerate(order)}
    return sorted(OPTION_LETTERS[place[OPTION_LETTERS.index(letter)]] for letter in stored)
