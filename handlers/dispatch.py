"""The conversation core: one update in, the replies and effects out, state and log kept.

Order of routing: commands, button presses, shared cards and places, files without a caption,
a one-time code, the answer to the pending question, the step the chat is in, and finally the
NLU's intent (a file's caption is its text). Whatever does not answer the pending question is
a digression: answered, then the question is offered again (handlers.pending). While a person
has the chat, every message is kept for them and acknowledged, and the bot still answers what
it fully serves (handlers.routes.SELF_SERVICE) and the buttons of its own replies.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from types import MappingProxyType

from handlers import account, agent, attachments, clarify, pending, smalltalk
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.privacy import mask_text, personal_strings
from handlers.routes import (
    CALLBACK_HANDLERS,
    COMMANDS,
    INTENT_HANDLERS,
    LOCATION_HANDLER,
    SELF_SERVICE,
    STEP_HANDLERS,
)
from handlers.types import Outcome, Update
from meters.records import ChatState
from nlu import Intent, parse

logger = logging.getLogger(__name__)

MAX_TEXT = 4000  # longer messages are cut before understanding: nobody types a longer question
SETTLING_COMMANDS = frozenset({"/huy"})  # commands that end a question rather than digress
ANSWERED_WHILE_WAITING = frozenset({"/xoa_du_lieu"})  # commands the bot answers while waiting


def handle_update(update: Update, deps: Deps) -> Outcome:
    """Answer one update of one chat inside the caller's transaction."""
    user = update.user
    chat_user_id, stored, linked = deps.chats.enter_chat_and_read(  # links never cached
        user.channel.value, user.external_id, user.display_name, deps.now
    )
    saved = stored or ChatState(step=Step.IDLE.value, data={})
    waiting, question, rest = pending.read_state(saved.step, saved.data, deps.now)
    step, data = pending.turn_view(question, rest)
    intent, confidence, entities, alternative = _understand(update, deps)
    turn = Turn(
        update=update,
        chat_user_id=chat_user_id,
        intent=intent,
        entities=MappingProxyType(entities),
        linked=linked,
        step=step,
        data=MappingProxyType(data),
        confidence=confidence,
        alternative=alternative,
        question=question,
        waiting=waiting,
    )
    answer = route(turn, deps)
    if answer.forgotten:
        return Outcome(replies=answer.replies)
    next_step, next_data = pending.stored_state(turn, answer, deps)
    deps.chats.save_turn(chat_user_id, next_step, next_data, _log_lines(turn, answer), deps.now)
    return Outcome(replies=answer.replies, effects=answer.effects)


def route(turn: Turn, deps: Deps) -> Answer:
    """The answer to a turn: the waiting answer while a person has the chat, else the bot's."""
    command = _command(turn.update.text)
    if turn.waiting and command != "/bot" and not agent.is_back_to_bot(turn.update):
        return _while_waiting(turn, deps, command)
    return _route(turn, deps, command)


def _route(turn: Turn, deps: Deps, command: str | None) -> Answer:  # noqa: PLR0911 - one return per rule
    """The bot's answer, by commands, buttons, cards, the pending question, then the intent."""
    update = turn.update
    if command is not None and command in COMMANDS:
        answer = COMMANDS[command](turn, deps)
        return answer if command in SETTLING_COMMANDS else pending.keep(turn, answer)
    if update.callback_data is not None:
        return _route_callback(turn, deps, update.callback_data)
    if update.contact is not None:
        return pending.keep(turn, account.link_by_contact(turn, deps))
    if update.location is not None:
        answer = LOCATION_HANDLER(turn, deps)
        return answer if pending.awaits_location(turn.question) else pending.keep(turn, answer)
    if update.attachment is not None and not update.text.strip():
        return pending.keep(turn, attachments.file_alone(turn, deps))
    code_reply = account.one_time_code_reply(turn, deps)
    if code_reply is not None:
        if turn.step is Step.AWAIT_ONE_TIME_CODE:
            return code_reply
        return pending.keep(turn, code_reply)
    resumed = _resumed(turn)
    if resumed is not None:
        return answer_intent(resumed, deps)
    if turn.step is not Step.IDLE and smalltalk.is_cancel(update.text):
        return smalltalk.cancel(turn, deps)
    if turn.step in STEP_HANDLERS and update.text.strip():
        return STEP_HANDLERS[turn.step](turn, deps)
    return pending.keep(turn, answer_intent(turn, deps))


def _resumed(turn: Turn) -> Turn | None:
    """The pending question's turn, when this message is its typed answer."""
    question = turn.question
    if question is None or not pending.answered_by_text(question, turn):
        return None
    return pending.resumed(turn, question)


def _while_waiting(turn: Turn, deps: Deps, command: str | None) -> Answer:
    """A message while a person has the chat: kept for them, the bot's answer, the ack."""
    case = agent.keep_for_agent(turn, deps)
    if case is None:  # closed meanwhile: the bot has the chat again
        return _route(dataclasses.replace(turn, waiting=False), deps, command)
    inner = _route(turn, deps, command) if _bot_serves(turn, deps, command) else None
    if inner is not None and inner.forgotten:
        return inner
    data = pending.carried(turn) if inner is None else pending.stored_state(turn, inner, deps)[1]
    return agent.waiting_answer(turn, deps, case, inner, data)


def _bot_serves(turn: Turn, deps: Deps, command: str | None) -> bool:
    """Whether the bot answers this message itself while a person has the chat."""
    update = turn.update
    if command is not None:
        return command in ANSWERED_WHILE_WAITING
    if update.callback_data is not None:
        return not agent.asks_for_agent(update.callback_data)
    if update.contact is not None or update.location is not None:
        return True
    if update.attachment is not None and not update.text.strip():
        return False
    if account.looks_like_code(update.text) and account.has_pending_code(turn, deps):
        return True
    # Only what the NLU clearly understood: a file's caption ("công tơ nhà tôi") is for the agent.
    understood = turn.intent in SELF_SERVICE and turn.confidence >= pending.SURE_OF_ANOTHER_INTENT
    return _resumed(turn) is not None or understood


def answer_intent(turn: Turn, deps: Deps) -> Answer:
    """Run the handler of the turn's intent; unknown ones get the apology and the menu.

    When the NLU could not choose between two intents, the customer is asked which one.
    """
    if clarify.should_ask(turn):
        return clarify.ask_which(turn, deps)
    handler = INTENT_HANDLERS.get(turn.intent, INTENT_HANDLERS[Intent.UNKNOWN])
    return handler(turn, deps)


def _route_callback(turn: Turn, deps: Deps, data: str) -> Answer:
    """A pressed button; one that is not the pending question's own is a digression."""
    answer = _pressed(turn, deps, data)
    question = turn.question
    if question is None or data == "cancel" or pending.answered_by_button(question, data):
        return answer
    return pending.keep(turn, answer)


def _pressed(turn: Turn, deps: Deps, data: str) -> Answer:
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
    update: Update, deps: Deps
) -> tuple[Intent, float, dict[str, object], Intent | None]:
    """The intent, its confidence, the entities, and the runner-up when the NLU is unsure."""
    text = update.text[:MAX_TEXT]
    if not text.strip() or _command(text) is not None:
        return Intent.UNKNOWN, 1.0, {}, None
    result = parse(text, deps.today, deps.areas)
    runner_up = result.alternatives[0][0] if result.unsure and result.alternatives else None
    return result.intent, result.confidence, dict(result.entities), runner_up


def _command(text: str) -> str | None:
    """The bot command a message starts with (`/start@dienbot_bot` -> `/start`), if any."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return None
    return stripped.split(maxsplit=1)[0].split("@", 1)[0].lower()


def _log_lines(turn: Turn, answer: Answer) -> list[tuple[str, str, str | None]]:
    """The exchange as conversation log lines, with personal data masked."""
    personal = personal_strings((*turn.linked, *answer.linked))
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
