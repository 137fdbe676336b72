"""The channel-neutral message model: what a customer sent, and what the bot answers.

Adapters (Telegram, Zalo, web chat, terminal) translate their platform's payloads into an
`Update` and render each `Reply`; nothing platform-specific crosses this line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

CALLBACK_DATA_LIMIT = 64  # bytes: Telegram's limit on inline button data, the tightest one


class Channel(StrEnum):
    """Where a conversation takes place."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    WEB = "web"
    LOCAL = "local"  # `dienbot chat` in a terminal


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person on one channel: the platform's own id of the user (or of the web visitor)."""

    channel: Channel
    external_id: str
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class SharedContact:
    """A phone card shared in the chat; `user_id` is the platform account the card belongs to."""

    phone: str
    user_id: str | None


@dataclass(frozen=True, slots=True)
class Location:
    """A place the customer shared (WGS 84 degrees)."""

    latitude: float
    longitude: float


class AttachmentKind(StrEnum):
    """What kind of file a customer sent."""

    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"  # a voice note or an audio file
    VIDEO = "video"
    STICKER = "sticker"  # stickers and GIFs


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a customer sent (its caption, if any, is the update's text).

    `source` is where an agent's relay finds the file again: `telegram:<chat id>:<message id>`
    for a Telegram message (copied into the agent group as it is), or the file's URL on the
    platform's servers (Zalo).
    """

    kind: AttachmentKind
    source: str


TELEGRAM_SOURCE = "telegram:"  # Attachment.source of a Telegram message: telegram:<chat>:<message>


def telegram_source(chat_id: int, message_id: int) -> str:
    """The `Attachment.source` of a Telegram message."""
    return f"{TELEGRAM_SOURCE}{chat_id}:{message_id}"


def parse_telegram_source(source: str) -> tuple[int, int] | None:
    """(chat id, message id) of a Telegram `Attachment.source`, None for anything else."""
    chat, separator, message = source.removeprefix(TELEGRAM_SOURCE).partition(":")
    if not source.startswith(TELEGRAM_SOURCE) or not separator:
        return None
    try:
        return int(chat), int(message)
    except ValueError:
        return None


def storable(text: str) -> str:
    """`text` as a database can store it: without NUL, a lone UTF-16 surrogate replaced by
    U+FFFD.

    A message with either would fail its whole turn (the log write): PostgreSQL text cannot
    hold NUL, and a lone surrogate (a JSON body's "\\ud800") cannot be encoded as UTF-8 for
    either engine. Every channel's text and button data pass through here.
    """
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Update:
    """One thing the customer did: a text, a button press, a shared contact or location, a file.

    Attributes:
        user: who sent it.
        received_at: when it arrived (timezone-aware).
        text: the message text ("" for a button press or a shared card).
        callback_data: the `Button.data` of the pressed button.
        contact: a shared phone card.
        location: a shared location.
        attachment: a photo, document, voice note, video or sticker (its caption is `text`).
        private_chat: False in groups (contact sharing is only trusted in private chats).
        forwarded: True when the message was forwarded from someone else.
        message_id: the platform's id of the message, to drop duplicate deliveries.
        client_address: where a web chat request came from (bot/web/client.py), the key of
            the limits by address (meters/rate_store.py); None on Telegram and Zalo, whose
            users are platform accounts.
    """

    user: UserRef
    received_at: datetime
    text: str = ""
    callback_data: str | None = None
    contact: SharedContact | None = None
    location: Location | None = None
    attachment: Attachment | None = None
    private_chat: bool = True
    forwarded: bool = False
    message_id: str | None = None
    client_address: str | None = None

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("Update.received_at must be timezone-aware")
        object.__setattr__(self, "text", storable(self.text))
        if self.callback_data is not None:
            object.__setattr__(self, "callback_data", storable(self.callback_data))

    @property
    def channel(self) -> Channel:
        """The channel the update came from."""
        return self.user.channel


class ButtonKind(StrEnum):
    """What pressing a button does."""

    CALLBACK = "callback"  # sends `data` back as an Update.callback_data
    SHARE_CONTACT = "share_contact"  # asks the platform to share the user's phone card
    SHARE_LOCATION = "share_location"  # asks the platform to share the user's location
    URL = "url"  # opens `data` as a link


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply; callback `data` is short ASCII (at most 64 bytes)."""

    label: str
    data: str = ""
    kind: ButtonKind = ButtonKind.CALLBACK

    def __post_init__(self) -> None:
        if self.kind is ButtonKind.CALLBACK:
            encoded = self.data.encode("utf-8")
            if not self.data.isascii() or not 0 < len(encoded) <= CALLBACK_DATA_LIMIT:
                raise ValueError(f"callback data must be 1-64 ASCII bytes, got {self.data!r}")


@dataclass(frozen=True, slots=True)
class Image:
    """A picture sent with a reply (PNG bytes) and the text that says what it shows."""

    png: bytes
    caption: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message of the bot: text, optional buttons and an optional image.

    `author`: the display name of the agent who wrote it (None: the bot). Each channel says who
    writes: the web page by a label, text channels by a first line (`format.signed_text`).
    """

    text: str
    buttons: tuple[Button, ...] = ()
    image: Image | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class SendOneTimeCode:
    """Deliver a one-time linking code to a contract phone (SMS, ZNS or the dev log).

    `warned`: the message also says that someone typed wrong codes for this customer code
    until its linking paused (the first code after the pause).
    """

    phone: str
    code: str
    customer_code: str
    channel: Channel
    warned: bool = False


@dataclass(frozen=True, slots=True)
class CodeWithheld:
    """A customer's one-time code that a limit kept from being sent (counted for operators)."""

    channel: Channel


@dataclass(frozen=True, slots=True)
class NotifyAgents:
    """Tell the call centre that a chat asks for a person (the agent side picks it up)."""

    chat_user_id: int
    case_id: int
    reason: str


Effect = SendOneTimeCode | CodeWithheld | NotifyAgents


@dataclass(frozen=True, slots=True)
class Outcome:
    """What handling one update produced: the replies, and effects for the edge to carry out."""

    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
