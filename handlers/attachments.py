"""Files a customer sends: the bot cannot read them, a person can.

A file with a caption is answered by its caption, as a text. A file alone gets a short answer:
a sticker the menu, anything else the offer of an agent (who sees the file: it is relayed into
the agents' transcript while a person has the chat) and the hotline for a hazard.
"""

from __future__ import annotations

from handlers import texts
from handlers.context import Answer, Deps, Turn, say
from handlers.menu import AGENT_BUTTON, MENU_BUTTONS
from handlers.types import Attachment, AttachmentKind, Reply
from meters.case_records import CaseFile


def described_file(kind: str, caption: str) -> str:
    """A file of `kind` (an AttachmentKind value) and its caption as one line of a transcript:
    "[ảnh] đồng hồ nhà tôi"."""
    what = texts.ATTACHMENT_NAMES.get(kind, texts.ATTACHMENT_NAMES[AttachmentKind.DOCUMENT])
    return f"{texts.ATTACHMENT_LINE.format(what=what)} {caption}".strip()


def file_of(attachment: Attachment | None) -> CaseFile | None:
    """The attachment as a case transcript keeps it."""
    return None if attachment is None else CaseFile(attachment.kind.value, attachment.source)


def file_alone(turn: Turn, deps: Deps) -> Answer:
    """A file without a caption, outside a handoff."""
    attachment = turn.update.attachment
    if attachment is None or attachment.kind is AttachmentKind.STICKER:
        return say(Reply(texts.STICKER_REPLY, MENU_BUTTONS))
    first = turn.linked[0].customer_code if turn.linked else None
    text = texts.ATTACHMENT_UNREAD.format(
        what=texts.ATTACHMENT_NAMES[attachment.kind], hotline=deps.config.hotline_for(first)
    )
    return say(Reply(text, (AGENT_BUTTON, *MENU_BUTTONS[:3])))
