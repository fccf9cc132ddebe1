"""`flask --app guild questions import|export`: the same services as the pages."""

from pathlib import Path

import click

from competitions.questions.services import exporting, importing
from competitions.questions.services.bank import BankFilter
from competitions.questions.views import bp
from guild.audit.services import Actor
from guild.extensions import db
from guild.trades.models import Trade


def _trade(code: str) -> Trade:
    trade = db.session.scalar(db.select(Trade).where(Trade.code == code))
    if trade is None:
        trade = db.session.scalar(db.select(Trade).where(Trade.name == code))
    if trade is None:
        raise click.ClickException(f"No trade with code or name {code!r}.")
    return trade


@bp.cli.command("import")
@click.option("--trade", "code", required=True, help="Trade code (6-31-01-03) or name.")
@click.option("--skip-duplicates", is_flag=True, help="Leave out stems already in the bank.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(code: str, skip_duplicates: bool, path: Path) -> None:
    """Import questions (.xlsx, .csv, Moodle .xml, GIFT); all rows or none."""
    trade = _trade(code)
    report = importing.preview(trade, path.read_bytes(), path.name)
    for problem in report.errors:
        click.echo(f"error   {problem.where}: {problem.message}", err=True)
    for problem in report.warnings:
        click.echo(f"warning {problem.where}: {problem.message}", err=True)
    for item in report.unsupported:
        click.echo(f"skipped {item.where}: {item.kind} {item.title}", err=True)
    if not report.ok:
        raise click.ClickException(f"{len(report.errors)} errors; nothing was imported.")
    with click.progressbar(length=len(report.rows), label="Importing questions") as bar:
        summary = importing.import_rows(
            Actor(None, "cli"), trade, report, skip_duplicates, progress=bar.update
        )
    db.session.commit()
    click.echo(f"{summary.created} imported, {summary.duplicates} duplicates skipped.")


@bp.cli.command("export")
@click.option("--trade", "code", required=True, help="Trade code (6-31-01-03) or name.")
@click.option("--format", "kind", type=click.Choice(exporting.FORMATS), default="xlsx")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(code: str, kind: str, path: Path) -> None:
    """Export a trade's whole bank."""
    exported = exporting.export_bank(_trade(code), BankFilter(), kind)
    path.write_bytes(exported.content)
    click.echo(f"Wrote {path} ({len(exported.content)} bytes).")
