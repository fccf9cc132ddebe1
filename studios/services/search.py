"""Search across studios, patents, achievements and courseware, alike on SQLite and PostgreSQL.

Text is normalised with NFKC and lower case (full-width ＣＮ２０２３ is cn2023). Its tokens
are every word character and every pair of neighbouring word characters; a word character is
what SQLite's unicode61 tokenizer keeps (Unicode letters, numbers, private use: categories
L*, N*, Co). Punctuation, symbols and spaces make no tokens and break pairs, so every token
is one FTS5 token and both engines see the same token sets.

A query is split on whitespace into terms (at most MAX_TERMS, each cut to MAX_TERM_LENGTH).
Candidates are the rows holding every token of every term (SQLite: FTS5 MATCH over quoted
strings; PostgreSQL: array containment served by the GIN index); then every term, punctuation
and all, must be a substring of the row's text: that exact check decides, so the engines agree.
A query whose terms have no word character at all finds nothing (no full-table scans).

Results are ordered newest first (published_on, then id) and paged by fetching one row more
than the page: no COUNT(*) over large candidate sets. Only approved studios' rows are found.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, bindparam, select, text

from guild.extensions import db
from studios.models import Decision, Studio
from studios.search_models import SearchEntry, SearchKind

MAX_TERMS = 10
MAX_TERM_LENGTH = 50
MAX_OFFSET = 10_000
SNIPPET_LENGTH = 120
WORD_CATEGORIES = ("L", "N", "Co")


@dataclass(frozen=True)
class SearchHit:
    """One thing found."""

    kind: SearchKind
    object_id: int
    studio_id: int
    title: str
    published_on: date
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    """One page of results, and whether more follow."""

    query: str
    terms: list[str]
    items: list[SearchHit]
    has_more: bool
    offset: int
    limit: int


def normalise(value: str) -> str:
    """NFKC and lower case: what is stored and what terms are looked up in."""
    return unicodedata.normalize("NFKC", value or "").lower()


def _is_word(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def term_tokens(normalised: str) -> list[str]:
    """The distinct characters and neighbouring pairs of word characters, in order of first use."""
    seen: dict[str, None] = {}
    previous = ""
    for char in normalised:
        if not _is_word(char):
            previous = ""
            continue
        seen[char] = None
        if previous:
            seen[previous + char] = None
        previous = char
    return list(seen)


def tokens_of(value: str) -> str:
    """The space-separated tokens of a text (normalised here)."""
    return " ".join(term_tokens(normalise(value)))


def query_terms(query: str) -> list[str]:
    """The normalised terms of a query: split on whitespace, at most MAX_TERMS, each cut short."""
    terms: list[str] = []
    for raw in normalise(query).split():
        term = raw[:MAX_TERM_LENGTH]
        if term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return terms


def index_item(
    kind: SearchKind,
    object_id: int,
    studio_id: int | None,
    title: str,
    body: str,
    published_on: date,
) -> None:
    """Insert or update the search entry of one thing, its tokens computed."""
    title = (title or "").strip()[:200]
    content = normalise(f"{title}\n{body or ''}")
    entry = db.session.execute(
        select(SearchEntry).filter_by(kind=kind, object_id=object_id)
    ).scalar_one_or_none()
    if entry is None:
        entry = SearchEntry(kind=kind, object_id=object_id)
        db.session.add(entry)
    entry.studio_id = studio_id
    entry.title = title
    entry.text = content
    entry.tokens = " ".join(term_tokens(content))
    entry.published_on = published_on
    db.session.flush()


def unindex_item(kind: SearchKind, object_id: int) -> None:
    """Remove one thing from the search index (nothing happens when it is not there)."""
    db.session.execute(
        SearchEntry.__table__.delete().where(
            SearchEntry.kind == kind, SearchEntry.object_id == object_id
        )
    )


def _fts_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _candidate_clause(tokens: list[str]):
    """The engine's fast filter: rows whose tokens hold all of these."""
    if db.engine.dialect.name == "postgresql":
        return text(
            "string_to_array(search_entries.tokens, ' ') @> CAST(:tokens AS text[])"
        ).bindparams(bindparam("tokens", value=tokens))
    match = " ".join(_fts_string(token) for token in tokens)
    return text(
        "search_entries.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :match)"
    ).bindparams(bindparam("match", value=match))


def _exact_clause(index: int, term: str):
    """The exact check: the term is a substring of the row's normalised text."""
    function = "strpos" if db.engine.dialect.name == "postgresql" else "instr"
    name = f"term_{index}"
    return text(f"{function}(search_entries.text, :{name}) > 0").bindparams(
        bindparam(name, value=term)
    )


def matching_ids(kind: SearchKind, query: str) -> Select | None:
    """The ids of the things of a kind that match every term of the query, as a subquery;
    None when the query has no term to look for (nothing matches it)."""
    terms = query_terms(query)
    tokens = list(dict.fromkeys(token for term in terms for token in term_tokens(term)))
    if not tokens:
        return None
    return select(SearchEntry.object_id).where(
        SearchEntry.kind == kind,
        _candidate_clause(tokens),
        *(_exact_clause(i, term) for i, term in enumerate(terms)),
    )


def search(
    query: str, kinds: set[SearchKind] | None = None, limit: int = 20, offset: int = 0
) -> SearchPage:
    """One page of the approved studios' things matching every term of the query, newest first."""
    terms = query_terms(query)
    limit = max(1, min(limit, 100))
    offset = max(0, min(offset, MAX_OFFSET))
    tokens = list(dict.fromkeys(token for term in terms for token in term_tokens(term)))
    if not tokens or (kinds is not None and not kinds):
        return SearchPage(query, terms, [], False, offset, limit)
    # Narrow rows through the filter and the sort; whole entries only for the page's ids.
    order = (SearchEntry.published_on.desc(), SearchEntry.id.desc())
    ids = (
        select(SearchEntry.id)
        .join(Studio, Studio.id == SearchEntry.studio_id)
        .where(Studio.status == Decision.APPROVED, _candidate_clause(tokens))
        .where(*(_exact_clause(i, term) for i, term in enumerate(terms)))
        .order_by(*order)
        .limit(limit + 1)
        .offset(offset)
    )
    if kinds is None:  # the studios' own things: challenges have their board's search
        ids = ids.where(SearchEntry.kind != SearchKind.CHALLENGE)
    else:
        ids = ids.where(SearchEntry.kind.in_(sorted(kinds)))
    found = list(db.session.scalars(ids))
    if not found:
        return SearchPage(query, terms, [], False, offset, limit)
    rows = db.session.scalars(
        select(SearchEntry).where(SearchEntry.id.in_(found)).order_by(*order)
    ).all()
    items = [_hit(entry, terms) for entry in rows[:limit]]
    return SearchPage(query, terms, items, len(rows) > limit, offset, limit)


def _hit(entry: SearchEntry, terms: list[str]) -> SearchHit:
    return SearchHit(
        entry.kind,
        entry.object_id,
        entry.studio_id,
        entry.title,
        entry.published_on,
        snippet(entry.text, terms),
    )


def snippet(content: str, terms: list[str]) -> str:
    """A short piece of the body around the first term found, without the title line."""
    body = content.split("\n", 1)[1] if "\n" in content else content
    body = " ".join(body.split())
    positions = [p for p in (body.find(term) for term in terms) if p >= 0]
    start = max(0, min(positions) - SNIPPET_LENGTH // 3) if positions else 0
    piece = body[start : start + SNIPPET_LENGTH]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + SNIPPET_LENGTH < len(body) else ""
    return f"{prefix}{piece}{suffix}" if piece else ""
