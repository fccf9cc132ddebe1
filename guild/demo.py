"""Demonstration data for `make run`: trades, enterprises and one account per role.

Domains add their own demo rows by registering a loader when their modules are imported
(create_app imports them); the shell never imports a domain.
"""

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from guild.accounts.models import Enterprise, User
from guild.accounts.roles import Role
from guild.accounts.services.enterprises import create_enterprise
from guild.accounts.services.users import Registration, register_user
from guild.audit.services import Actor
from guild.extensions import db
from guild.trades.services.importer import import_trades, parse_trades_csv

DEMO_ENTERPRISES = (
    ("杭州新能电力有限公司", "杭州市"),
    ("宁波港航物流集团有限公司", "宁波市"),
    ("温州精工机械有限公司", "温州市"),
    ("嘉兴化工新材料有限公司", "嘉兴市"),
    ("绍兴纺织印染集团有限公司", "绍兴市"),
)

DEMO_PEOPLE = (
    (Role.WORKER, "李小明", "13800000001", 0),
    (Role.JUDGE, "王建国", "13800000002", 2),
    (Role.ORGANISER, "陈秀英", "13800000003", None),
    (Role.ENTERPRISE_CONTACT, "赵志刚", "13800000004", 1),
    (Role.ADMIN, "周海燕", "13800000005", None),
)


DemoLoader = Callable[[Actor, dict[str, User]], None]
_loaders: list[DemoLoader] = []


def register_demo_loader(loader: DemoLoader) -> DemoLoader:
    """Have `demo load` call loader(actor, accounts by role value) after the shell's rows."""
    if loader not in _loaders:
        _loaders.append(loader)
    return loader


@dataclass(frozen=True)
class DemoAccount:
    """A demo account and its password, to print once."""

    role: str
    phone: str
    password: str
    name: str


def credentials_file() -> Path:
    """Where the demo passwords are kept for the developer (git-ignored instance folder)."""
    configured = current_app.config.get("DEMO_ACCOUNTS_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "demo_accounts.txt"


def _new_password() -> str:
    letters = "".join(secrets.choice(string.ascii_letters) for _ in range(7))
    digits = "".join(secrets.choice(string.digits) for _ in range(4))
    return letters + digits


def load_demo_data(seed_trades: Path, if_empty: bool) -> list[DemoAccount] | None:
    """Create the demo rows; None when --if-empty and there are users already."""
    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        return None
    actor = Actor(None, "demo")
    import_trades(actor, parse_trades_csv(seed_trades.read_bytes()))
    enterprises = [create_enterprise(actor, name, city, None) for name, city in DEMO_ENTERPRISES]
    accounts, users = _register_people(enterprises)
    for loader in _loaders:
        loader(actor, users)
    lines = [f"{a.role}\t{a.phone}\t{a.password}\t{a.name}" for a in accounts]
    credentials_file().write_text("\n".join(lines) + "\n", encoding="utf-8")
    credentials_file().chmod(0o600)
    return accounts


def _register_people(enterprises: list[Enterprise]) -> tuple[list[DemoAccount], dict[str, User]]:
    """One account per role, with its password; and the users by role value."""
    accounts, users = [], {}
    for role, name, phone, enterprise_index in DEMO_PEOPLE:
        password = _new_password()
        enterprise = enterprises[enterprise_index] if enterprise_index is not None else None
        users[role.value] = register_user(
            Registration(
                real_name=name,
                phone=phone,
                password=password,
                city=enterprise.city if enterprise else current_app.config["CITIES"][0],
                enterprise_id=enterprise.id if enterprise else None,
            ),
            roles=tuple({Role.WORKER, role}),
        )
        accounts.append(DemoAccount(role.value, phone, password, name))
    return accounts, users
