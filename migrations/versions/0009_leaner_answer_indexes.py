"""leaner answer indexes

Every practice answer writes every index of `answers`. The user and version indexes served
only a dashboard query (now through the attempts' user index) and foreign-key checks on
deleting a user or a question version, which the product never does.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 16:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_answers_user_id', table_name='answers')
    op.drop_index('ix_answers_version_id', table_name='answers')


def downgrade():
    op.create_index('ix_answers_version_id', 'answers', ['version_id'], unique=False)
    op.create_index('ix_answers_user_id', 'answers', ['user_id'], unique=False)
