"""Forms for authoring questions and importing files."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import NumberRange, Optional

from competitions.questions.rules import LEVEL_CODES, MAX_CHAPTER, MAX_EXPLANATION, MAX_STEM
from competitions.questions.types import (
    FALSE,
    OPTION_LETTERS,
    TRUE,
    TYPE_LABELS,
    QuestionData,
    QuestionType,
)
from guild.forms import length, required, select_choices


def _checkboxes(label, choices):
    return SelectMultipleField(
        label,
        choices=select_choices(choices),
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


class QuestionForm(FlaskForm):
    """Create or edit a question; the answer fields used depend on the type."""

    type = SelectField(
        _l("Type"),
        choices=select_choices((kind.value, _l(TYPE_LABELS[kind])) for kind in QuestionType),
    )
    stem = TextAreaField(_l("Stem"), [required(), length(MAX_STEM, 1)], render_kw={"rows": 4})
    image = FileField(
        _l("Picture in the stem (optional)"),
        render_kw={"accept": "image/png,image/jpeg,image/gif,image/webp"},
    )
    remove_image = BooleanField(_l("Remove the picture"))
    option_a = StringField("A")
    option_b = StringField("B")
    option_c = StringField("C")
    option_d = StringField("D")
    option_e = StringField("E")
    option_f = StringField("F")
    option_g = StringField("G")
    option_h = StringField("H")
    answer_letters = _checkboxes(_l("Right options"), ((c, c) for c in OPTION_LETTERS))
    answer_truth = RadioField(
        _l("Right answer"),
        choices=select_choices(((TRUE, _l("True")), (FALSE, _l("False")))),
        validate_choice=False,
    )
    answer_text = TextAreaField(
        _l("Accepted answers, one per line"), [length(2000)], render_kw={"rows": 3}
    )
    explanation = TextAreaField(_l("Explanation"), [length(MAX_EXPLANATION)], render_kw={"rows": 3})
    difficulty = IntegerField(
        _l("Difficulty (1–5)"),
        [NumberRange(1, 5, message=_l("Enter 1 to 5."))],
        default=3,
        render_kw={"min": 1, "max": 5, "inputmode": "numeric"},
    )
    chapter = StringField(_l("Chapter or knowledge point"), [Optional(), length(MAX_CHAPTER)])
    levels = _checkboxes(_l("Skill levels"), ((code, code) for code in LEVEL_CODES))
    tags = StringField(_l("Tags, separated by commas"), [Optional(), length(300)])

    def option_fields(self):
        """The eight option fields, A to H."""
        return [getattr(self, f"option_{letter.lower()}") for letter in OPTION_LETTERS]

    def to_data(self) -> QuestionData:
        """The question as entered (not yet checked against the rules)."""
        kind = QuestionType(self.type.data)
        options = [
            field.data.strip() for field in self.option_fields() if (field.data or "").strip()
        ]
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            answer = sorted(self.answer_letters.data or [])
        elif kind == QuestionType.TRUE_FALSE:
            options, answer = [], [self.answer_truth.data] if self.answer_truth.data else []
        else:
            options = []
            answer = [
                line.strip() for line in (self.answer_text.data or "").splitlines() if line.strip()
            ]
        tags = [
            tag.strip()
            for tag in (self.tags.data or "").replace("，", ",").split(",")
            if tag.strip()
        ]
        return QuestionData(
            type=kind,
            stem=self.stem.data or "",
            options=options,
            answer=answer,
            explanation=self.explanation.data or "",
            difficulty=self.difficulty.data or 3,
            chapter=(self.chapter.data or "").strip(),
            levels=list(self.levels.data or []),
            tags=tags,
        )

    def fill_from(self, data: QuestionData) -> None:
        """Show existing content in the form."""
        self.type.data = data.type.value
        self.stem.data = data.stem
        for field, option in zip(self.option_fields(), data.options, strict=False):
            field.data = option
        self.answer_letters.data = (
            data.answer if data.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) else []
        )
        self.answer_truth.data = data.answer[0] if data.type == QuestionType.TRUE_FALSE else None
        self.answer_text.data = (
            "\n".join(data.answer) if data.type == QuestionType.FILL_BLANK else ""
        )
        self.explanation.data = data.explanation
        self.difficulty.data = data.difficulty
        self.chapter.data = data.chapter
        self.levels.data = list(data.levels)
        self.tags.data = ", ".join(data.tags)


class ImportForm(FlaskForm):
    """Upload a bank file."""

    file = FileField(_l("File"), [FileRequired(message=_l("Choose a file."))])


class ConfirmImportForm(FlaskForm):
    """Confirm a previewed import."""

    skip_duplicates = BooleanField(_l("Skip questions already in the bank"), default=True)
