"""The stores of one transaction for the case service, opened at the edge like the runner's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from handlers.cases import CaseDeps
from handlers.context import ConversationConfig
from meters.account_store import SqlAccountStore
from meters.agent_store import SqlAgentStore
from meters.case_store import SqlCaseStore
from meters.chat_store import SqlChatStore
from meters.outbox_store import SqlOutboxStore
from meters.survey_store import SqlSurveyStore


def case_deps(connection: Connection, config: ConversationConfig, now: datetime) -> CaseDeps:
    """Every store the case service needs, on one connection."""
    return CaseDeps(
        cases=SqlCaseStore(connection),
        chats=SqlChatStore(connection),
        accounts=SqlAccountStore(connection),
        agents=SqlAgentStore(connection),
        surveys=SqlSurveyStore(connection),
        outbox=SqlOutboxStore(connection),
        config=config,
        now=now,
    )
