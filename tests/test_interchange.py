"""Moodle interchange: GIFT and Moodle XML read into questions, and written so Moodle imports them.

Pure functions: no app, no database. Fixtures are small hand-written files in tests/data/moodle.
"""

from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from competitions.questions.interchange.gift import escape, export_gift, parse_gift
from competitions.questions.interchange.moodle_xml import (
    chapter_of,
    export_moodle_xml,
    format_fraction,
    html_to_text,
    parse_moodle_xml,
)
from competitions.questions.types import (
    FALSE,
    TRUE,
    ParsedRow,
    ParseReport,
    Problem,
    QuestionData,
    QuestionType,
    Unsupported,
)

DATA = Path(__file__).parent / "data" / "moodle"
SINGLE, MULTIPLE = QuestionType.SINGLE, QuestionType.MULTIPLE
TRUE_FALSE, FILL_BLANK = QuestionType.TRUE_FALSE, QuestionType.FILL_BLANK
SAFETY = "电工基础/安全用电"

NOT_UTF8 = "the file is not UTF-8 text; save it as UTF-8 and upload it again"
REFUSED_DTD = "the file declares a DTD or entities, which are refused for safety"
UNMATCHED = "a brace { or } is not matched; write \\{ or \\} for a brace in the text"
NOTHING = "the file holds no question that can be imported"
PARTIAL_OPTIONS = "options with partial credit are imported as wrong options"
PARTIAL_ANSWERS = "answers with partial credit are left out"

# Moodle's question_bank::fraction_options_full(): the only fractions its import accepts.
MOODLE_GRADES = [1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3]
MOODLE_GRADES += [0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0]
MOODLE_GRADES += [-grade for grade in MOODLE_GRADES]


def gift(text: str) -> ParseReport:
    return parse_gift(text.encode())


def xml(body: str) -> ParseReport:
    return parse_moodle_xml(f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>{body}</quiz>'.encode())


def datas(report: ParseReport) -> list[QuestionData]:
    return [row.data for row in report.rows]


def clean(report: ParseReport) -> bool:
    return not (report.errors or report.warnings or report.unsupported)


# GIFT: reading.


def test_gift_sample_reads_every_supported_type_with_chapters_tags_and_escapes():
    report = parse_gift((DATA / "sample.gift").read_bytes())

    assert report.rows == [
        ParsedRow(
            1,
            QuestionData(
                SINGLE,
                "安全电压的上限是多少伏？",
                ["36V", "110V", "220V"],
                ["A"],
                explanation="我国规定的安全电压上限为36V。",
                chapter=SAFETY,
            ),
        ),
        ParsedRow(
            2,
            QuestionData(
                MULTIPLE,
                "下列哪些是导体？",
                ["铜", "铝", "橡胶"],
                ["A", "B"],
                chapter=SAFETY,
                tags=["易错", "基础"],
            ),
        ),
        ParsedRow(
            3,
            QuestionData(
                TRUE_FALSE,
                "接地线可以用缠绕的方法连接。",
                [],
                [FALSE],
                "应使用专用线夹。",
                chapter=SAFETY,
            ),
        ),
        ParsedRow(4, QuestionData(FILL_BLANK, "电流的单位是:", [], ["安培", "A"], chapter=SAFETY)),
        ParsedRow(
            5,
            QuestionData(
                SINGLE,
                "Escapes: 1 ~ 2 = 3 # 4 {5} a line\nbreak and a backslash \\ too",
                ["right = answer", "wrong ~ answer #1"],
                ["A"],
                chapter="Escapes",
            ),
        ),
        ParsedRow(
            11,
            QuestionData(
                SINGLE, "What is Ohm's law?", ["U = IR", "I = U²"], ["A"], chapter="Escapes"
            ),
        ),
    ]
    assert report.errors == []
    assert report.warnings == [Problem(4, PARTIAL_ANSWERS)]
    assert report.ok


def test_gift_sample_lists_each_unsupported_type_with_kind_and_title():
    report = parse_gift((DATA / "sample.gift").read_bytes())

    assert report.unsupported == [
        Unsupported(6, "essay", "Essay"),
        Unsupported(7, "matching", "Matching"),
        Unsupported(8, "numerical", "Numerical"),
        Unsupported(9, "missingword", "Missing"),
        Unsupported(10, "description", "Description"),
    ]


def test_gift_unsupported_without_a_name_is_titled_by_the_start_of_its_text():
    report = gift("Write a long essay about the safe use of electricity at work.{}\n\nPlain words")

    assert report.unsupported == [
        Unsupported(1, "essay", "Write a long essay about the safe use of"),
        Unsupported(2, "description", "Plain words"),
    ]
    assert report.errors == [Problem(0, NOTHING)]


def test_gift_escapes_in_names_stems_answers_and_feedback():
    text = (
        "::a\\:b:: Is \\{x\\} \\= \\~y \\#1 a\\\\b\\:{=c\\~d ~e\\=f ~g\\{h\\}#feedback\\#"
        "####why\\: \\{because\\}}"
    )
    report = gift(text)

    assert datas(report) == [
        QuestionData(
            SINGLE,
            "Is {x} = ~y #1 a\\b:",
            ["c~d", "e=f", "g{h}"],
            ["A"],
            explanation="why: {because}",
        )
    ]
    assert clean(report)


def test_gift_comment_lines_are_skipped_and_comment_only_blocks_are_not_numbered():
    text = (
        "// header comment\n// another\n\n"
        "First question?\n// a comment inside the question\n{=yes ~no}\n\n"
        "// only a comment here\n\n"
        "Second question?{TRUE}\n"
    )
    report = gift(text)

    assert report.rows == [
        ParsedRow(1, QuestionData(SINGLE, "First question?", ["yes", "no"], ["A"])),
        ParsedRow(2, QuestionData(TRUE_FALSE, "Second question?", [], [TRUE])),
    ]
    assert clean(report)


@pytest.mark.parametrize(
    ("line", "chapter"),
    [
        ("$CATEGORY: $course$/top/第一章/第二节", "第一章/第二节"),
        ("$CATEGORY: $course$/Default for 电工/Sub", "Default for 电工/Sub"),
        ("$CATEGORY: top/Tools", "Tools"),
        ("$CATEGORY: Plain name", "Plain name"),
        ("$CATEGORY: $course$/top/A//B", "A/B"),
        ("$CATEGORY: $course$/top", ""),
    ],
)
def test_gift_category_lines_set_the_chapter_of_following_questions(line, chapter):
    report = gift(f"Before?{{T}}\n\n{line}\n\nAfter?{{T}}\n\nLater?{{F}}")

    assert [row.data.chapter for row in report.rows] == ["", chapter, chapter]


def test_gift_category_line_directly_above_a_question_still_applies():
    report = gift("$CATEGORY: $course$/top/电工\nQuestion?{=a ~b}")

    assert datas(report) == [QuestionData(SINGLE, "Question?", ["a", "b"], ["A"], chapter="电工")]


@pytest.mark.parametrize(
    ("block", "answer", "explanation"),
    [
        ("{T}", TRUE, ""),
        ("{TRUE}", TRUE, ""),
        ("{F}", FALSE, ""),
        ("{FALSE}", FALSE, ""),
        ("{TRUE#wrong feedback#right feedback####General feedback}", TRUE, "General feedback"),
        ("{ F # not so ####Because.}", FALSE, "Because."),
    ],
)
def test_gift_true_false_forms(block, answer, explanation):
    report = gift(f"The sky is blue.{block}")

    assert datas(report) == [
        QuestionData(TRUE_FALSE, "The sky is blue.", [], [answer], explanation)
    ]
    assert clean(report)


def test_gift_lower_case_true_is_a_short_answer_as_in_moodle_with_a_warning():
    report = gift("The sky is blue.{true}")

    assert datas(report) == [QuestionData(FILL_BLANK, "The sky is blue.", [], ["true"])]
    assert report.warnings == [
        Problem(1, "read as a short answer, as Moodle does: write {T} or {F} for true or false")
    ]


def test_gift_short_answer_forms_keep_full_credit_alternatives():
    text = (
        "::One:: Unit of current?{=ampere =amp =A}\n\n"
        "Unit of voltage?{volt}\n\n"
        "Unit of power?{=%100%watt#good =%50%W =%0%joule####Power is energy per second.}"
    )
    report = gift(text)

    assert report.rows == [
        ParsedRow(1, QuestionData(FILL_BLANK, "Unit of current?", [], ["ampere", "amp", "A"])),
        ParsedRow(2, QuestionData(FILL_BLANK, "Unit of voltage?", [], ["volt"])),
        ParsedRow(
            3,
            QuestionData(FILL_BLANK, "Unit of power?", [], ["watt"], "Power is energy per second."),
        ),
    ]
    assert report.warnings == [Problem(3, PARTIAL_ANSWERS)]


def test_gift_multiple_choice_weights_and_single_choice_partial_credit():
    text = (
        "Pick two.{~%50%a ~%50%b ~%-50%c ~%-50%d}\n\n"
        "Pick three.{~%33.33333%a ~%33.33333%b ~%33.33333%c ~d}\n\n"
        "Pick one.{=best ~%50%half ~none}"
    )
    report = gift(text)

    assert datas(report) == [
        QuestionData(MULTIPLE, "Pick two.", ["a", "b", "c", "d"], ["A", "B"]),
        QuestionData(MULTIPLE, "Pick three.", ["a", "b", "c", "d"], ["A", "B", "C"]),
        QuestionData(SINGLE, "Pick one.", ["best", "half", "none"], ["A"]),
    ]
    assert report.warnings == [Problem(3, PARTIAL_OPTIONS)]


def test_gift_format_prefixes_are_stripped_and_html_becomes_plain_text():
    text = (
        "[html]<p>Line one<br>line &lt;two&gt;</p>{=[plain]<b>kept</b> ~[moodle]*m* ~x"
        "####[markdown]**why**}\n\n"
        "[plain]Use [brackets] freely{=[unknown] stays}"
    )
    report = gift(text)

    assert datas(report) == [
        QuestionData(
            SINGLE,
            "Line one\nline <two>",
            ["<b>kept</b>", "*m*", "x"],
            ["A"],
            explanation="**why**",
        ),
        QuestionData(FILL_BLANK, "Use [brackets] freely", [], ["[unknown] stays"]),
    ]


def test_gift_unclosed_or_stray_braces_are_errors_at_the_question_number():
    text = "Fine?{T}\n\nBroken {=a ~b\n\nAlso broken } here\n\nTwo blocks {=a ~b} and {=c ~d}"
    report = gift(text)

    assert report.errors == [Problem(2, UNMATCHED), Problem(3, UNMATCHED), Problem(4, UNMATCHED)]
    assert datas(report) == [QuestionData(TRUE_FALSE, "Fine?", [], [TRUE])]
    assert not report.ok


def test_gift_question_breaking_the_rules_gives_the_rule_messages_joined():
    nine = " ".join(f"~{n}" for n in range(2, 10))
    report = gift(f"::Empty::{{=1 {nine}}}\n\nOnly one right?{{~%100%a ~b}}")

    assert report.errors == [
        Problem(1, "the stem is empty; a choice question needs 2 to 8 options"),
        Problem(2, "a multiple choice has at least two answers"),
    ]
    assert report.rows == []


def test_gift_repeated_stem_is_a_warning():
    report = gift("Same stem?{T}\n\nSame  stem?{F}")

    assert report.warnings == [Problem(2, "the same stem as question 1")]
    assert len(report.rows) == 2


def test_gift_gbk_file_is_refused_with_one_message():
    report = parse_gift("安全电压是多少？{=36V ~220V}".encode("gbk"))

    assert report == ParseReport(errors=[Problem(0, NOT_UTF8)])


def test_gift_accepts_a_bom_and_windows_line_ends():
    content = "\ufeff// 注释\r\n$CATEGORY: 电工\r\n\r\n电压？{\r\n=36V\r\n~220V\r\n}\r\n".encode()
    report = parse_gift(content)

    assert datas(report) == [QuestionData(SINGLE, "电压？", ["36V", "220V"], ["A"], chapter="电工")]
    assert clean(report)


@pytest.mark.parametrize("content", [b"", b"\n\n", b"// only comments\n"])
def test_gift_empty_file_is_an_error(content):
    assert parse_gift(content) == ParseReport(errors=[Problem(0, NOTHING)])


def test_messages_are_plain_strings_outside_an_app_context():
    report = parse_gift(b"\xff\xfe")
    message = report.errors[0].message

    assert type(message) is str
    assert message == NOT_UTF8


# Moodle XML: reading.


def test_xml_sample_reads_every_supported_type():
    report = parse_moodle_xml((DATA / "sample.xml").read_bytes())

    assert report.rows == [
        ParsedRow(
            1,
            QuestionData(
                SINGLE,
                "安全电压的上限是多少伏？\n请选择 一项 <仅一项>",
                ["110V", "36V", "220V"],
                ["B"],
                explanation="我国规定：\n安全电压上限为 36V。",
                chapter=SAFETY,
                tags=["易错", "基础"],
            ),
        ),
        ParsedRow(
            2,
            QuestionData(
                MULTIPLE,
                "下列哪些是导体？\n选出全部。",
                ["铜", "铝", "橡胶", "铁"],
                ["A", "B", "D"],
                chapter=SAFETY,
            ),
        ),
        ParsedRow(
            3,
            QuestionData(
                TRUE_FALSE,
                "接地线可以用<缠绕>的方法连接。",
                [],
                [FALSE],
                "应使用专用线夹。",
                chapter=SAFETY,
            ),
        ),
        ParsedRow(
            4,
            QuestionData(
                FILL_BLANK, "电流的单位是 ____", [], ["安培", "A"], chapter=SAFETY, tags=["单位"]
            ),
        ),
        ParsedRow(
            12,
            QuestionData(
                SINGLE,
                "Which tag starts a paragraph in <b>HTML</b>?",
                ["<p>", "<br>"],
                ["A"],
                chapter="Plain/Path",
            ),
        ),
    ]
    assert report.errors == []
    assert report.warnings == [Problem(4, PARTIAL_ANSWERS)]


def test_xml_sample_lists_each_unsupported_type_numbered_with_the_others():
    report = parse_moodle_xml((DATA / "sample.xml").read_bytes())

    assert report.unsupported == [
        Unsupported(5, "essay", "Essay question"),
        Unsupported(6, "matching", "Matching question"),
        Unsupported(7, "numerical", "Numerical question"),
        Unsupported(8, "cloze", "Cloze question"),
        Unsupported(9, "description", "Read the following carefully."),
        Unsupported(10, "calculatedsimple", "Calculated question"),
        Unsupported(11, "ddwtos", "Drag and drop question"),
    ]


@pytest.mark.parametrize(
    ("path", "chapter"),
    [
        ("$course$/top/第一章/第二节", "第一章/第二节"),
        ("$system$/top/Other//Misc/Sub", "Other/Misc/Sub"),
        ("$module$/top/Quiz bank", "Quiz bank"),
        ("$course$/Default for 电工", "Default for 电工"),
        ("top/Tools", "Tools"),
        ("$course$/top", ""),
        (" Plain / Path ", "Plain/Path"),
    ],
)
def test_category_paths_become_chapters(path, chapter):
    assert chapter_of(path) == chapter


def test_xml_html_question_text_becomes_plain_text():
    body = """
    <question type="shortanswer">
      <questiontext format="html"><text><![CDATA[
        <h3>Title</h3><p>Ohm&rsquo;s   law:
        <em>U</em>&nbsp;=&nbsp;<em>IR</em></p><ul><li>one</li><li>two</li></ul>
        <script>alert("x")</script><p>a &amp; b &lt; c</p>
      ]]></text></questiontext>
      <generalfeedback><text>&lt;p&gt;Default format is html&lt;/p&gt;</text></generalfeedback>
      <answer fraction="100"><text>U=IR</text></answer>
    </question>"""
    report = xml(body)

    assert datas(report) == [
        QuestionData(
            FILL_BLANK,
            "Title\nOhm’s law: U = IR\none\ntwo\na & b < c",
            [],
            ["U=IR"],
            explanation="Default format is html",
        )
    ]


def test_html_to_text_keeps_line_breaks_and_drops_markup():
    assert html_to_text("<p>a</p>\n <p>b<br/>c</p>") == "a\nb\nc"
    assert html_to_text("x<br><br>y") == "x\n\ny"
    assert html_to_text("<style>p {}</style>全角\u3000空格 &#x4E2D;") == "全角\u3000空格 中"
    assert html_to_text("line one\nline two <b>bold</b>", keep_newlines=True) == (
        "line one\nline two bold"
    )


def test_xml_unescaped_markup_inside_text_is_read_as_markup():
    body = """
    <question type="shortanswer">
      <questiontext format="html"><text>Ohm <b>law</b><br/>next</text></questiontext>
      <answer fraction="100"><text>U</text></answer>
    </question>"""

    assert datas(xml(body)) == [QuestionData(FILL_BLANK, "Ohm law\nnext", [], ["U"])]


def test_xml_deeply_nested_markup_is_read_without_a_crash():
    depth = 100_000
    text = "a" + "<i>" * depth + "x" + "</i>" * depth
    body = f"""
    <question type="shortanswer">
      <questiontext format="html"><text>{text}</text></questiontext>
      <answer fraction="100"><text>u</text></answer>
    </question>"""

    assert datas(xml(body)) == [QuestionData(FILL_BLANK, "ax", [], ["u"])]


def test_xml_true_false_with_localised_answer_names_reads_the_first_as_true():
    body = """
    <question type="truefalse">
      <questiontext format="plain_text"><text>Q?</text></questiontext>
      <answer fraction="100"><text>正确</text></answer>
      <answer fraction="0"><text>错误</text></answer>
    </question>"""
    report = xml(body)

    assert datas(report) == [QuestionData(TRUE_FALSE, "Q?", [], [TRUE])]
    assert report.warnings == [
        Problem(1, "the answers are not named true and false; the first is taken as true")
    ]


def test_xml_question_errors_are_reported_at_their_number():
    body = """
    <question type="category"><category><text>$course$/top/X</text></category></question>
    <question type="truefalse">
      <questiontext format="plain_text"><text>No right answer?</text></questiontext>
      <answer fraction="0"><text>true</text></answer>
      <answer fraction="0"><text>false</text></answer>
    </question>
    <question type="multichoice">
      <questiontext format="plain_text"><text>Bad fraction</text></questiontext>
      <answer fraction="lots"><text>a</text></answer>
      <answer fraction="0"><text>b</text></answer>
    </question>
    <question type="multichoice">
      <questiontext format="plain_text"><text>No option at 100</text></questiontext>
      <answer fraction="50"><text>a</text></answer>
      <answer fraction="0"><text>b</text></answer>
    </question>
    <question type="multichoice">
      <single>false</single>
      <questiontext format="plain_text"><text></text></questiontext>
      <answer fraction="100"><text>only</text></answer>
    </question>"""
    report = xml(body)

    assert report.errors == [
        Problem(1, "exactly one of true and false must have fraction 100"),
        Problem(2, "an answer's fraction is not a number"),
        Problem(3, "the answer must be among the options AB"),
        Problem(4, "the stem is empty; a choice question needs 2 to 8 options"),
    ]
    assert report.warnings == [Problem(3, PARTIAL_OPTIONS)]
    assert report.rows == []


def test_xml_images_are_left_out_with_a_warning():
    body = """
    <question type="truefalse">
      <questiontext format="html"><text><![CDATA[<p>Is this safe?
        <img src="@@PLUGINFILE@@/a.png"></p>]]></text>
        <file name="a.png" path="/" encoding="base64">iVBORw0KGgo=</file>
      </questiontext>
      <answer fraction="100"><text>false</text></answer>
      <answer fraction="0"><text>true</text></answer>
    </question>"""
    report = xml(body)

    assert datas(report) == [QuestionData(TRUE_FALSE, "Is this safe?", [], [FALSE])]
    assert report.warnings == [
        Problem(1, "images are not imported; the question comes without them")
    ]


@pytest.mark.parametrize(
    "content",
    [
        '<?xml version="1.0" encoding="GBK"?>\n<quiz><question type="truefalse"><questiontext>'
        "<text>安全吗？</text></questiontext></question></quiz>".encode("gbk"),
        b'<?xml version="1.0" encoding="GB2312"?>\n<quiz></quiz>',  # ASCII, but declared GB2312
        '<?xml version="1.0" encoding="UTF-16"?><quiz></quiz>'.encode("utf-16"),
        "<quiz><question type='truefalse'><name><text>电工</text></name></question></quiz>".encode(
            "gbk"
        ),
    ],
)
def test_xml_that_is_not_utf8_is_refused_with_one_message(content):
    assert parse_moodle_xml(content) == ParseReport(errors=[Problem(0, NOT_UTF8)])


def test_xml_with_a_bom_and_lower_case_utf8_declaration_is_read():
    content = (
        "\ufeff<?xml version='1.0' encoding='utf-8'?><quiz>".encode()
        + (
            "<question type='truefalse'><questiontext format='plain_text'><text>对吗？</text>"
            "</questiontext><answer fraction='100'><text>true</text></answer>"
            "<answer fraction='0'><text>false</text></answer></question></quiz>"
        ).encode()
    )

    assert datas(parse_moodle_xml(content)) == [QuestionData(TRUE_FALSE, "对吗？", [], [TRUE])]


def test_xml_external_entity_is_refused_and_never_resolved():
    report = parse_moodle_xml((DATA / "xxe.xml").read_bytes())

    assert report == ParseReport(errors=[Problem(0, REFUSED_DTD)])
    assert "root" not in repr(report)


def test_xml_external_dtd_is_refused():
    content = (
        b'<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/evil.dtd">\n<quiz/>'
    )

    assert parse_moodle_xml(content) == ParseReport(errors=[Problem(0, REFUSED_DTD)])


def test_xml_billion_laughs_is_refused():
    report = parse_moodle_xml((DATA / "billion_laughs.xml").read_bytes())

    assert report == ParseReport(errors=[Problem(0, REFUSED_DTD)])


def test_malformed_xml_gives_the_parser_line():
    report = parse_moodle_xml((DATA / "malformed.xml").read_bytes())

    assert report == ParseReport(errors=[Problem(0, "the XML is malformed at line 5, column 62")])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"<questions><question/></questions>",
            "this is not Moodle XML: the root element must be <quiz>",
        ),
        (b"<quiz></quiz>", NOTHING),
        (b"", "the XML is malformed at line 1, column 0"),
    ],
)
def test_xml_without_questions_is_an_error(content, message):
    assert parse_moodle_xml(content) == ParseReport(errors=[Problem(0, message)])


# Writing, and round trips.


def bank() -> list[QuestionData]:
    """Questions of every type with the characters each format has to escape."""
    return [
        QuestionData(SINGLE, "No chapter: 1+1=? {~#:}", ["2", "3"], ["A"], explanation="Easy."),
        QuestionData(TRUE_FALSE, "不属于任何章节", [], [FALSE]),
        QuestionData(
            SINGLE,
            "安全电压的上限是多少伏？\n（单选）",
            ["36V", "110V", "[html]220V", "%50% 380V"],
            ["C"],
            explanation="我国规定：\n安全电压上限为 36V。",
            chapter=SAFETY,
            tags=["易错", "a]b"],
        ),
        QuestionData(
            MULTIPLE,
            'Which are <b>conductors</b> & "metals"? ]]> \\ // not a comment',
            ["copper", "aluminium", "rubber", "iron", "glass"],
            ["A", "B", "D"],
            explanation="[plain] Metals conduct.",
            chapter=SAFETY,
        ),
        QuestionData(
            TRUE_FALSE, "接地线可以缠绕连接。", [], [TRUE], "应使用专用线夹。", chapter="B"
        ),
        QuestionData(
            FILL_BLANK,
            "电流的单位是 ____",
            [],
            ["安培", "A", "%5%", "a=b~c"],
            explanation="#1 ####",
            chapter="B",
            tags=["单位"],
        ),
        QuestionData(MULTIPLE, "All right?", ["x", "y"], ["A", "B"], chapter=SAFETY),
    ]


def test_moodle_xml_round_trip_gives_the_same_questions():
    report = parse_moodle_xml(export_moodle_xml(bank()))

    assert datas(report) == bank()
    assert clean(report)


def test_gift_round_trip_gives_the_same_questions():
    report = parse_gift(export_gift(bank()).encode())

    assert datas(report) == bank()
    assert clean(report)


def test_exports_write_questions_without_a_chapter_first():
    questions = [
        QuestionData(TRUE_FALSE, "In A", [], [TRUE], chapter="A"),
        QuestionData(TRUE_FALSE, "Nowhere", [], [TRUE]),
        QuestionData(TRUE_FALSE, "In A again", [], [FALSE], chapter="A"),
    ]
    expected = [questions[1], questions[0], questions[2]]

    assert datas(parse_moodle_xml(export_moodle_xml(questions))) == expected
    assert datas(parse_gift(export_gift(questions).encode())) == expected


def test_moodle_xml_export_has_the_shape_moodle_imports():
    content = export_moodle_xml(bank())
    quiz = SafeET.fromstring(content)

    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    questions = quiz.findall("question")
    assert [q.get("type") for q in questions] == [
        "multichoice",
        "truefalse",
        "category",
        "multichoice",
        "multichoice",
        "category",
        "truefalse",
        "shortanswer",
        "category",
        "multichoice",
    ]
    assert [q.findtext("category/text") for q in questions if q.get("type") == "category"] == [
        f"$course$/top/{SAFETY}",
        "$course$/top/B",
        f"$course$/top/{SAFETY}",
    ]
    first = questions[0]
    assert first.findtext("name/text") == "No chapter: 1+1=? {~#:}"
    assert first.find("questiontext").get("format") == "plain_text"
    assert first.findtext("generalfeedback/text") == "Easy."
    assert first.findtext("defaultgrade") == "1.0000000"
    assert first.findtext("penalty") == "0.3333333"
    assert first.findtext("hidden") == "0"
    assert first.findtext("single") == "true"
    assert first.findtext("shuffleanswers") == "true"
    assert first.findtext("answernumbering") == "ABCD"
    assert [a.get("fraction") for a in first.findall("answer")] == ["100", "0"]
    assert questions[4].findtext("name/text") == 'Which are <b>conductors</b> & "metals"?'
    assert [t.findtext("text") for t in questions[3].findall("tags/tag")] == ["易错", "a]b"]
    short = questions[7]
    assert short.findtext("usecase") == "0"
    assert [a.get("fraction") for a in short.findall("answer")] == ["100"] * 4
    truefalse = questions[1]
    assert [(a.findtext("text"), a.get("fraction")) for a in truefalse.findall("answer")] == [
        ("true", "0"),
        ("false", "100"),
    ]


def test_multiple_choice_fractions_follow_moodles_rules():
    """Right options share 100, wrong ones share -100; each is a grade Moodle's import accepts."""
    quiz = SafeET.fromstring(export_moodle_xml(bank()))
    multiple = [q for q in quiz.findall("question") if q.findtext("single") == "false"]

    fractions = [[a.get("fraction") for a in q.findall("answer")] for q in multiple]
    assert fractions == [
        ["33.33333", "33.33333", "-50", "33.33333", "-50"],
        ["50", "50"],
    ]
    for question in fractions:
        values = [float(value) / 100 for value in question]
        assert round(sum(value for value in values if value > 0), 2) == 1
        assert all(min(abs(value - grade) for grade in MOODLE_GRADES) < 1e-5 for value in values)


@pytest.mark.parametrize(
    ("percent", "text"),
    [
        (100, "100"),
        (50, "50"),
        (100 / 3, "33.33333"),
        (100 / 6, "16.66667"),
        (-100 / 7, "-14.28571"),
    ],
)
def test_fractions_are_written_as_moodle_writes_them(percent, text):
    assert format_fraction(percent) == text


def test_gift_export_text():
    questions = [
        QuestionData(SINGLE, "1+1=?", ["2", "3"], ["A"], explanation="Easy: {}", chapter="数学"),
        QuestionData(MULTIPLE, "Primes?", ["2", "3", "4"], ["A", "B"], tags=["t"], chapter="数学"),
        QuestionData(TRUE_FALSE, "True?", [], [TRUE], chapter="数学"),
        QuestionData(FILL_BLANK, "Unit?", [], ["A", "安培"], chapter="数学"),
    ]

    assert export_gift(questions) == (
        "$CATEGORY: $course$/top/数学\n"
        "\n"
        "::1+1\\=?::[plain]1+1\\=?{\n\t=2\n\t~3\n\t####Easy\\: \\{\\}\n}\n"
        "\n"
        "// [tag:t]\n::Primes?::[plain]Primes?{\n\t~%50%2\n\t~%50%3\n\t~%-100%4\n}\n"
        "\n"
        "::True?::[plain]True?{TRUE}\n"
        "\n"
        "::Unit?::[plain]Unit?{\n\t=%100%A\n\t=%100%安培\n}\n"
    )


def test_gift_escape():
    assert escape("a\\b ~=#{}: line\nnext") == "a\\\\b \\~\\=\\#\\{\\}\\: line\\nnext"
