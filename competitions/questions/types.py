"""The plain data every import, export and form speaks: no database, no Flask."""

from dataclasses import dataclass, field
from enum import StrEnum

from guild.i18n import mark, translate

OPTION_LETTERS = "ABCDEFGH"
MIN_OPTIONS, MAX_OPTIONS = 2, 8
TRUE, FALSE = "true", "false"


class QuestionType(StrEnum):
    """The four kinds of question a bank holds."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    FILL_BLANK = "fill_blank"

    @property
    def label(self) -> str:
        """The type's name in the user's language."""
        return translate(TYPE_LABELS[self])


TYPE_LABELS = {
    QuestionType.SINGLE: mark("Single choice"),
    QuestionType.MULTIPLE: mark("Multiple choice"),
    QuestionType.TRUE_FALSE: mark("True or false"),
    QuestionType.FILL_BLANK: mark("Fill in the blank"),
}


class QuestionStatus(StrEnum):
    """Where a question is in its life: drafted, in use, or retired."""

    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        """The status's name in the user's language."""
        return translate(STATUS_LABELS[self])


STATUS_LABELS = {
    QuestionStatus.DRAFT: mark("Draft"),
    QuestionStatus.ACTIVE: mark("Active"),
    QuestionStatus.RETIRED: mark("Retired"),
}


@dataclass
class QuestionData:
    """One question as imported, exported or edited.

    `answer` holds option letters for choice questions ("A", or "A", "C" for multiple),
    `true` or `false` for true/false, and the accepted answers for fill-in-the-blank.
    `options` is empty for true/false and fill-in-the-blank.
    """

    type: QuestionType
    stem: str
    options: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    explanation: str = ""
    difficulty: int = 3
    chapter: str = ""
    levels: list[str] = field(default_factory=list)  # SkillLevel codes, e.g. ["L5", "L4"]
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """Something wrong (an error) or worth a look (a warning) at one place of a file.

    `where` is a row number for spreadsheets (the header is row 1), or the question's number
    in the file (1-based) for GIFT and Moodle XML; 0 for the file as a whole.
    """

    where: int
    message: str


@dataclass(frozen=True)
class Unsupported:
    """A question of a type the bank does not hold, listed rather than silently dropped."""

    where: int
    kind: str  # the source format's type name, e.g. "essay", "matching", "cloze"
    title: str  # the question's name or the start of its text


@dataclass
class ParsedRow:
    """A question read from a file, with where it was and its normalised stem once computed."""

    where: int
    data: QuestionData
    key: str = field(default="", compare=False)  # normalise_stem(data.stem), computed once


@dataclass
class ParseReport:
    """What reading a file gave: questions, errors, warnings, and unsupported questions."""

    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file can be imported (unsupported questions are listed, not fatal)."""
        return not self.errors
