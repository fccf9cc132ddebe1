"""Moodle XML: read a quiz file into questions, and write questions as a file Moodle imports.

Also holds the helpers the GIFT reader shares: UTF-8 decoding, HTML to plain text, category
paths to chapters, and the final checks every question goes through.
"""

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from xml.etree.ElementTree import Element, SubElement

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
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

COURSE_PREFIX = "$course$/top/"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
PLAIN, HTML, AUTO = "plain_text", "html", "moodle_auto_format"
KNOWN_FORMATS = {PLAIN, HTML, AUTO, "markdown", "wiki_like"}
# Characters XML 1.0 cannot carry, dropped on export.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MOODLE_TYPES = {QuestionType.SINGLE: "multichoice", QuestionType.MULTIPLE: "multichoice"}
MOODLE_TYPES |= {QuestionType.TRUE_FALSE: "truefalse", QuestionType.FILL_BLANK: "shortanswer"}
Read = tuple[QuestionType, list[str], list[str]]  # a reader's type, options and answer
DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


# Reading Moodle XML.


class _Refused(Exception):
    """A file or question that cannot be read, with the message to show."""


def parse_moodle_xml(content: bytes) -> ParseReport:
    """Read a Moodle XML quiz: the questions we hold, errors, warnings, and the others listed."""
    try:
        quiz = _load(content)
    except _Refused as refused:
        return ParseReport(errors=[Problem(0, str(refused))])
    report = ParseReport()
    chapter, number = "", 0
    for element in quiz.findall("question"):
        kind = element.get("type", "").strip()
        if kind == "category":
            chapter = chapter_of(_text(element.find("category")))
            continue
        number += 1
        try:
            _read_question(report, number, element, kind, chapter)
        except _Refused as refused:
            report.errors.append(Problem(number, str(refused)))
    finish(report)
    return report


def _load(content: bytes) -> Element:
    text = decode_utf8(content)
    if text is None:
        raise _Refused(not_utf8_message())
    declared = DECLARED_ENCODING.match(text[:300])
    if declared and declared.group(1).strip().lower() not in ("utf-8", "utf8"):
        raise _Refused(not_utf8_message())
    try:
        quiz = SafeET.fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        message = _l("the file declares a DTD or entities, which are refused for safety")
        raise _Refused(str(message)) from None
    except ET.ParseError as error:
        line, column = error.position
        message = _l(
            "the XML is malformed at line %(line)d, column %(column)d", line=line, column=column
        )
        raise _Refused(str(message)) from None
    if quiz.tag != "quiz":
        raise _Refused(str(_l("this is not Moodle XML: the root element must be <quiz>")))
    return quiz


def _read_question(
    report: ParseReport, where: int, element: Element, kind: str, chapter: str
) -> None:
    reader = _READERS.get(kind)
    if reader is None:
        report.unsupported.append(Unsupported(where, kind or "unknown", _title(element)))
        return
    body = element.find("questiontext")
    text_format = _format(body, HTML)
    question_type, options, answer = reader(report, where, element, text_format)
    if element.find(".//file") is not None or "<img" in _text(body).lower():
        message = _l("images are not imported; the question comes without them")
        report.warnings.append(Problem(where, str(message)))
    tags = [_text(tag) for tag in element.findall("tags/tag")]
    data = QuestionData(
        type=question_type,
        stem=_rich(body, text_format),
        options=options,
        answer=answer,
        explanation=_rich(element.find("generalfeedback"), text_format),
        chapter=chapter,
        tags=[tag for tag in tags if tag],
    )
    accept(report, where, data)


def _text(container: Element | None) -> str:
    """The trimmed <text> of an element, or its own text when it has no <text>."""
    if container is None:
        return ""
    element = container.find("text")
    if element is None:
        return (container.text or "").strip()
    try:  # markup left unescaped in <text> (Moodle writes CDATA) is read back as markup
        markup = "".join(ET.tostring(inner, encoding="unicode") for inner in element)
    except RecursionError:  # absurdly deep nesting: keep the words only
        markup = "".join("".join(inner.itertext()) + (inner.tail or "") for inner in element)
    return ((element.text or "") + markup).strip()


def _format(container: Element | None, default: str) -> str:
    value = container.get("format", default).strip() if container is not None else default
    return value if value in KNOWN_FORMATS else HTML  # Moodle assumes html for unknown names


def _rich(container: Element | None, default: str) -> str:
    """The plain text of a <text> in the container's format."""
    text, text_format = _text(container), _format(container, default)
    if text_format == HTML:
        return html_to_text(text)
    if text_format == AUTO:
        return html_to_text(text, keep_newlines=True)
    return text


def _title(element: Element) -> str:
    name = _text(element.find("name"))
    return title_of(name or html_to_text(_text(element.find("questiontext"))))


def _fraction(answer: Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        raise _Refused(str(_l("an answer's fraction is not a number"))) from None


def _is_full(fraction: float) -> bool:
    return math.isclose(fraction, 100, abs_tol=1e-4)


def _multichoice(report: ParseReport, where: int, element: Element, text_format: str) -> Read:
    flag = element.find("single")  # absent means single; "false" or empty means multiple
    single = flag is None or _text(flag).lower() not in ("false", "0", "")
    answers = [(_rich(a, text_format), _fraction(a)) for a in element.findall("answer")]
    if single:
        right = [index for index, (_, fraction) in enumerate(answers) if _is_full(fraction)]
        if any(fraction > 0 and not _is_full(fraction) for _, fraction in answers):
            message = _l("options with partial credit are imported as wrong options")
            report.warnings.append(Problem(where, str(message)))
    else:
        right = [index for index, (_, fraction) in enumerate(answers) if fraction > 0]
    letters = [OPTION_LETTERS[index] for index in right if index < len(OPTION_LETTERS)]
    question_type = QuestionType.SINGLE if single else QuestionType.MULTIPLE
    return question_type, [text for text, _ in answers], letters


def _truefalse(report: ParseReport, where: int, element: Element, text_format: str) -> Read:
    right, renamed = [], False
    for index, answer in enumerate(element.findall("answer")):
        text = _text(answer)
        if text not in (TRUE, FALSE):  # older files: the first answer is true, as Moodle reads it
            text, renamed = (TRUE if index == 0 else FALSE), True
        if _is_full(_fraction(answer)):
            right.append(text)
    if renamed:
        message = _l("the answers are not named true and false; the first is taken as true")
        report.warnings.append(Problem(where, str(message)))
    if len(right) != 1:
        raise _Refused(str(_l("exactly one of true and false must have fraction 100")))
    return QuestionType.TRUE_FALSE, [], right


def _shortanswer(report: ParseReport, where: int, element: Element, text_format: str) -> Read:
    accepted = []
    for answer in element.findall("answer"):
        fraction = _fraction(answer)
        if _is_full(fraction):
            accepted.append(_text(answer))  # short answers are plain text in Moodle
        elif fraction > 0:
            message = _l("answers with partial credit are left out")
            report.warnings.append(Problem(where, str(message)))
    return QuestionType.FILL_BLANK, [], accepted


_READERS: dict[str, Callable[..., Read]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
}


# Writing Moodle XML.


def export_moodle_xml(questions: list[QuestionData]) -> bytes:
    """A UTF-8 Moodle XML quiz of the questions, with a category wherever the chapter changes."""
    quiz = Element("quiz")
    chapter = ""
    for question in chapters_first(questions):
        if question.chapter != chapter:
            chapter = question.chapter
            _write_category(quiz, chapter)
        _write_question(quiz, question)
    ET.indent(quiz)
    body = ET.tostring(quiz, encoding="unicode", short_empty_elements=False)
    return f"{XML_DECLARATION}\n{body}\n".encode()


def _add_text(parent: Element, tag: str, text: str, text_format: str | None = None) -> Element:
    element = SubElement(parent, tag, {"format": text_format} if text_format else {})
    SubElement(element, "text").text = XML_ILLEGAL.sub("", text)
    return element


def _add_value(parent: Element, tag: str, value: str) -> None:
    SubElement(parent, tag).text = value


def _write_category(quiz: Element, chapter: str) -> None:
    category = SubElement(quiz, "question", {"type": "category"})
    path = COURSE_PREFIX + "/".join(name.strip() for name in chapter.split("/"))
    _add_text(category, "category", path)
    _add_text(category, "info", "", AUTO)


def _write_question(quiz: Element, question: QuestionData) -> None:
    kind = MOODLE_TYPES[question.type]
    element = SubElement(quiz, "question", {"type": kind})
    _add_text(element, "name", title_of(question.stem))
    _add_text(element, "questiontext", question.stem, PLAIN)
    _add_text(element, "generalfeedback", question.explanation, PLAIN)
    _add_value(element, "defaultgrade", "1.0000000")
    penalty = "1.0000000" if kind == "truefalse" else "0.3333333"  # Moodle's own defaults
    _add_value(element, "penalty", penalty)
    _add_value(element, "hidden", "0")
    if kind == "multichoice":
        _write_choices(element, question)
    elif kind == "truefalse":
        for value in (TRUE, FALSE):
            _write_answer(element, value, 100 if question.answer == [value] else 0)
    else:
        _add_value(element, "usecase", "0")
        for accepted in question.answer:
            _write_answer(element, accepted, 100)
    if question.tags:
        tags = SubElement(element, "tags")
        for tag in question.tags:
            _add_text(tags, "tag", tag)


def _write_choices(element: Element, question: QuestionData) -> None:
    single = question.type == QuestionType.SINGLE
    _add_value(element, "single", "true" if single else "false")
    _add_value(element, "shuffleanswers", "true")
    _add_value(element, "answernumbering", "ABCD")
    right = set(question.answer)
    for letter, option in zip(OPTION_LETTERS, question.options, strict=False):
        _write_answer(element, option, choice_fraction(question, letter in right))


def choice_fraction(question: QuestionData, is_right: bool) -> float:
    """Moodle's fraction (percent) for an option: the right ones share 100, wrong ones share -100.

    A multiple choice gives each wrong option -100/(wrong options), so ticking every box earns 0.
    """
    if question.type == QuestionType.SINGLE:
        return 100 if is_right else 0
    right = len(set(question.answer))
    wrong = len(question.options) - right
    if is_right:
        return 100 / right
    return -100 / wrong if wrong > 0 else 0


def format_fraction(percent: float) -> str:
    """A percent as Moodle writes it: up to 5 decimals (7 in the fraction), e.g. 33.33333, 50."""
    text = f"{round(percent, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _write_answer(element: Element, text: str, percent: float) -> None:
    answer = SubElement(element, "answer", {"fraction": format_fraction(percent), "format": PLAIN})
    SubElement(answer, "text").text = XML_ILLEGAL.sub("", text)
    _add_text(answer, "feedback", "", PLAIN)
