"""GIFT, Moodle's plain-text question format: read a file into questions, and write questions.

Follows Moodle's reader (question/format/gift): questions are separated by blank lines, lines
starting with // are comments (// [tag:name] gives tags), ::name:: is optional, the answers are
in {...}, and \\~ \\= \\# \\{ \\} \\: \\\\ and \\n are escapes.
"""

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from competitions.questions.interchange.common import (
    accept,
    chapter_of,
    chapters_first,
    decode_utf8,
    finish,
    html_to_text,
    not_utf8_message,
    title_of,
)
from competitions.questions.interchange.moodle_xml import (
    COURSE_PREFIX,
    Read,
    choice_fraction,
    format_fraction,
)
from competitions.questions.types import (
    FALSE,
    OPTION_LETTERS,
    TRUE,
    ParseReport,
    Problem,
    QuestionData,
    QuestionType,
    Unsupported,
)

ESCAPABLE = "~=#{}:"
# Escaped characters are swapped for private-use code points while the answers are split.
PLACEHOLDER = {char: chr(0xF0000 + ord(char)) for char in ESCAPABLE + "n"}
RESTORE = str.maketrans({code: "\n" if char == "n" else char for char, code in PLACEHOLDER.items()})
ESCAPE = re.compile(r"\\([\\~=#{}:n])")
WEIGHT = re.compile(r"^%(-?[0-9]+(?:\.[0-9]*)?)%")
TAG = re.compile(r"\[tag:((?:\\]|[^\]\x00-\x1f<>`])+)\]")
FORMATS = ("moodle", "html", "plain", "markdown")
TRUE_FALSE = {"T": TRUE, "TRUE": TRUE, "F": FALSE, "FALSE": FALSE}
CATEGORY = "$CATEGORY:"


@dataclass
class _Question:
    """One question's text as found in the file, escapes already swapped for placeholders."""

    where: int
    text: str
    chapter: str
    tags: list[str] = field(default_factory=list)


def parse_gift(content: bytes) -> ParseReport:
    """Read a GIFT file: the questions we hold, errors, warnings, and the others listed."""
    text = decode_utf8(content)
    if text is None:
        return ParseReport(errors=[Problem(0, not_utf8_message())])
    report = ParseReport()
    chapter, number = "", 0
    for lines in _blocks(text):
        comments = [line for line in lines if line.startswith("//")]
        body = ESCAPE.sub(_placeholder, "\n".join(ln for ln in lines if not ln.startswith("//")))
        if body.startswith(CATEGORY):
            first, _, body = body.partition("\n")
            chapter = chapter_of(first[len(CATEGORY) :].translate(RESTORE))
        if not body.strip():
            continue
        number += 1
        question = _Question(number, body.strip(), chapter, _tags(comments))
        _read_question(report, question)
    finish(report)
    return report


def _blocks(text: str) -> list[list[str]]:
    """The file's groups of trimmed lines, split at blank lines."""
    blocks: list[list[str]] = [[]]
    for line in re.split(r"\r\n|\r|\n", text):  # Moodle splits at line ends only
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _placeholder(match: re.Match) -> str:
    char = match.group(1)
    return "\\" if char == "\\" else PLACEHOLDER[char]


def _tags(comments: list[str]) -> list[str]:
    found = TAG.findall("\n".join(comments))
    return [tag.replace("\\]", "]").strip() for tag in found if tag.strip()]


def _plain(text: str, default_format: str) -> tuple[str, str]:
    """A text without its [format] prefix, as plain text, and its format."""
    text_format = default_format
    if text.startswith("["):
        name = text[1 : text.find("]")] if "]" in text else ""
        if name in FORMATS:
            text_format, text = name, text[len(name) + 2 :]
    if text_format == "html":
        text = html_to_text(text)
    return text.translate(RESTORE).strip(), text_format


def _read_question(report: ParseReport, question: _Question) -> None:
    name, text = _take_name(question.text)
    start, end = text.find("{"), text.find("}")
    if start == -1 and end == -1:
        return _unsupported(report, question, "description", name, text)
    if start == -1 or end < start or "{" in text[end:] or "}" in text[end + 1 :]:
        message = _l("a brace { or } is not matched; write \\{ or \\} for a brace in the text")
        report.errors.append(Problem(question.where, str(message)))
        return None
    if text[end + 1 :].strip():
        return _unsupported(report, question, "missingword", name, text[:start])
    answers, separator, feedback = text[start + 1 : end].strip().rpartition("####")
    if not separator:  # no general feedback
        answers, feedback = feedback, ""
    answers = answers.strip()
    stem, text_format = _plain(text[:start], "moodle")
    kind = _kind(answers)
    if kind not in _READERS:
        return _unsupported(report, question, kind, name, stem)
    question_type, options, answer = _READERS[kind](report, question.where, answers, text_format)
    data = QuestionData(
        type=question_type,
        stem=stem,
        options=options,
        answer=answer,
        explanation=_plain(feedback, text_format)[0],
        chapter=question.chapter,
        tags=question.tags,
    )
    accept(report, question.where, data)
    return None


def _take_name(text: str) -> tuple[str, str]:
    if not text.startswith("::"):
        return "", text
    text = text[2:]
    end = text.find("::")
    if end == -1:
        return "", text
    return text[:end].translate(RESTORE).strip(), text[end + 2 :].strip()


def _unsupported(report: ParseReport, question: _Question, kind: str, name: str, text: str) -> None:
    title = name or title_of(_plain(text, "moodle")[0])
    report.unsupported.append(Unsupported(question.where, kind, title))


def _kind(answers: str) -> str:
    """The Moodle question type of an answer block, tested in Moodle's order."""
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "multichoice"
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#", 1)[0].strip() in TRUE_FALSE:
        return "truefalse"
    return "shortanswer"


def _split_answers(answers: str, separator: str) -> list[str]:
    """The answers of a block, the first dropped when empty, as Moodle splits them."""
    parts = [part.strip() for part in answers.split(separator)]
    return parts[1:] if parts and not parts[0] else parts


def _multichoice(report: ParseReport, where: int, answers: str, text_format: str) -> Read:
    single = "=" in answers  # Moodle: an "=" answer makes it single; weights alone, multiple
    options, weights = [], []
    for part in _split_answers(answers.replace("=", "~="), "~"):
        weight, part = _weight(part, 0.0)
        if part.startswith("="):
            weight, part = 100.0, part[1:]
        options.append(_plain(part.split("#", 1)[0], text_format)[0])
        weights.append(weight)
    if single:
        right = [index for index, weight in enumerate(weights) if weight == 100]
        if any(0 < weight < 100 for weight in weights):
            message = _l("options with partial credit are imported as wrong options")
            report.warnings.append(Problem(where, str(message)))
    else:
        right = [index for index, weight in enumerate(weights) if weight > 0]
    letters = [OPTION_LETTERS[index] for index in right if index < len(OPTION_LETTERS)]
    return (QuestionType.SINGLE if single else QuestionType.MULTIPLE), options, letters


def _weight(part: str, default: float) -> tuple[float, str]:
    """An answer's %weight% prefix (in percent) and the answer without it."""
    match = WEIGHT.match(part)
    if not match:
        return default, part
    return float(match.group(1)), part[match.end() :]


def _truefalse(report: ParseReport, where: int, answers: str, text_format: str) -> Read:
    value = TRUE_FALSE[answers.split("#", 1)[0].strip()]  # per-answer feedback is dropped
    return QuestionType.TRUE_FALSE, [], [value]


def _shortanswer(report: ParseReport, where: int, answers: str, text_format: str) -> Read:
    accepted = []
    for part in _split_answers(answers, "="):
        weight, part = _weight(part, 100.0)
        if weight == 100:
            accepted.append(_plain(part.split("#", 1)[0], text_format)[0])
        elif weight > 0:
            message = _l("answers with partial credit are left out")
            report.warnings.append(Problem(where, str(message)))
    if answers.split("#", 1)[0].strip().upper() in TRUE_FALSE:
        message = _l("read as a short answer, as Moodle does: write {T} or {F} for true or false")
        report.warnings.append(Problem(where, str(message)))
    return QuestionType.FILL_BLANK, [], accepted


_READERS = {"multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer}


# Writing GIFT.


def export_gift(questions: list[QuestionData]) -> str:
    """A GIFT file of the questions, with a $CATEGORY line wherever the chapter changes."""
    blocks, chapter = [], ""
    for question in chapters_first(questions):
        if question.chapter != chapter:
            chapter = question.chapter
            blocks.append(f"{CATEGORY} {COURSE_PREFIX}{_one_line(chapter)}\n")
        blocks.append(_write_question(question))
    return "\n".join(blocks)


def escape(text: str) -> str:
    """Text with GIFT's special characters escaped and line breaks written as \\n."""
    text = text.replace("\\", "\\\\")
    for char in ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tag_text(tag: str) -> str:
    return tag.replace("]", "\\]")


def _answer_text(text: str) -> str:
    """An answer or explanation escaped, kept plain even when it starts like a [format] prefix."""
    return ("[plain]" if text.startswith("[") else "") + escape(text)


def _write_question(question: QuestionData) -> str:
    lines = []
    if question.tags:
        lines.append("// " + " ".join(f"[tag:{_tag_text(tag)}]" for tag in question.tags))
    head = f"::{escape(title_of(question.stem))}::[plain]{escape(question.stem)}{{"
    feedback = f"####{_answer_text(question.explanation)}" if question.explanation else ""
    if question.type == QuestionType.TRUE_FALSE:
        word = "TRUE" if question.answer == [TRUE] else "FALSE"
        return "\n".join([*lines, f"{head}{word}{feedback}}}"]) + "\n"
    if question.type == QuestionType.FILL_BLANK:
        body = [f"\t=%100%{_answer_text(accepted)}" for accepted in question.answer]
    else:
        body = _choice_lines(question)
    if feedback:
        body.append(f"\t{feedback}")
    return "\n".join([*lines, head, *body, "}"]) + "\n"


def _choice_lines(question: QuestionData) -> list[str]:
    right = set(question.answer)
    lines = []
    for letter, option in zip(OPTION_LETTERS, question.options, strict=False):
        percent = choice_fraction(question, letter in right)
        if question.type == QuestionType.SINGLE:
            mark = "=" if percent == 100 else "~%0%" if option.startswith("%") else "~"
        else:
            mark = f"~%{format_fraction(percent)}%"
        lines.append(f"\t{mark}{_answer_text(option)}")
    return lines
