"""The conversation core: one update in, the replies and effects out, state and log kept.

Order of routing: commands, button presses, shared cards and places, files without a caption,
the step the chat is in, and finally the NLU's intent (a file's caption is its text). A chat
handed to a person is only logged until `/bot`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

from handlers import account, agent, attachments, clarify, smalltalk
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.privacy import mask_text, personal_strings
from handlers.routes import (
    CALLBACK_HANDLERS,
    COMMANDS,
    INTENT_HANDLERS,
    LOCATION_HANDLER,
    STEP_HANDLERS,
)
from handlers.types import Outcome, Update
from meters.records import ChatState
from nlu import Intent, parse

logger = logging.getLogger(__name__)

MAX_TEXT = 4000  # longer messages are cut before understanding: nobody types a longer question


def handle_update(update: Update, deps: Deps) -> Outcome:
    """Answer one update of one chat inside the caller's transaction."""
    user = update.user
    chat_user_id, stored, linked = deps.chats.enter_chat_and_read(  # links never cached
        user.channel.value, user.external_id, user.display_name, deps.now
    )
    saved = stored or ChatState(step=Step.IDLE.value, data={})
    step = Step(saved.step) if saved.step in Step._value2member_map_ else Step.IDLE
    intent, entities, alternative = _understand(update, deps, step)
    turn = Turn(
        update=update,
        chat_user_id=chat_user_id,
        intent=intent,
        entities=MappingProxyType(entities),
        linked=linked,
        step=step,
        data=MappingProxyType(dict(saved.data)),
        alternative=alternative,
    )
    answer = route(turn, deps)
    if answer.forgotten:
        return Outcome(replies=answer.replies)
    deps.chats.save_turn(
        chat_user_id, answer.step.value, dict(answer.data), _log_lines(turn, answer), deps.now
    )
    return Outcome(replies=answer.replies, effects=answer.effects)


def route(turn: Turn, deps: Deps) -> Answer:  # noqa: PLR0911 - one return per routing rule
    """The answer to a turn, by commands, buttons, cards, the current step, then the intent."""
    update = turn.update
    command = _command(update.text)
    if turn.step is Step.HUMAN and command not in ("/bot", "/xoa_du_lieu"):
        return agent.while_with_agent(turn, deps)
    if command is not None and command in COMMANDS:
        return COMMANDS[command](turn, deps)
    if update.callback_data is not None:
        return _route_callback(turn, deps, update.callback_data)
    if update.contact is not None:
        return account.link_by_contact(turn, deps)
    if update.location is not None:
        return LOCATION_HANDLER(turn, deps)
    if update.attachment is not None and not update.text.strip():
        return attachments.file_alone(turn, deps)
    if turn.step is Step.AWAIT_ONE_TIME_CODE and account.looks_like_code(update.text):
        return account.check_one_time_code(turn, deps)
    if turn.step is Step.AWAIT_CUSTOMER_CODE and "customer_code" in turn.entities:
        return account.start_linking(turn, deps)
    if turn.step is not Step.IDLE and smalltalk.is_cancel(update.text):
        return smalltalk.cancel(turn, deps)
    if turn.step in STEP_HANDLERS and update.text.strip():
        return STEP_HANDLERS[turn.step](turn, deps)
    return answer_intent(turn, deps)


def answer_intent(turn: Turn, deps: Deps) -> Answer:
    """Run the handler of the turn's intent; unknown ones get the apology and the menu.

    When the NLU could not choose between two intents, the customer is asked which one.
    """
    if clarify.should_ask(turn):
        return clarify.ask_which(turn, deps)
    handler = INTENT_HANDLERS.get(turn.intent, INTENT_HANDLERS[Intent.UNKNOWN])
    return handler(turn, deps)


def _route_callback(turn: Turn, deps: Deps, data: str) -> Answer:
    prefix, _, argument = data.partition(":")
    if prefix == "i" and argument in Intent._value2member_map_:
        fresh = Turn(
            update=turn.update,
            chat_user_id=turn.chat_user_id,
            intent=Intent(argument),
            entities=MappingProxyType({}),
            linked=turn.linked,
        )
        return answer_intent(fresh, deps)
    if prefix == "c" and turn.step is Step.CHOOSE_CUSTOMER:
        return _continue_with_customer(turn, deps, argument)
    handler = CALLBACK_HANDLERS.get(prefix)
    if handler is None:
        return smalltalk.help_menu(turn, deps)
    return handler(turn, deps, argument)


def _continue_with_customer(turn: Turn, deps: Deps, argument: str) -> Answer:
    """The pending question again, now about the customer the chat chose from its own."""
    chosen = next((c for c in turn.linked if str(c.id) == argument), None)
    pending = turn.data.get("intent")
    if chosen is None or pending not in Intent._value2member_map_:
        return smalltalk.help_menu(turn, deps)
    stored = turn.data.get("entities")
    entities = dict(stored) if isinstance(stored, Mapping) else {}
    entities.pop("customer_code", None)
    resumed = Turn(
        update=turn.update,
        chat_user_id=turn.chat_user_id,
        intent=Intent(str(pending)),
        entities=MappingProxyType(entities),
        linked=turn.linked,
        data=MappingProxyType({"customer_id": chosen.id}),
    )
    return answer_intent(resumed, deps)


def _understand(
    update: Update, deps: Deps, step: Step
) -> tuple[Intent, dict[str, object], Intent | None]:
    """The intent, the entities, and the runner-up intent when the NLU is unsure."""
    text = update.text[:MAX_TEXT]
    if not text.strip() or _command(text) is not None:
        return Intent.UNKNOWN, {}, None
    result = parse(text, deps.today, deps.areas)
    runner_up = result.alternatives[0][0] if result.unsure and result.alternatives else None
    return result.intent, dict(result.entities), runner_up


def _command(text: str) -> str | None:
    """The bot command a message starts with (`/start@dienbot_bot` -> `/start`), if any."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return None
    return stripped.split(maxsplit=1)[0].split("@", 1)[0].lower()


def _log_lines(turn: Turn, answer: Answer) -> list[tuple[str, str, str | None]]:
    """The exchange as conversation log lines, with personal data masked."""
    personal = personal_strings(turn.linked)
    update = turn.update
    incoming = update.text or (f"[button {update.callback_data}]" if update.callback_data else "")
    if update.attachment is not None:
        incoming = attachments.described_file(update.attachment.kind, update.text)
    if update.contact is not None:
        incoming = "[contact]"
    elif update.location is not None:
        incoming = "[location]"
    entries: list[tuple[str, str, str | None]] = []
    if incoming:
        entries.append(("in", mask_text(incoming, personal), turn.intent.value))
    entries.extend(("out", mask_text(reply.text, personal), None) for reply in answer.replies)
    return entries


__all__ = ["answer_intent", "handle_update", "route", "say"]
