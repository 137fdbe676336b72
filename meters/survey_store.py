"""Satisfaction surveys: one per closed case or request code, the score and a comment.

The callback of a survey button is `survey:<code>:<score>` for every sender (the console's
closing of a case, and scheduled notices about closed service requests alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from meters.case_records import SurveyRecord, SurveyTally
from meters.outbox_store import dialect_insert
from meters.schema import Agent, Survey

SCORES = range(1, 6)


class SqlSurveyStore:
    """Surveys through one connection; never commits."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def create(
        self,
        *,
        code: str,
        chat_user_id: int,
        agent_id: int | None,
        unit: str | None,
        now: datetime,
    ) -> bool:
        """Record that a survey about `code` is sent; False when one already was."""
        result = self._connection.execute(
            dialect_insert(self._connection, Survey)
            .values(
                code=code, chat_user_id=chat_user_id, agent_id=agent_id, unit=unit, sent_at=now
            )
            .on_conflict_do_nothing(index_elements=["code"])
            .execution_options(preserve_rowcount=True)
        )
        return int(result.rowcount) == 1

    def survey(self, code: str) -> SurveyRecord | None:
        """The survey about a code."""
        row = self._connection.execute(
            select(
                Survey.id,
                Survey.code,
                Survey.chat_user_id,
                Survey.agent_id,
                Survey.unit,
                Survey.score,
                Survey.comment,
                Survey.sent_at,
                Survey.answered_at,
            ).where(Survey.code == code)
        ).first()
        return None if row is None else SurveyRecord(*row)

    def record_score(self, code: str, chat_user_id: int, score: int, now: datetime) -> bool:
        """The chat's score for its survey (a later press replaces it); False if not its own."""
        if score not in SCORES:
            return False
        changed = self._connection.execute(
            update(Survey)
            .where(Survey.code == code, Survey.chat_user_id == chat_user_id)
            .values(score=score, answered_at=now)
        ).rowcount
        return bool(changed)

    def record_comment(self, code: str, chat_user_id: int, comment: str) -> bool:
        """The optional comment after the score."""
        changed = self._connection.execute(
            update(Survey)
            .where(
                Survey.code == code,
                Survey.chat_user_id == chat_user_id,
                Survey.score.is_not(None),
            )
            .values(comment=comment)
        ).rowcount
        return bool(changed)

    def tally_by_agent(self, units: Sequence[str] | None = None) -> tuple[SurveyTally, ...]:
        """Answers per agent (surveys without an agent are left out)."""
        return self._tally(Agent.display_name, units, join_agents=True)

    def tally_by_unit(self, units: Sequence[str] | None = None) -> tuple[SurveyTally, ...]:
        """Answers per unit."""
        return self._tally(Survey.unit, units, join_agents=False)

    def recent_comments(
        self, units: Sequence[str] | None = None, limit: int = 20
    ) -> tuple[SurveyRecord, ...]:
        """The latest comments, newest first."""
        query = select(
            Survey.id,
            Survey.code,
            Survey.chat_user_id,
            Survey.agent_id,
            Survey.unit,
            Survey.score,
            Survey.comment,
            Survey.sent_at,
            Survey.answered_at,
        ).where(Survey.comment.is_not(None))
        if units is not None:
            query = query.where(Survey.unit.in_(units))
        rows = self._connection.execute(query.order_by(Survey.answered_at.desc()).limit(limit))
        return tuple(SurveyRecord(*row) for row in rows)

    def _tally(
        self, name_column: Any, units: Sequence[str] | None, *, join_agents: bool
    ) -> tuple[SurveyTally, ...]:
        column = name_column  # a column of Survey or of Agent
        query: Any = select(column, Survey.score, func.count(), func.count(Survey.comment)).where(
            Survey.score.is_not(None)
        )
        if join_agents:
            query = query.join(Agent, Agent.id == Survey.agent_id)
        else:
            query = query.where(Survey.unit.is_not(None))
        if units is not None:
            query = query.where(Survey.unit.in_(units))
        rows = self._connection.execute(query.group_by(column, Survey.score))
        counts: dict[str, list[int]] = {}
        comments: dict[str, int] = {}
        for name, score, count, commented in rows:
            counts.setdefault(str(name), [0, 0, 0, 0, 0])[int(score) - 1] += int(count)
            comments[str(name)] = comments.get(str(name), 0) + int(commented)
        return tuple(
            SurveyTally(name, (c[0], c[1], c[2], c[3], c[4]), comments[name])
            for name, c in sorted(counts.items())
        )
