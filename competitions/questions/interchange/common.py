"""What the GIFT and Moodle XML readers share: decoding, HTML to text, naming, accepting."""

import re
from html.parser import HTMLParser

from flask_babel import lazy_gettext as _l

from competitions.questions.rules import normalise_stem, problems
from competitions.questions.types import ParsedRow, ParseReport, Problem, QuestionData

TITLE_LENGTH = 40
BLOCK_TAGS = {"p", "div", "li", "tr", "table", "ul", "ol", "blockquote", "pre", "hr"}
BLOCK_TAGS |= {f"h{level}" for level in range(1, 7)}


def decode_utf8(content: bytes) -> str | None:
    """The content as text when it is UTF-8 (a leading BOM dropped), else None."""
    try:
        return content.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def not_utf8_message() -> str:
    """The message for a file that is not UTF-8."""
    return str(_l("the file is not UTF-8 text; save it as UTF-8 and upload it again"))


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment, with line breaks where blocks end."""

    def __init__(self, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.keep_newlines = keep_newlines
        self.line_start = True  # nothing but spaces since the last line break

    def _write(self, text: str) -> None:
        self.parts.append(text)
        visible = text.rstrip(" \t")
        if visible:
            self.line_start = visible.endswith("\n")

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "br" or (tag in BLOCK_TAGS and not self.line_start):
            self._write("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCK_TAGS and not self.line_start:
            self._write("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if not self.keep_newlines:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)  # HTML whitespace, not U+3000
        self._write(data.replace("\xa0", " "))


def html_to_text(html: str, keep_newlines: bool = False) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, <br> and blocks as lines."""
    collector = _TextCollector(keep_newlines)
    collector.feed(html)
    collector.close()
    lines = [line.strip(" \t") for line in "".join(collector.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def title_of(text: str) -> str:
    """The start of a text on one line, to name a question."""
    return " ".join(text.split())[:TITLE_LENGTH].rstrip()


def chapter_of(path: str) -> str:
    """The chapter a Moodle category path names: the context and "top" dropped, levels kept."""
    names = [name.strip().replace("//", "/") for name in re.split(r"(?<!/)/(?!/)", path.strip())]
    if names and re.fullmatch(r"\$[a-z]+\$", names[0]):
        names = names[1:]
    if names and names[0] == "top":
        names = names[1:]
    return "/".join(name for name in names if name)


def accept(report: ParseReport, where: int, data: QuestionData) -> None:
    """Add a question to the report's rows, or an error when it breaks a rule."""
    found = problems(data)
    if found:
        report.errors.append(Problem(where, "; ".join(found)))
    else:
        report.rows.append(ParsedRow(where, data))


def finish(report: ParseReport) -> None:
    """Warn of stems repeated inside the file; refuse a file with nothing to import."""
    first: dict[str, int] = {}
    for row in report.rows:
        key = row.key = normalise_stem(row.data.stem)
        if key in first:
            message = _l("the same stem as question %(first)d", first=first[key])
            report.warnings.append(Problem(row.where, str(message)))
        else:
            first[key] = row.where
    if not report.rows and not report.errors:
        report.errors.append(Problem(0, str(_l("the file holds no question that can be imported"))))
    report.warnings.sort(key=lambda problem: problem.where)


def chapters_first(questions: list[QuestionData]) -> list[QuestionData]:
    """Questions without a chapter first, so no category switch is needed to go back to none."""
    return sorted(questions, key=lambda question: question.chapter != "")
