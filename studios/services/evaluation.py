"""The annual evaluation's figures: indicators per studio per year, scores and ranks per alliance.

Indicators of a studio for a calendar year (local days of the platform's time zone):
- invention_patents, utility_model_patents, design_patents: patents filed in the year;
- achievements: results achieved in the year; benefit_wan_yuan: their economic benefit in 万元
  (10,000 yuan = 1,000,000 fen);
- courseware: courseware items created in the year;
- events: the studio's events held in the year (not cancelled, started in it by now);
- members_trained: distinct people checked in (attended) at those events;
- challenges_delivered: challenge deliveries accepted as passed in the year.

Scoring rule, within each alliance: every indicator is divided by the alliance's highest value
of it (an indicator nobody has counts 0), so each studio's share is between 0 and 1; the score
is 100 × Σ(weight × share) / Σ(weights): 100 for a studio that leads every indicator. Ranks go
by score (highest first); equal scores by more invention patents, then by the lower studio id
(the older record). A studio in several alliances is ranked in each: a city or industry
alliance ranks its approved member studios (as they are now, founded by the year's end), the
provincial alliance every studio of its own and of its sub-alliances.

The database is read with one query per table for the whole year (no per-studio queries); the
rest is pandas.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select

from guild.extensions import db
from guild.timeutil import utcnow
from studios.activity_models import Event, EventSignup
from studios.models import Alliance, AllianceKind, AllianceMembership, Decision, Studio
from studios.publication_models import Achievement, Courseware, Patent
from studios.services.challenge_counts import challenge_counts
from studios.services.periods import Period

INDICATORS = (
    "invention_patents",
    "utility_model_patents",
    "design_patents",
    "achievements",
    "benefit_wan_yuan",
    "courseware",
    "events",
    "members_trained",
    "challenges_delivered",
)
PATENT_COLUMNS = {
    "invention": "invention_patents",
    "utility_model": "utility_model_patents",
    "design": "design_patents",
}
# The defaults until an organiser sets a year's weights: inventions weigh most, then results,
# benefit and delivered challenges; design patents and members trained least.
DEFAULT_WEIGHTS = {
    "invention_patents": 10.0,
    "utility_model_patents": 4.0,
    "design_patents": 2.0,
    "achievements": 6.0,
    "benefit_wan_yuan": 4.0,
    "courseware": 3.0,
    "events": 3.0,
    "members_trained": 2.0,
    "challenges_delivered": 6.0,
}
FEN_PER_WAN_YUAN = 1_000_000


@dataclass(frozen=True)
class RawRows:
    """A year's raw rows, one frame per table, as the database gave them."""

    memberships: pd.DataFrame  # alliance_id, studio_id (approved; provincial expanded)
    patents: pd.DataFrame  # studio_id, patent_type
    achievements: pd.DataFrame  # studio_id, benefit_fen
    courseware: pd.DataFrame  # studio_id
    events: pd.DataFrame  # studio_id
    checkins: pd.DataFrame  # studio_id, user_id
    delivered: pd.Series  # challenges delivered, by studio_id


def _counts(frame: pd.DataFrame, index: pd.Index) -> pd.Series:
    if frame.empty:
        return pd.Series(0, index=index)
    return frame.groupby("studio_id").size().reindex(index, fill_value=0)


def indicator_table(rows: RawRows) -> pd.DataFrame:
    """One row per studio of any alliance, one column per indicator (floats)."""
    index = pd.Index(sorted(rows.memberships["studio_id"].unique()), name="studio_id")
    table = pd.DataFrame(0.0, index=index, columns=list(INDICATORS))
    if not rows.patents.empty:
        by_type = rows.patents.groupby(["studio_id", "patent_type"]).size().unstack(fill_value=0)
        for kind, column in PATENT_COLUMNS.items():
            if kind in by_type.columns:
                table[column] = by_type[kind].reindex(index, fill_value=0)
    table["achievements"] = _counts(rows.achievements, index)
    if not rows.achievements.empty:
        fen = rows.achievements.groupby("studio_id")["benefit_fen"].sum()
        table["benefit_wan_yuan"] = fen.reindex(index, fill_value=0) / FEN_PER_WAN_YUAN
    table["courseware"] = _counts(rows.courseware, index)
    table["events"] = _counts(rows.events, index)
    trained = rows.checkins.drop_duplicates(["studio_id", "user_id"])
    table["members_trained"] = _counts(trained, index)
    table["challenges_delivered"] = rows.delivered.reindex(index, fill_value=0)
    return table.astype(float)


def checked_weights(weights: dict) -> pd.Series:
    """The weights as a series over every indicator (missing ones 0)."""
    return pd.Series({name: float(weights.get(name, 0) or 0) for name in INDICATORS})


def score_alliances(table: pd.DataFrame, memberships: pd.DataFrame, weights: dict) -> pd.DataFrame:
    """Per alliance and studio: the indicators, the score (0–100) and the rank (1 = best).

    The rule is the module's: indicator ÷ the alliance's highest, weighted mean × 100; ties
    by invention patents, then the lower studio id.
    """
    rows = memberships[["alliance_id", "studio_id"]].drop_duplicates()
    rows = rows.merge(table.rename_axis(None), left_on="studio_id", right_index=True)
    values = rows[list(INDICATORS)].clip(lower=0)
    highest = values.groupby(rows["alliance_id"]).transform("max")
    shares = (values / highest.where(highest > 0)).fillna(0.0)
    weight = checked_weights(weights)
    total = weight.sum()
    score = (shares * weight).sum(axis=1) * 100 / total if total > 0 else 0.0
    rows = rows.assign(score=pd.Series(score, index=rows.index).astype(float).round(6))
    order = ["alliance_id", "score", "invention_patents", "studio_id"]
    rows = rows.sort_values(order, ascending=[True, False, False, True], kind="mergesort")
    rows["rank"] = rows.groupby("alliance_id").cumcount() + 1
    return rows.reset_index(drop=True)


def _frame(query, columns: list[str]) -> pd.DataFrame:
    """The query's rows as columns (Core, not the ORM: 300,000 rows cost a tenth of a second)."""
    rows = db.session.connection().execute(query).fetchall()
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return pd.DataFrame({name: list(column) for name, column in zip(columns, values, strict=True)})


def expanded_memberships(pairs: pd.DataFrame, alliances: pd.DataFrame) -> pd.DataFrame:
    """Approved (alliance, studio) pairs plus, for the provincial alliance, its children's."""
    provincial = alliances[alliances["kind"] == AllianceKind.PROVINCIAL.value]
    extra = []
    for alliance_id in provincial["id"]:
        children = alliances.loc[alliances["parent_id"] == alliance_id, "id"]
        studios = pairs.loc[pairs["alliance_id"].isin(children), "studio_id"]
        extra.append(pd.DataFrame({"alliance_id": alliance_id, "studio_id": studios}))
    merged = pd.concat([pairs, *extra], ignore_index=True).drop_duplicates()
    return merged.astype({"alliance_id": "int64", "studio_id": "int64"})


def load_rows(year: int) -> RawRows:
    """The year's raw rows: one query for each table."""
    period = Period(date(year, 1, 1), date(year, 12, 31))
    start, until = period.utc_bounds()
    approved = (
        select(AllianceMembership.alliance_id, AllianceMembership.studio_id)
        .join(Studio, Studio.id == AllianceMembership.studio_id)
        .where(
            AllianceMembership.status == Decision.APPROVED,
            Studio.status == Decision.APPROVED,
            Studio.founded_on <= period.end,
        )
    )
    pairs = _frame(approved, ["alliance_id", "studio_id"])
    alliances = _frame(
        select(Alliance.id, Alliance.kind, Alliance.parent_id), ["id", "kind", "parent_id"]
    )
    alliances["kind"] = alliances["kind"].astype(str)
    memberships = expanded_memberships(pairs, alliances)
    in_year = Patent.filed_on.between(period.start, period.end)
    patents = _frame(
        select(Patent.studio_id, Patent.patent_type).where(in_year), ["studio_id", "patent_type"]
    )
    patents["patent_type"] = patents["patent_type"].astype(str)
    achieved = Achievement.achieved_on.between(period.start, period.end)
    results = _frame(
        select(Achievement.studio_id, Achievement.benefit_fen).where(achieved),
        ["studio_id", "benefit_fen"],
    )
    created = (Courseware.created_at >= start) & (Courseware.created_at < until)
    courseware = _frame(select(Courseware.studio_id).where(created), ["studio_id"])
    held = (
        Event.studio_id.is_not(None),
        Event.cancelled_at.is_(None),
        Event.starts_at >= start,
        Event.starts_at < min(until, utcnow()),
    )
    events = _frame(select(Event.studio_id).where(*held), ["studio_id"])
    attended = (
        select(Event.studio_id, EventSignup.user_id)
        .join(Event, Event.id == EventSignup.event_id)
        .where(EventSignup.attended_at.is_not(None), *held)
    )
    checkins = _frame(attended, ["studio_id", "user_id"])
    studio_ids = sorted(memberships["studio_id"].unique().tolist())
    found = challenge_counts(studio_ids, period.start, period.end)
    delivered = pd.Series({sid: counts["delivered"] for sid, counts in found.items()}, dtype=float)
    return RawRows(memberships, patents, results, courseware, events, checkins, delivered)


def compute(year: int, weights: dict) -> pd.DataFrame:
    """The year's ranking of every alliance from the database, with the given weights."""
    rows = load_rows(year)
    return score_alliances(indicator_table(rows), rows.memberships, weights)
