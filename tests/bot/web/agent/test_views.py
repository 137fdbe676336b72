"""What the console draws of a case: an agent reads everything but one-time codes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.web.agent.views import message_json
from meters.case_records import CaseMessageRecord

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_transcript_line_hides_only_a_one_time_code() -> None:
    said = "mã 424242, gọi 1900 545454 hoặc 0903 123 456, hồ sơ YC2026-000123, mã PE04003479681"
    line = CaseMessageRecord(
        5, 1, "customer", None, None, said, datetime(2026, 11, 20, 7, 5, tzinfo=ZONE)
    )
    drawn = message_json(line, ZONE)
    assert drawn["text"] == said.replace("424242", "******")
    assert drawn["at"] == "07:05 20/11"
