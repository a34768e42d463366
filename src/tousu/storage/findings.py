"""What `tousu check` finds in a record that reads, for the commands that only load records (issue #9 §6).

`check-overdue`, `list`, `show`, `find`, `todo`, `report` and `export` answer as they
always did and print these on stderr as warnings, one `path:line: code message` line
each: the seals (storage/seal.py, E110–E113) and what the history itself contradicts
(domain/audit.history, E103–E104). The assessments (E105–E106) are judged against the
rules.yaml in force now, which a company changes for a new year: old, legitimate
assessments would warn on every command, so they are `tousu check`'s only. The values rules.yaml does not know (E120, E107)
are the loaders' notes already and are not repeated here. The index (storage/index.py)
keeps them per file, worked out when it reads the file, so a warm run pays nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from tousu.config.rules import Rules
from tousu.domain import audit
from tousu.domain.model import Complaint
from tousu.errors import Problem
from tousu.storage import records


def of(c: Complaint, rules: Rules) -> list[Problem]:
    """One record's findings beyond its notes, in the order of their lines."""
    return sorted(records.seal_problems(c) + audit.history(c), key=lambda p: (p.line, p.code))


def of_all(complaints: Iterable[Complaint], rules: Rules) -> list[Problem]:
    return [p for c in complaints for p in of(c, rules)]
