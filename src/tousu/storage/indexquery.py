"""How a query on the index (storage/index.py) is narrowed to the complaints its report function could keep.

`Narrow` names what the caller's report function will drop anyway — list's filters
(reports/listing.py), todo's owners (reports/todo.py), find's text (reports/search.py) —
and `narrowing` turns it into SQL over the columns the index keeps for that
(storage/indexrows.py: FACTS, LOOKUP, and each stage's key and owner). The SQL keeps a
superset: the report function still decides, so the answer is the files' answer; the tests
(tests/test_index.py) compare the two on random records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tousu.domain.lookup import MIN_PHONE_DIGITS, digits_only, norm
from tousu.domain.phones import query_digits


@dataclass(frozen=True)
class Narrow:
    """Which complaints a query may leave out, because its report function would drop them anyway.

    A superset is kept (the report function still decides); None or empty means no narrowing.
    """

    unit: str | None = None  # 责任单位 is this (listing.Filters.unit)
    state: str | None = None  # state key is this (listing.Filters.state)
    hide_voided: bool = False  # not voided (listing.Filters: no --state)
    category: str | None = None  # 大类 or 投诉项 is this
    owners: frozenset[str] | None = None  # a pending stage owned by one of these (todo) ...
    owed_keys: frozenset[str] = frozenset()  # ... or a pending stage of one of these keys (owed by another)
    text: str | None = None  # find's query: some key could match (search.matched_keys)


EVERYTHING = Narrow()


def narrowing(n: Narrow) -> tuple[str, list[Any]]:
    """SQL conditions on the files row `f` that keep every complaint `n` lets through (and a few more)."""
    sql, args = [], []
    for column, value in (("unit", n.unit), ("state", n.state)):
        if value is not None:
            sql.append(f"f.{column} = ?")
            args.append(value)
    if n.hide_voided:
        sql.append("f.state != 'voided'")
    if n.category is not None:
        sql.append("(f.category = ? OR f.item = ?)")
        args += [n.category, n.category]
    if n.owners is not None:
        who = sorted(n.owners)
        keys = sorted(n.owed_keys)
        sql.append("(f.folder, f.name) IN (SELECT folder, name FROM stages WHERE pending = 1 AND "
                   f"(owner IN ({','.join('?' * len(who))}) OR stage_key IN ({','.join('?' * len(keys))})))")
        args += who + keys
    if n.text is not None:
        text, targs = _lookup(n.text)
        sql.append(f"(f.folder, f.name) IN (SELECT folder, name FROM lookup WHERE {text})")
        args += targs
    return "".join(f" AND {s}" for s in sql), args


def _lookup(query: str) -> tuple[str, list[str]]:
    """The lookup rows some key of which matches `query` as search.matched_keys decides (the same tests)."""
    q = norm(query)
    if not q:
        return "0", []
    ors, args = [], []
    digits = query_digits(q)
    if digits_only(q) and len(digits) >= MIN_PHONE_DIGITS:
        ors.append("instr(phone_digits, ?)")
        args.append(digits)
    account = ["account = ?"]
    args.append(q)
    if q.isdigit():
        account.append("account0 = ?")
        args.append(q.lstrip("0"))
    if len(q) >= MIN_PHONE_DIGITS:
        account.append("instr(account, ?)")
        args.append(q)
    ors.append(f"(account != '' AND ({' OR '.join(account)}))")
    ors += ["instr(ref, ?)", "id = ?", "instr(cname, ?)", "instr(address, ?)"]
    args += [q, q, q, q]
    words = q.split()
    if words:
        ors.append("(" + " AND ".join("instr(content, ?)" for _ in words) + ")")
        args += words
    sieve, sargs = _sieve(q, digits, words)
    return f"{sieve} AND ({' OR '.join(ors)})", sargs + args


def _sieve(q: str, digits: str, words: list[str]) -> tuple[str, list[str]]:
    """What every row the tests above keep holds in `keys` (storage/indexrows.py): the query, its digits, the
    query without leading zeros, or each of its words; one scan of one column sieves the rows first."""
    needles = list(dict.fromkeys([q, digits, q.lstrip("0")] if q.isdigit() or digits_only(q) else [q]))
    ors = ["instr(keys, ?)"] * len(needles)
    if len(words) > 1:
        ors.append("(" + " AND ".join("instr(keys, ?)" for _ in words) + ")")
        needles += words
    return "(" + " OR ".join(ors) + ")", needles


def in_folders(folders: list[str] | None, alias: str = "") -> tuple[str, list[str]]:
    if folders is None:
        return "", []
    return f" AND {alias}folder IN ({','.join('?' * len(folders))})", list(folders)
