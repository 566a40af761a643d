"""The assistant: grounded answers in the user's language, partner suggestions and matching.

This module is the public face used by the CLI, the web API and the Telegram bot.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from assistant.chat.chain import AnswerChain, ChatState
from assistant.chat.match_strength import STRONG_MARGIN
from assistant.chat.partners import partner_kind, suggest_partners
from assistant.chat.relevance import RelevanceConfig, retrieve_need
from assistant.chat.results import Answer, Citation, Match, Partner
from assistant.chat.sessions import SessionStore, Turn
from assistant.chat.topic import TopicGate
from assistant.llm import LLM
from assistant.locale.languages import detect_with_score, pick_language
from assistant.locale.texts import localize
from assistant.matching import Matcher
from assistant.translation import RecordTranslation, TranslationService
from assistant.understanding.reader import NeedReader
from retrieval.catalog import Filters
from retrieval.errors import InvalidInput
from retrieval.index import Index
from retrieval.record import Record

__all__ = ["Answer", "Assistant", "Citation", "Match", "Partner"]

MAX_MESSAGE_CHARS = 4000


class Assistant:
    """Answers questions over the index, remembers sessions, suggests partners, matches records."""

    def __init__(self, index: Index, sessions: SessionStore, llm: LLM | None = None,
                 relevance: RelevanceConfig | None = None, topic_gate: TopicGate | None = None,
                 reader: NeedReader | None = None, translations: TranslationService | None = None,
                 strong_margin: float | None = STRONG_MARGIN, rewrite: bool = True,
                 rerank: bool = True) -> None:
        self.index = index
        self.translations = translations or TranslationService(None, None)
        self.sessions = sessions
        self.llm = llm
        self.relevance = relevance or RelevanceConfig()
        self.topic_gate = topic_gate
        self.reader = reader or NeedReader(index.embeddings)
        self.answer_chain = AnswerChain(index, llm, relevance=self.relevance, topic_gate=topic_gate,
                                        reader=self.reader,
                                        translate=self._translate if self.translations.enabled else None,
                                        strong_margin=strong_margin, rewrite=rewrite, rerank=rerank,
                                        english=self.translations.to_english if self.translations.enabled else None)
        self.matcher = Matcher(index)

    def _translate(self, state: ChatState) -> ChatState:
        """The one place answers get machine translations of their citations (every channel uses it)."""
        started = time.perf_counter()
        citations = self.translations.citations(state.citations, state.language)
        state.metadata["translation"] = {
            "provider": self.translations.provider, "translated": sum(1 for c in citations if c.translation),
            "ms": round((time.perf_counter() - started) * 1000, 1)}
        return replace(state, citations=citations)

    def _start(self, message: str, language: str | None, session_id: str | None,
               filters: Filters | None = None, history: list[Turn] | None = None) -> ChatState:
        if len(message) > MAX_MESSAGE_CHARS:
            raise InvalidInput(f"the message is longer than {MAX_MESSAGE_CHARS} characters")
        session_id = session_id or uuid.uuid4().hex
        if history is None:
            history = self.sessions.history(session_id)
        return ChatState(message=message, session_id=session_id, requested=language,
                         filters=filters or Filters(), history=history)

    def _finish(self, state: ChatState, started: float, remember: bool = True) -> Answer:
        state.metadata["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        if state.reply_key:
            state.metadata["reply"] = state.reply_key
        if remember and (not state.reply_key or state.reply_key == "nothing_found"):
            self.sessions.add(state.session_id, Turn(
                question=state.message, condensed=state.condensed or state.message, language=state.language,
                answer=state.text, country=state.country, cited=[c.id for c in state.citations],
                topic=state.topic or state.condensed or state.message))
        return Answer(answer=state.text, language=state.language, citations=state.citations,
                      partners=state.partners, session_id=state.session_id, metadata=state.metadata,
                      question=state.message, next_step=state.next_step, institutions=state.institutions)

    def answer(self, message: str, *, language: str | None = None, session_id: str | None = None,
               filters: Filters | None = None, history: list[Turn] | None = None) -> Answer:
        """A grounded answer to one message, in the requested or detected language; `filters` narrow
        retrieval (a country named in the message takes precedence over the filter's).

        `history` is a conversation the client holds (`assistant.chat.history`): it replaces the session's, and the
        turn is not stored."""
        started = time.perf_counter()
        state = self.answer_chain.pipeline.invoke(self._start(message, language, session_id, filters, history))
        return self._finish(state, started, remember=history is None)

    def stream(self, message: str, *, language: str | None = None, session_id: str | None = None,
               filters: Filters | None = None, history: list[Turn] | None = None) -> Iterator[tuple[str, Any]]:
        """Events of one answer: ("citations", [...]) and ("partners", [...]) right after retrieval,
        ("delta", text) many times, then ("done", Answer.as_dict()).

        After a model failure, `done` carries the composer's full answer, which replaces the deltas.
        `history` as for `answer`.
        """
        started = time.perf_counter()
        state = self.answer_chain.prepare.invoke(self._start(message, language, session_id, filters, history))
        yield "citations", [c.as_dict() for c in state.citations]
        yield "partners", [p.as_dict() for p in state.partners]
        pieces = []
        for piece in self.answer_chain.answer_chunks(state):
            pieces.append(piece)
            yield "delta", piece
        state = self.answer_chain.cite(replace(state, text=self.answer_chain.final_text(state, "".join(pieces))))
        yield "done", self._finish(state, started, remember=history is None).as_dict()

    def partners(self, message: str, *, language: str | None = None, k: int = 5) -> list[Partner]:
        """Partner suggestions for a need (or, for "we have a technology…", organizations that need it)."""
        if not message.strip() or (self.topic_gate is not None and not self.topic_gate.on_topic(message)):
            return []
        code = pick_language(message, language, None)
        intent = self.reader.read(message)
        kind = intent.kind or partner_kind(message)
        filters = Filters(kind=kind) if intent.explicit_kind else None
        query = self.reader.query(intent, message, kind_filtered=filters is not None,
                                  language=detect_with_score(message)[0],
                                  corpus=self.index.snapshot().language_shares())
        found = retrieve_need(self.index, query, filters, self.relevance)
        return suggest_partners(found.partner_hits, kind=kind, language=code, limit=k)

    def match(self, *, record_id: str | None = None, text: str | None = None, kind: str = "demand",
              k: int = 10, language: str | None = None) -> list[Match]:
        """Counterpart records of a record or a text: demands for an achievement, achievements for a demand.

        Reasons come in `language` (default: the text's language, else English)."""
        code = pick_language(text or "", language, "en")
        return self.matcher.match(record_id=record_id, text=text, kind=kind, k=k, language=code)

    def translate_record(self, record: Record, language: str) -> RecordTranslation | None:
        """The record's title and description machine-translated into `language`, or None (same language,
        no translator, or the translator cannot do it within its time budget)."""
        return self.translations.record(record, language)

    def translate_hits(self, results: list[tuple[Record, str]], language: str) -> list[dict[str, str] | None]:
        """For search results (record, shown snippet): each title and snippet translated into `language`, or None."""
        return self.translations.hits(results, language)

    def localized(self, key: str, language: str, **values: str) -> str:
        """A localized UI or bot message (prompts/messages/<language>.json), English when missing."""
        return localize(key, language, **values)
