"""Answers to the satisfaction survey: the score of a `survey:<code>:<score>` button, a comment.

The survey is sent by whoever closes the case or request (handlers.cases, scheduler.notices);
the answer goes to the survey row of that code, and only from the chat it was sent to.
"""

from __future__ import annotations

from handlers import texts
from handlers.context import Answer, Deps, Step, Turn, say
from handlers.types import Reply
from meters.survey_store import SqlSurveyStore

MAX_COMMENT_CHARS = 1000


def survey_pressed(turn: Turn, deps: Deps, argument: str) -> Answer:
    """`survey:<code>:<score>`: keep the score and ask for an optional comment."""
    code, _, score_text = argument.rpartition(":")
    surveys = SqlSurveyStore(deps.chats.connection)
    score = int(score_text) if score_text.isdigit() else 0
    if not code or not surveys.record_score(code, turn.chat_user_id, score, deps.now):
        return say(Reply(texts.SURVEY_UNKNOWN))
    return Answer(
        replies=(Reply(texts.SURVEY_THANKS.format(score=score)),),
        step=Step.AWAIT_SURVEY_COMMENT,
        data={"survey": code},
    )


def comment_received(turn: Turn, deps: Deps) -> Answer:
    """The text after a score is the survey's comment."""
    code = turn.data.get("survey")
    comment = turn.update.text.strip()[:MAX_COMMENT_CHARS]
    if isinstance(code, str) and comment:
        SqlSurveyStore(deps.chats.connection).record_comment(code, turn.chat_user_id, comment)
    return say(Reply(texts.SURVEY_COMMENT_THANKS))
