"""Every model of the shell, imported together so the metadata knows all tables."""

from guild.accounts.models import Enterprise, User, UserRole
from guild.audit.models import AuditEntry
from guild.trades.models import Trade

__all__ = ["AuditEntry", "Enterprise", "Trade", "User", "UserRole"]
