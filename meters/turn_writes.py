"""PostgreSQL: the end of every turn of a transaction written by one statement.

A turn ends by saving the chat's state (when it changed) and its conversation log lines. The
conversation runner answers the updates that arrive together in one transaction; their turn
writes are collected here and sent as one statement before the commit instead of one per
update. Every statement is a round trip in which the process waits for the server and then
for the GIL, and that waiting was the largest part of an update's time inside a batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from meters.driver_sql import DriverStatement
from meters.timestamps import to_utc

_WRITE_TURNS = DriverStatement(
    text(
        """
WITH saved_state AS (
    INSERT INTO conversation_state (chat_user_id, step, data, version, updated_at)
    SELECT state.chat_user_id, state.step, state.data, 1, state.moment
    FROM unnest(
        CAST(:state_chats AS integer[]), CAST(:steps AS varchar[]),
        CAST(:data AS json[]), CAST(:state_moments AS timestamptz[])
    ) AS state(chat_user_id, step, data, moment)
    ON CONFLICT (chat_user_id) DO UPDATE SET step = excluded.step, data = excluded.data,
        version = conversation_state.version + 1, updated_at = excluded.updated_at
)
INSERT INTO conversation_log (chat_user_id, direction, text, intent, created_at)
SELECT line.chat_user_id, line.direction, line.text, line.intent, line.moment
FROM unnest(
    CAST(:line_chats AS integer[]), CAST(:directions AS varchar[]), CAST(:texts AS text[]),
    CAST(:intents AS varchar[]), CAST(:line_moments AS timestamptz[])
) WITH ORDINALITY AS line(chat_user_id, direction, text, intent, moment, number)
ORDER BY line.number"""
    )
)


@dataclass(slots=True)
class TurnWrites:
    """The states and log lines of a transaction's turns, written together by `write`."""

    states: dict[int, tuple[str, str, datetime]] = field(default_factory=dict)  # data as JSON
    lines: list[tuple[int, str, str, str | None, datetime]] = field(default_factory=list)

    def add(
        self,
        chat_user_id: int,
        state: tuple[str, dict[str, Any]] | None,
        entries: list[tuple[str, str, str | None]],
        now: datetime,
    ) -> None:
        """A turn's new state (None: unchanged) and its log lines (already masked)."""
        moment = to_utc(now)
        if state is not None:
            self.states[chat_user_id] = (state[0], json.dumps(state[1]), moment)
        self.lines.extend((chat_user_id, *entry, moment) for entry in entries)

    def write(self, connection: Connection) -> None:
        """Write what was added, in one statement (none when nothing was), and forget it."""
        if not self.states and not self.lines:
            return
        states = list(self.states.items())
        _WRITE_TURNS.execute(
            connection,
            {
                "state_chats": [chat for chat, _ in states],
                "steps": [step for _, (step, _, _) in states],
                "data": [data for _, (_, data, _) in states],
                "state_moments": [moment.isoformat() for _, (_, _, moment) in states],
                "line_chats": [line[0] for line in self.lines],
                "directions": [line[1] for line in self.lines],
                "texts": [line[2] for line in self.lines],
                "intents": [line[3] for line in self.lines],
                "line_moments": [line[4].isoformat() for line in self.lines],
            },
        )
        self.states.clear()
        self.lines.clear()
