"""The agent groups' topic rows on both engines: reserve once, relay once, close once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from meters.case_records import CaseFile, CaseRecord
from meters.case_store import SqlCaseStore
from meters.chat_store import SqlChatStore
from meters.telegram_topic_store import SqlTelegramTopicStore

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
GROUPS = (-1001, -1002)


def _open_case(connection: Connection, external_id: str, name: str | None) -> CaseRecord:
    """A new case, in the call centre (CSKH) queue, of a new Telegram chat."""
    chat = SqlChatStore(connection).enter_chat("telegram", external_id, name, NOW)
    return SqlCaseStore(connection).create_case(
        chat_user_id=chat,
        customer_id=None,
        unit="CSKH",
        reason="asked",
        intent_guess=None,
        due_at=None,
        note="-",
        now=NOW,
    )


def test_a_topic_is_reserved_relayed_and_closed_once(engine: Engine) -> None:
    with engine.begin() as connection:
        cases = SqlCaseStore(connection)
        case = _open_case(connection, "111", "An")
        first = cases.add_message(case.id, "customer", "xin gặp nhân viên", NOW)
        topics = SqlTelegramTopicStore(connection)
        assert topics.cases_without_topic() == (case.id,)
        assert topics.reserve(case.id, GROUPS[0], NOW)
        assert not topics.reserve(case.id, GROUPS[1], NOW)
        assert topics.live_topics_per_group(GROUPS) == {GROUPS[0]: 1, GROUPS[1]: 0}
        assert topics.unrelayed() == ()  # still being created
        topics.opened(case.id, 7, first)
        later = cases.add_message(case.id, "customer", "nhà tôi mất điện", NOW)
        [(topic, message_id, author, text, file)] = topics.unrelayed()
        assert (topic.code, topic.thread_id, message_id, author, text, file) == (
            case.code,
            7,
            later,
            "customer",
            "nhà tôi mất điện",
            None,
        )
        assert topics.claim_relay(case.id, later)
        assert not topics.claim_relay(case.id, later)
        assert topics.by_thread(GROUPS[0], 7) == topics.topic(case.id)
        cases.close(case.id, "resolved", NOW)
        assert [t.case_id for t in topics.ending_topics()] == [case.id]
        assert topics.end_topic(case.id)
        assert not topics.end_topic(case.id)
        assert topics.ending_topics() == ()


def test_a_stale_reservation_is_forgotten(engine: Engine) -> None:
    with engine.begin() as connection:
        case = _open_case(connection, "112", None)
        topics = SqlTelegramTopicStore(connection)
        assert topics.reserve(case.id, GROUPS[0], NOW)
        assert not topics.stale(NOW)
        assert topics.stale(NOW + timedelta(minutes=11))
        assert topics.forget_stale(NOW + timedelta(minutes=11)) == 1
        assert topics.cases_without_topic() == (case.id,)


def _case_with_open_topic(
    connection: Connection, external_id: str
) -> tuple[SqlCaseStore, CaseRecord, SqlTelegramTopicStore]:
    """A case whose first customer line is in its open topic (thread 7 of the first group)."""
    cases = SqlCaseStore(connection)
    case = _open_case(connection, external_id, "An")
    first = cases.add_message(case.id, "customer", "xin gặp nhân viên", NOW)
    topics = SqlTelegramTopicStore(connection)
    assert topics.reserve(case.id, GROUPS[0], NOW)
    topics.opened(case.id, 7, first)
    return cases, case, topics


def test_a_file_the_customer_sent_is_relayed_with_its_line(engine: Engine) -> None:
    with engine.begin() as connection:
        cases, case, topics = _case_with_open_topic(connection, "111")
        photo = CaseFile("photo", "telegram:111:42")
        cases.add_message(case.id, "customer", "[ảnh] công tơ", NOW, file=photo)
        [(_, _, _, text, file)] = topics.unrelayed()
        assert (text, file) == ("[ảnh] công tơ", photo)
        [*_, last] = cases.messages(case.id)
        assert (last.text, last.file) == ("[ảnh] công tơ", photo)


def test_an_agents_action_is_relayed_and_replies_and_notes_are_not(engine: Engine) -> None:
    with engine.begin() as connection:
        cases, case, topics = _case_with_open_topic(connection, "113")
        cases.add_message(case.id, "agent", "Dạ em chào anh", NOW)
        cases.add_message(case.id, "note", "đã gọi lại", NOW)
        cases.add_message(case.id, "bot", "Nhân viên đang trả lời", NOW)
        event = cases.add_message(case.id, "event", "Lan chuyển hồ sơ cho Minh.", NOW)
        assert [(m, a, t) for _, m, a, t, _ in topics.unrelayed()] == [
            (event, "event", "Lan chuyển hồ sơ cho Minh.")
        ]
