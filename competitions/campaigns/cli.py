"""`flask --app guild standings rebuild`: recompute campaign standings from the answers."""

import click
from sqlalchemy import select

from competitions.campaigns.models import Campaign
from competitions.campaigns.services.rebuild import rebuild_campaign
from competitions.campaigns.views import bp
from guild.extensions import db


def _campaigns(campaign_id: int | None) -> list[Campaign]:
    if campaign_id is None:
        return list(db.session.scalars(select(Campaign).order_by(Campaign.id)))
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"No campaign with id {campaign_id}.")
    return [campaign]


@bp.cli.command("rebuild")
@click.option("--campaign", "campaign_id", type=click.IntRange(min=1), help="Only this campaign.")
def rebuild_command(campaign_id: int | None) -> None:
    """Recompute standings, counts and tallies from the answers (run it while quiet)."""
    # Answers recorded while a campaign is rebuilt may be missed: run it when it is quiet.
    campaigns = _campaigns(campaign_id)
    written: list[tuple[int, str, int]] = []
    with click.progressbar(campaigns, label="Rebuilding campaigns") as bar:
        for campaign in bar:
            written.append((campaign.id, campaign.name, rebuild_campaign(campaign)))
            db.session.commit()  # one campaign at a time: no long transaction over all
    for number, name, count in written:
        click.echo(f"Campaign {number} ({name}): {count} standings written.")
    click.echo(f"{sum(count for _, _, count in written)} standings written in all.")


import competitions.demo  # noqa: E402,F401  (registers the demo loader)
