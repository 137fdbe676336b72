"""What a case looks like in the Telegram agent group: the guess in words, lines with the time
they were said, the case's customers masked and public numbers readable."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.telegram import agent_topics
from handlers import texts
from meters.case_records import CaseMessageRecord, CaseRecord
from meters.records import CustomerDetails

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OPENED = datetime(2026, 11, 20, 14, 5, tzinfo=ZONE)
CUSTOMER = CustomerDetails(
    id=7,
    customer_code="PE04003479681",
    name="Nguyễn Văn An",
    phone="0903123456",
    address="12 Lê Lợi, Phường Bến Thành",
    area="Phường Bến Thành",
    customer_type="residential",
    households=Decimal(1),
    voltage_kv=None,
    station=None,
    reading_day=31,
    power_company="Điện lực Gia Định",
)
CASE = CaseRecord(
    id=1,
    code="YC2026-000042",
    chat_user_id=3,
    channel="web",
    external_id="visitor",
    display_name=None,
    customer_id=CUSTOMER.id,
    unit="Điện lực Gia Định",
    assignee_id=None,
    assignee_name=None,
    reason="asked",
    intent_guess="outage_report",
    status="received",
    open=True,
    created_at=OPENED,
    updated_at=OPENED,
    due_at=OPENED + timedelta(hours=2),
    closed_at=None,
    resolution=None,
)


def line(text: str, said_at: datetime, author: str = "customer") -> CaseMessageRecord:
    """A transcript line."""
    return CaseMessageRecord(1, CASE.id, author, None, None, text, said_at)


def test_the_topic_names_the_guess_in_words() -> None:
    name = agent_topics.topic_name(CASE, [CUSTOMER])
    assert (
        name
        == f"YC2026-000042 · N. V. An (PE0400*******) · {texts.INTENT_LABELS['outage_report']}"
    )
    assert "outage_report" not in agent_topics.summary(CASE, [CUSTOMER], [], ZONE)


def test_summary_lines_carry_when_they_were_said_masked_with_public_numbers_readable() -> None:
    earlier = OPENED - timedelta(hours=3)
    said = (
        "Tôi là Nguyễn Văn An, mã PE04003479681, mã 424242, gọi 1900 545454 không được, "
        "hồ sơ YC2026-000123, nợ 1.212.775 đ"
    )
    summary = agent_topics.summary(CASE, [CUSTOMER], [line(said, earlier)], ZONE)
    assert (
        "11:05 Khách: Tôi là […], mã PE0400*******, mã ******, gọi 1900 545454 không được, "
        "hồ sơ YC2026-000123, nợ 1.212.775 đ"
    ) in summary


def test_a_relayed_line_hides_the_case_customers_values() -> None:
    relayed = agent_topics.relayed_line(
        "customer", "nhà 12 Lê Lợi, Phường Bến Thành ạ", [CUSTOMER]
    )
    assert "Lê Lợi" not in relayed
    assert "[…]" in relayed
