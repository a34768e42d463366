"""Values as people type them (SPEC §8): one matcher for every rules.yaml and org.yaml value.

A typed value is trimmed (ASCII and full-width spaces) and width-normalised (NFKC), then
taken as: the value itself; an alias (rules.yaml `aliases:`, org.yaml a unit's `aliases:`);
or a prefix or substring of exactly one value (or of one value's alias). Two or more
candidates are refused listing just them; no candidate is refused with the full list and
the closest values. Ambiguity is never resolved by guessing; the value returned is always
the canonical one.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tousu.errors import TousuError, choices

_SPACES = " \t\r\n\u3000\u00a0\u200b\ufeff"


def normalize(text: object) -> str:
    """NFKC (全角 → 半角), trimmed of ASCII and full-width spaces."""
    return unicodedata.normalize("NFKC", str(text)).strip(_SPACES)


def _key(text: str) -> str:
    """What two spellings must share to be the same value: normalised, case-folded."""
    return normalize(text).casefold()


@dataclass(frozen=True)
class Match:
    """The canonical value, and a one-line note for stderr when it is not what was typed."""

    value: str
    note: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """The valid values of one kind (受理渠道, 投诉项, 责任单位 …) and their aliases.

    `listing` renders the valid values in a refusal when a plain list would not do
    (the 17 投诉项 under their 4 大类); `clause` is the regulation behind the list.
    """

    what: str
    values: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias → value
    clause: str = ""
    listing: str | None = None
    unknown: str = ""  # how a refusal names the list, e.g. 不在组织机构（data/org.yaml）中，已有的单位

    def resolve(self, typed: object, option: str = "") -> Match:
        """The canonical value `typed` stands for; TousuError (never a guess) otherwise."""
        text = normalize(typed)
        shown = f"（{option}）" if option else ""
        if not text:
            raise TousuError(f"{self.what}{shown}为空，{self._valid()}")
        exact = {_key(v): v for v in self.values}
        if _key(text) in exact:
            return Match(exact[_key(text)])
        alias = {_key(a): v for a, v in self.aliases.items() if v in self.values}
        if _key(text) in alias:
            value = alias[_key(text)]
            return Match(value, f"{self.what}「{text}」是「{value}」的别称，按「{value}」记录{shown}")
        found = self.candidates(text)
        if len(found) == 1:
            return Match(found[0], f"{self.what}「{text}」按「{found[0]}」记录{shown}")
        if found:
            raise TousuError(f"{self.what}「{text}」{shown}可指多个：{choices(found)}，请写得更完整些")
        near = self.closest(text)
        hint = f"；您是不是要找：{choices(near)}？" if near else ""
        if self.unknown:
            raise TousuError(f"{self.what}「{text}」{self.unknown}：{self.listing or choices(self.values)}{hint}")
        raise TousuError(f"{self.what}「{text}」无效，{self._valid()}{hint}")

    def candidates(self, text: str) -> list[str]:
        """Values of which `text` is a prefix or substring (of the value or of one of its aliases)."""
        k = _key(text)
        names: dict[str, list[str]] = {v: [v] for v in self.values}
        for a, v in self.aliases.items():
            if v in names:
                names[v].append(a)
        return [v for v, spellings in names.items() if any(k in _key(s) for s in spellings)]

    def closest(self, text: str, n: int = 3) -> list[str]:
        """Up to n values that look most like `text` (for 您是不是要找…)."""
        spellings = {v: v for v in self.values}
        spellings.update({a: v for a, v in self.aliases.items() if v in self.values})
        k = _key(text)
        scored = sorted(((difflib.SequenceMatcher(None, k, _key(s)).ratio(), i, v)
                         for i, (s, v) in enumerate(spellings.items())), key=lambda t: (-t[0], t[1]))
        out: list[str] = []
        for ratio, _i, v in scored:
            if ratio < 0.3 or len(out) == n:
                break
            if v not in out:
                out.append(v)
        return out

    def _valid(self) -> str:
        if self.listing is not None:
            return f"可选{self.clause}：{self.listing}"
        return f"可选{self.clause}：{choices(self.values)}"


def alias_map(by_value: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """{value: [alias…]} → {alias: value}."""
    return {a: v for v, aliases in by_value.items() for a in aliases}
