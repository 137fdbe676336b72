"""Our `Reply` rendered as Zalo OA consultation messages (`/v3.0/oa/message/cs` bodies).

- Text longer than 2000 characters is split on line boundaries (a line that is longer by
  itself is split between words, or hard as a last resort).
- Buttons go under the last text part, as a template attachment of at most 5 buttons;
  more buttons follow in further messages. CALLBACK buttons are `oa.query.hide` buttons whose
  payload is `#cb:<data>` (tapping one sends that text back without showing it in the chat;
  bot/zalo/events.py turns it into `Update.callback_data`), URL buttons are `oa.open.url`.
  Zalo OA has no button to share a phone card or a location, so those kinds are left out
  (on Zalo a customer is linked by customer code and one-time code).
- A picture is uploaded first and sent as a `media` template with its caption as the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.zalo.events import encode_callback
from handlers import texts
from handlers.format import signed_text
from handlers.types import Button, ButtonKind, Reply

TEXT_LIMIT = 2000
BUTTON_LIMIT = 5


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A message ready to send: the `message` object of the request."""

    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImageMessage:
    """A picture to upload, then send with `caption`."""

    png: bytes
    caption: str


Outgoing = TextMessage | ImageMessage


def _split_line(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut <= 0:
            pieces.append(line[:limit])
            line = line[limit:]
        else:
            pieces.append(line[:cut])
            line = line[cut + 1 :]
    pieces.append(line)
    return pieces


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in parts of at most `limit` characters, cut at line ends where possible."""
    if len(text) <= limit:
        return [text] if text.strip() else []
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _split_line(line, limit):
            added = len(piece) + (1 if current else 0)
            if current and size + added > limit:
                parts.append("\n".join(current))
                current, size = [], 0
                added = len(piece)
            current.append(piece)
            size += added
    parts.append("\n".join(current))
    return [part for part in parts if part.strip()]


def render_button(button: Button) -> dict[str, Any] | None:
    """A Zalo template button, or None for a kind Zalo OA cannot show."""
    if button.kind is ButtonKind.CALLBACK:
        return {
            "title": button.label,
            "type": "oa.query.hide",
            "payload": encode_callback(button.data),
        }
    if button.kind is ButtonKind.URL:
        return {"title": button.label, "type": "oa.open.url", "payload": {"url": button.data}}
    return None


def _with_buttons(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    if not buttons:
        return {"text": text}
    return {"text": text, "attachment": {"type": "template", "payload": {"buttons": buttons}}}


def image_message(attachment_id: str, caption: str) -> dict[str, Any]:
    """The message that shows an uploaded picture under its caption."""
    element = {"media_type": "image", "attachment_id": attachment_id}
    return {
        "text": caption[:TEXT_LIMIT],
        "attachment": {
            "type": "template",
            "payload": {"template_type": "media", "elements": [element]},
        },
    }


def render_reply(reply: Reply) -> list[Outgoing]:
    """The messages that show `reply` on Zalo, in sending order."""
    outgoing: list[Outgoing] = []
    if reply.image is not None:
        outgoing.append(ImageMessage(reply.image.png, reply.image.caption))
    parts = split_text(signed_text(reply))
    rendered = [button for button in map(render_button, reply.buttons) if button is not None]
    groups = [
        rendered[start : start + BUTTON_LIMIT] for start in range(0, len(rendered), BUTTON_LIMIT)
    ]
    if groups and not parts:
        parts = [texts.ZALO_MORE_CHOICES]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        outgoing.append(TextMessage(_with_buttons(part, groups[0] if last and groups else [])))
    outgoing.extend(
        TextMessage(_with_buttons(texts.ZALO_MORE_CHOICES, group)) for group in groups[1:]
    )
    return outgoing
