"""Hostile uploads: each file input given bad files, and spreadsheets with a bad cell."""

import csv
import io

from werkzeug.datastructures import MultiDict

from tests.bad_input.forms import Field, Form
from tests.bad_input.payloads import CELL_VALUES, CSV_FALLBACK, _hostile_files
from tests.bad_input.shots import Shot, _pairs, _short, _upload


def _file_shots(url: str, form: Form):
    """Each file input given each hostile upload (the other fields as shown)."""
    for control in form.files:
        for label, content, name in _hostile_files(control):
            if isinstance(content, str):
                content = content.encode()
            upload = (control.name, (io.BytesIO(content), name))
            others = [_upload(other) for other in form.files if other is not control]
            pairs = [*_pairs(form), upload, *others]
            yield Shot("POST", url, f"{control.name}: {label}", MultiDict(pairs), follow=True)
        pairs = [*_pairs(form), (control.name, "abc")]
        yield Shot("POST", url, f"{control.name}: text, not a file", MultiDict(pairs))
        twice = [_upload(control), _upload(control)]
        yield Shot("POST", url, f"{control.name}: two files", MultiDict(_pairs(form) + twice))


def _workbook_with(template: bytes, column: int, value) -> bytes:
    """The template with its first example row's cell in the column set to the value."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template))
    book.worksheets[0].cell(row=2, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_rows(template: bytes | None) -> list[list[str]]:
    """The template's first sheet as CSV rows, else the trades import's columns."""
    if template is None:
        return [line.split(",") for line in CSV_FALLBACK.splitlines()]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(template)).worksheets[0]
    rows = sheet.iter_rows(max_row=3, values_only=True)
    return [["" if cell is None else str(cell) for cell in row] for row in rows]


def _tables(client, form: Form, control: Field):
    """(label, content, file name): the linked template (or a CSV of the trades columns) with
    one cell of an example row made hostile, as a workbook and, where the input may take
    one, as CSV."""
    template = None
    if form.templates:
        response = client.get(form.templates[0])
        template = response.get_data()
        response.close()
    rows = _csv_rows(template)
    as_csv = not control.accept or "csv" in control.accept
    for column in range(1, len(rows[0]) + 1):
        heading = rows[0][column - 1] or column
        for value in [*CELL_VALUES, "\x00"] if as_csv else []:
            edited = [list(row) for row in rows]
            edited[1][column - 1] = str(value)
            buffer = io.StringIO()
            csv.writer(buffer).writerows(edited)
            yield f"CSV {heading}={_short(value, 12)}", buffer.getvalue().encode(), "表.csv"
        for value in CELL_VALUES if template is not None else []:
            content = _workbook_with(template, column, value)
            yield f"workbook {heading}={_short(value, 12)}", content, "表.xlsx"


def _table_shots(client, url: str, form: Form):
    """Each file input given the hostile tables; the page that comes back is followed."""
    for control in form.files:
        for label, content, name in _tables(client, form, control):
            pairs = [*_pairs(form), (control.name, (io.BytesIO(content), name))]
            yield Shot("POST", url, f"{control.name}: {label}", MultiDict(pairs), follow=True)
