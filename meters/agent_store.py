"""Console users and their sessions; never commits (failed sign-ins: bot/web/agent/throttle.py).

Passwords arrive already hashed (argon2, by the caller); session tokens are stored as their
SHA-256 so that a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from meters.case_records import AgentRecord, SessionRecord
from meters.schema import Agent, AgentSession

ROLES = ("agent", "supervisor")
_AGENT_COLUMNS = (
    Agent.id,
    Agent.username,
    Agent.display_name,
    Agent.role,
    Agent.unit,
    Agent.active,
)


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SqlAgentStore:
    """Agents, sessions and sign-in failures through one connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_agent(
        self,
        *,
        username: str,
        display_name: str,
        role: str,
        unit: str | None,
        password_hash: str,
        now: datetime,
    ) -> int:
        """Create an agent; ValueError for an unknown role or a user name in use."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if self.password_hash(username) is not None:
            raise ValueError(f"the user name {username!r} is taken")
        result = self._connection.execute(
            insert(Agent)
            .values(
                username=username,
                display_name=display_name,
                role=role,
                unit=unit,
                password_hash=password_hash,
                active=True,
                created_at=now,
            )
            .returning(Agent.id)
        )
        return int(result.scalar_one())

    def set_password(self, username: str, password_hash: str) -> bool:
        """Replace an agent's password hash and end their sessions; False if unknown."""
        agent = self.by_username(username)
        if agent is None:
            return False
        self._connection.execute(
            update(Agent).where(Agent.id == agent.id).values(password_hash=password_hash)
        )
        self._connection.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        return True

    def count(self) -> int:
        """How many agents exist."""
        return int(self._connection.execute(select(func.count()).select_from(Agent)).scalar_one())

    def agent(self, agent_id: int) -> AgentRecord | None:
        """The agent with this id."""
        row = self._connection.execute(select(*_AGENT_COLUMNS).where(Agent.id == agent_id)).first()
        return None if row is None else AgentRecord(*row)

    def by_username(self, username: str) -> AgentRecord | None:
        """The agent with this user name."""
        row = self._connection.execute(
            select(*_AGENT_COLUMNS).where(Agent.username == username)
        ).first()
        return None if row is None else AgentRecord(*row)

    def password_hash(self, username: str) -> str | None:
        """The stored hash of an agent's password."""
        found = self._connection.execute(
            select(Agent.password_hash).where(Agent.username == username)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def agents(self, units: Sequence[str] | None = None) -> tuple[AgentRecord, ...]:
        """Active agents (of these units when given), by name."""
        query = select(*_AGENT_COLUMNS).where(Agent.active.is_(True))
        if units is not None:
            query = query.where(Agent.unit.in_(units))
        rows = self._connection.execute(query.order_by(Agent.display_name, Agent.id))
        return tuple(AgentRecord(*row) for row in rows)

    def start_session(
        self, agent_id: int, token: str, csrf_token: str, expires_at: datetime, now: datetime
    ) -> None:
        """Remember a new session (its token hashed); expired sessions are swept."""
        self._connection.execute(delete(AgentSession).where(AgentSession.expires_at <= now))
        self._connection.execute(
            insert(AgentSession).values(
                token_hash=token_hash(token),
                agent_id=agent_id,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=expires_at,
            )
        )

    def session(self, token: str, now: datetime) -> SessionRecord | None:
        """The live session of a cookie token and its active agent, else None."""
        row = self._connection.execute(
            select(*_AGENT_COLUMNS, AgentSession.csrf_token, AgentSession.expires_at)
            .join(Agent, Agent.id == AgentSession.agent_id)
            .where(
                AgentSession.token_hash == token_hash(token),
                AgentSession.expires_at > now,
                Agent.active.is_(True),
            )
        ).first()
        if row is None:
            return None
        return SessionRecord(AgentRecord(*row[:6]), row[6], row[7])

    def end_session(self, token: str) -> None:
        """Sign out."""
        self._connection.execute(
            delete(AgentSession).where(AgentSession.token_hash == token_hash(token))
        )
