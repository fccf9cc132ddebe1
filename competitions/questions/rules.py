"""The rules a question must follow, shared by forms and every import."""

import unicodedata

from flask_babel import lazy_gettext as _l

from competitions.questions.types import (
    FALSE,
    MAX_OPTIONS,
    MIN_OPTIONS,
    OPTION_LETTERS,
    TRUE,
    QuestionData,
    QuestionType,
)

MAX_STEM = 2000
MAX_OPTION = 500
MAX_EXPLANATION = 2000
MAX_CHAPTER = 100
MAX_TAG = 30
MAX_ALTERNATIVES = 10
LEVEL_CODES = ("L5", "L4", "L3", "L2", "L1")


def problems(question: QuestionData) -> list[str]:
    """Every rule the question breaks, as messages in the user's language; [] when valid."""
    found = _text_problems(question)
    checker = {
        QuestionType.SINGLE: _choice_problems,
        QuestionType.MULTIPLE: _choice_problems,
        QuestionType.TRUE_FALSE: _true_false_problems,
        QuestionType.FILL_BLANK: _fill_blank_problems,
    }[question.type]
    return found + checker(question)


def _text_problems(question: QuestionData) -> list[str]:
    found = []
    if not question.stem.strip():
        found.append(str(_l("the stem is empty")))
    if question.stem.lstrip().startswith("=") or any(o.startswith("=") for o in question.options):
        found.append(str(_l("a stem or option must not start with = (spreadsheets run it)")))
    if len(question.stem) > MAX_STEM:
        found.append(str(_l("the stem is longer than %(max)d characters", max=MAX_STEM)))
    if len(question.explanation) > MAX_EXPLANATION:
        found.append(str(_l("the explanation is too long")))
    if not 1 <= question.difficulty <= 5:
        found.append(str(_l("the difficulty must be 1 to 5")))
    if len(question.chapter) > MAX_CHAPTER:
        found.append(str(_l("the chapter is too long")))
    if any(level not in LEVEL_CODES for level in question.levels):
        found.append(str(_l("the levels must be among L5 L4 L3 L2 L1")))
    if any(not tag or len(tag) > MAX_TAG for tag in question.tags):
        found.append(str(_l("a tag is empty or too long")))
    texts = (question.stem, question.explanation, question.chapter, *question.options)
    if any("\x00" in text for text in (*texts, *question.answer, *question.tags)):
        # A file can carry one; PostgreSQL cannot store it, and no question needs it.
        found.append(str(_l("the text holds a NUL character, which is not allowed")))
    return found


def _choice_problems(question: QuestionData) -> list[str]:
    count = len(question.options)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        return [str(_l("a choice question needs 2 to 8 options"))]
    found = []
    if any(not option.strip() or len(option) > MAX_OPTION for option in question.options):
        found.append(str(_l("an option is empty or too long")))
    allowed = OPTION_LETTERS[:count]
    if not question.answer or any(letter not in allowed for letter in question.answer):
        found.append(str(_l("the answer must be among the options %(letters)s", letters=allowed)))
    elif len(set(question.answer)) != len(question.answer):
        found.append(str(_l("the answer repeats an option")))
    elif question.type == QuestionType.SINGLE and len(question.answer) != 1:
        found.append(str(_l("a single choice has exactly one answer")))
    elif question.type == QuestionType.MULTIPLE and len(question.answer) < 2:
        found.append(str(_l("a multiple choice has at least two answers")))
    return found


def _true_false_problems(question: QuestionData) -> list[str]:
    found = []
    if question.options:
        found.append(str(_l("a true/false question has no options")))
    if question.answer not in ([TRUE], [FALSE]):
        found.append(str(_l("a true/false answer is true or false")))
    return found


def _fill_blank_problems(question: QuestionData) -> list[str]:
    found = []
    if question.options:
        found.append(str(_l("a fill-in-the-blank question has no options")))
    answers = [answer for answer in question.answer if answer.strip()]
    if not answers:
        found.append(str(_l("a fill-in-the-blank question needs an answer")))
    elif len(answers) > MAX_ALTERNATIVES or any(len(a) > MAX_OPTION for a in answers):
        found.append(str(_l("too many or too long accepted answers")))
    return found


def normalise_stem(stem: str) -> str:
    """The stem as compared for duplicates: spaces folded, full-width punctuation unified."""
    folded = unicodedata.normalize("NFKC", stem)
    return " ".join(folded.split()).casefold()
