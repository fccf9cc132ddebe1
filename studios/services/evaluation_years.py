"""The organisers' side of the annual evaluation: a year's weights, naming demonstration
studios (示范性工作室), which closes the year and keeps its results, and the history.

A closed year is never recomputed: its ranking is read back from EvaluationResult rows, and
its weights and names cannot change.
"""

import math
from dataclasses import dataclass

import pandas as pd
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from guild.accounts.roles import Role
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.transactions import begin_writing
from studios.activity_models import EvaluationResult, EvaluationYear
from studios.models import Alliance, Studio
from studios.services.access import NotAllowed, NotFound
from studios.services.evaluation import DEFAULT_WEIGHTS, INDICATORS, compute
from studios.services.periods import today

FIRST_YEAR = 2000
WEIGHT_MAX = 100.0
ORGANISING = frozenset({Role.ORGANISER, Role.ADMIN})

label_actions(
    {
        "evaluation.weights": _l("Evaluation weights set"),
        "evaluation.close": _l("Demonstration studios named"),
    }
)


@dataclass
class YearView:
    """A year's evaluation as the pages show it."""

    year: int
    weights: dict[str, float]
    closed: bool
    demonstration_count: int
    ranking: pd.DataFrame  # alliance_id, studio_id, indicators…, score, rank, demonstration


def require_organiser(actor: Actor) -> None:
    """Only organisers (and platform admins) run the evaluation."""
    if actor.user is None or not (actor.user.role_set & ORGANISING):
        raise NotAllowed(_l("Only organisers may run the evaluation."))


def checked_year(year: int) -> int:
    """A year that can be evaluated: from 2000 to this year."""
    if not FIRST_YEAR <= year <= today().year:
        raise NotFound(_l("There is no evaluation for that year."))
    return year


def weights_of(year: int) -> dict[str, float]:
    """The year's weights: as set by an organiser, else the defaults."""
    settings = db.session.get(EvaluationYear, checked_year(year))
    stored = settings.weights if settings else {}
    return {name: float(stored.get(name, DEFAULT_WEIGHTS[name])) for name in INDICATORS}


def _refuse_closed(settings: EvaluationYear | None) -> None:
    if settings is not None and settings.closed_at is not None:
        raise DomainError(
            _l(
                "The %(year)s evaluation is closed: its results can no longer change.",
                year=settings.year,
            )
        )


def _checked_weights(weights: dict) -> dict[str, float]:
    unknown = set(weights) - set(INDICATORS)
    if unknown:
        raise DomainError(_l("Unknown indicator: %(name)s.", name=sorted(unknown)[0]))
    checked = {}
    for name in INDICATORS:
        value = weights.get(name, 0)
        try:
            value = float(value if value is not None else 0)
        except (TypeError, ValueError) as error:
            raise DomainError(_l("Each weight is a number from 0 to 100."), name) from error
        if not math.isfinite(value) or not 0 <= value <= WEIGHT_MAX:
            raise DomainError(_l("Each weight is a number from 0 to 100."), name)
        checked[name] = round(value, 2)
    if not any(checked.values()):
        raise DomainError(_l("Give at least one indicator a weight above 0."))
    return checked


def _locked_year(year: int) -> EvaluationYear | None:
    begin_writing()
    return db.session.get(EvaluationYear, year, with_for_update=True)


def save_weights(actor: Actor, year: int, weights: dict) -> EvaluationYear:
    """Set a year's weights (organisers; refused once the year is closed)."""
    require_organiser(actor)
    checked_year(year)
    checked = _checked_weights(weights)
    settings = _locked_year(year)
    _refuse_closed(settings)
    before = dict(settings.weights) if settings else None
    if settings is None:
        settings = EvaluationYear(year=year, weights=checked)
        db.session.add(settings)
    settings.weights, settings.updated_by_id = checked, actor.user.id
    settings.updated_at = utcnow()
    db.session.flush()
    record(actor, "evaluation.weights", settings, {"weights": before}, {"weights": checked})
    return settings


def year_view(year: int) -> YearView:
    """The year's ranking: stored results once closed, computed from the rows before."""
    settings = db.session.get(EvaluationYear, checked_year(year))
    weights = weights_of(year)
    if settings is not None and settings.closed_at is not None:
        return YearView(year, weights, True, settings.demonstration_count, stored_ranking(year))
    ranking = compute(year, weights).assign(demonstration=False)
    count = settings.demonstration_count if settings else 0
    return YearView(year, weights, False, count, ranking)


def stored_ranking(year: int) -> pd.DataFrame:
    """A closed year's results as the ranking frame."""
    query = select(EvaluationResult).where(EvaluationResult.year == year)
    rows = [
        {
            "alliance_id": r.alliance_id,
            "studio_id": r.studio_id,
            **{name: float(r.indicators.get(name, 0)) for name in INDICATORS},
            "score": r.score,
            "rank": r.rank,
            "demonstration": r.demonstration,
        }
        for r in db.session.scalars(query)
    ]
    columns = ["alliance_id", "studio_id", *INDICATORS, "score", "rank", "demonstration"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["alliance_id", "rank"]).reset_index(drop=True)


def name_demonstration(
    actor: Actor, year: int, top: int, picks: set[tuple[int, int]] = frozenset()
) -> int:
    """Name the top `top` of each alliance, and the picked (alliance, studio) pairs, as
    demonstration studios; store every ranked row and close the year. Returns how many named.
    """
    require_organiser(actor)
    checked_year(year)
    if not 0 <= top <= 1000:
        raise DomainError(_l("Name from 0 to 1,000 studios per alliance."), "top")
    settings = _locked_year(year)
    _refuse_closed(settings)
    weights = weights_of(year)
    ranking = compute(year, weights)
    if ranking.empty:
        raise DomainError(_l("No studio was ranked in %(year)s.", year=year))
    pairs = set(zip(ranking["alliance_id"].tolist(), ranking["studio_id"].tolist(), strict=True))
    if not set(picks) <= pairs:
        raise DomainError(_l("Pick only studios ranked in that alliance."), "picks")
    named = (ranking["rank"] <= top) | pd.Series(
        [pair in picks for pair in zip(ranking["alliance_id"], ranking["studio_id"], strict=True)],
        index=ranking.index,
    )
    if not named.any():
        raise DomainError(_l("Name at least one demonstration studio."), "top")
    if settings is None:
        settings = EvaluationYear(year=year, weights=weights)
        db.session.add(settings)
        db.session.flush()  # the results' foreign key needs the year's row first
    _store_results(year, ranking.assign(demonstration=named))
    settings.demonstration_count, settings.closed_by_id, settings.closed_at = (
        top,
        actor.user.id,
        utcnow(),
    )
    db.session.flush()
    after = {
        "top": top,
        "picks": sorted(map(list, picks)),
        "named": int(named.sum()),
        "weights": weights,
    }
    record(actor, "evaluation.close", settings, None, after)
    return int(named.sum())


def _store_results(year: int, ranking: pd.DataFrame) -> None:
    rows = [
        EvaluationResult(
            year=year,
            alliance_id=int(row["alliance_id"]),
            studio_id=int(row["studio_id"]),
            indicators={name: float(row[name]) for name in INDICATORS},
            score=float(row["score"]),
            rank=int(row["rank"]),
            demonstration=bool(row["demonstration"]),
        )
        for row in ranking.to_dict("records")
    ]
    db.session.add_all(rows)
    db.session.flush()


@dataclass(frozen=True)
class Named:
    """A demonstration studio of a closed year, in one alliance."""

    year: int
    alliance_id: int
    alliance: str
    studio_id: int
    studio: str
    rank: int
    score: float


def _named(query) -> list[Named]:
    query = (
        query.join(Alliance, Alliance.id == EvaluationResult.alliance_id)
        .join(Studio, Studio.id == EvaluationResult.studio_id)
        .where(EvaluationResult.demonstration.is_(True))
        .order_by(EvaluationResult.year.desc(), Alliance.name, EvaluationResult.rank)
    )
    return [Named(*row) for row in db.session.execute(query).all()]


def _named_columns():
    return select(
        EvaluationResult.year,
        EvaluationResult.alliance_id,
        Alliance.name,
        EvaluationResult.studio_id,
        Studio.name,
        EvaluationResult.rank,
        EvaluationResult.score,
    )


def history() -> dict[int, list[Named]]:
    """Every closed year's demonstration studios, newest year first."""
    found: dict[int, list[Named]] = {}
    for named in _named(_named_columns()):
        found.setdefault(named.year, []).append(named)
    return found


def studio_honours(studio_id: int) -> list[Named]:
    """The years and alliances in which the studio was named a demonstration studio."""
    return _named(_named_columns().where(EvaluationResult.studio_id == studio_id))


def closed_years() -> list[int]:
    """The closed years, newest first."""
    query = select(EvaluationYear.year).where(EvaluationYear.closed_at.is_not(None))
    return list(db.session.scalars(query.order_by(EvaluationYear.year.desc())))
