"""Command-line tools: `flask --app guild users|trades|demo …`."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")
trades_cli = AppGroup("trades", help="Manage the trades catalogue.")
demo_cli = AppGroup("demo", help="Demonstration data.")

SEED_TRADES = Path(__file__).parent / "trades" / "data" / "trades.csv"


@users_cli.command("create-admin")
@click.option("--phone", prompt=True, help="Mobile number used to sign in.")
@click.option("--name", "real_name", prompt="Real name", help="The administrator's real name.")
@click.option("--city", prompt=True, help="City, one of the configured CITIES.")
@click.password_option(help="At least 8 characters, letters and digits.")
def create_admin(phone: str, real_name: str, city: str, password: str) -> None:
    """Create an administrator account (for a production install)."""
    from guild.accounts.roles import Role
    from guild.accounts.services.users import Registration, register_user
    from guild.audit.services import record

    try:
        user = register_user(
            Registration(real_name=real_name, phone=phone, password=password, city=city),
            roles=(Role.WORKER, Role.ADMIN),
        )
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    record(Actor(None, "cli"), "user.create_admin", user, None, {"roles": ["admin", "worker"]})
    db.session.commit()
    click.echo(f"Administrator {real_name} ({phone}) created.")


@trades_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_trades_command(path: Path) -> None:
    """Import trades from a CSV file (code,name,category,levels); all rows or none."""
    from guild.trades.services.importer import ImportRejected, import_trades, parse_trades_csv

    try:
        rows = parse_trades_csv(path.read_bytes())
        with click.progressbar(length=len(rows), label="Importing trades") as bar:
            summary = import_trades(Actor(None, "cli"), rows, progress=bar.update)
    except ImportRejected as rejected:
        db.session.rollback()
        for error in rejected.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(str(rejected)) from rejected
    db.session.commit()
    click.echo(
        f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged."
    )


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
def load_demo(if_empty: bool) -> None:
    """Load the trades, a few enterprises and one account per role; print the passwords."""
    from guild.demo import credentials_file, load_demo_data

    try:
        accounts = load_demo_data(SEED_TRADES, if_empty=if_empty)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if accounts is None:
        click.echo(f"Demo data already present; the accounts are listed in {credentials_file()}")
        return
    click.echo("Demo accounts (also saved in instance/demo_accounts.txt):")
    for account in accounts:
        click.echo(f"  {account.role:<20} {account.phone}  {account.password}  {account.name}")


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app."""
    for group in (users_cli, trades_cli, demo_cli):
        app.cli.add_command(group)
