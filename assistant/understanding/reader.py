"""The understanding step: one question in, its `Intent` and the `NeedQuery` that retrieves for it out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from langchain_core.embeddings import Embeddings

from assistant.locale.countries import country_mention
from assistant.locale.languages import detect_with_score, neighbours
from assistant.locale.lexicon import normalize
from assistant.understanding.framing import split_topic
from assistant.understanding.glossary import Glossary
from assistant.understanding.intent import Intent
from assistant.understanding.sought import SoughtClassifier
from retrieval.need import NeedQuery

__all__ = ["NeedReader"]

# How much the whole question adds to the topic in the query vector: as much as the topic. The framing filter is a
# word list per language and fails silently where it knows a language less well (a framing word it does not know
# stays in the topic, a topic word that is also a framing word somewhere goes); the whole question is the embedder's
# own reading. At half weight, needs beyond the dev set scored cited precision@5 0.440 (25 needs in af, id, ms, fa,
# kk, uz, am, hi, vi) and 0.538 (16 in 12 languages); at equal weight 0.480 and 0.550, dev 0.667 both.
QUESTION_WEIGHT = 1.0
# An inferred (not explicit) kind weighs this many calibrated standard deviations per unit of log-odds
# (`assistant.understanding.sought`), capped at `KIND_BONUS_MAX`.
KIND_BONUS_PER_LOG_ODDS = 0.45
KIND_BONUS_MAX = 0.5
# Log-odds at which the reading of the kind is fully confident (`Intent.confidence`).
CONFIDENT_LOG_ODDS = 4.0
# With a model's rewrite of the question (`Intent.rewritten`), the question's own texts weigh this share of it.
REWRITE_SHARE = 0.5
# The offline glossary's English words for the topic (`assistant.understanding.glossary`) weigh the share of the
# topic's words they translate, against a rewrite's 1.0; below half the topic the glossary is not reading this language
# (a Turkish question read through the Uzbek glossary finds a word or two: 0.12 to 0.2 of the topic; the languages the
# glossaries were written for, 0.4 to 1.0).
GLOSS_MIN_SHARE = 0.5
# A language that writes at least this share of the records (Chinese, 35% of the sample's) gets the topic in its words
# too (`Glossary.translate`), weighing that share of what the English words weigh: the embedder carries a question
# to records of another language less well than to its own, and most of all from a third language (an Amharic need
# to Chinese records). Cited precision@5 went 0.736 -> 0.784 on the low-resource needs (pools deepened), 0.700 ->
# 0.713 on the untuned ones, dev 0.813 both (nDCG@5 0.766 -> 0.776); a fixed weight of 0.15 to 0.5 did about as well.
# The same words join BM25's query: a record written in that language matches the topic's own terms there (盐碱地,
# saline land; 腐蚀, corrosion), which the embedder reaches from a third language least of all. On the held-out needs
# (52 in 26 languages) cited precision@5 went 0.554 -> 0.573 (17 interface languages 0.594 -> 0.635), dev 0.813 ->
# 0.840, low-resource 0.784 -> 0.776; the untuned needs lost 0.713 -> 0.662, most of it one Turkish need whose
# Chinese terms (工作站, workstation) match records of another topic.
OTHER_LANGUAGE_MIN_SHARE = 0.1
# Pseudo-relevance feedback from the first pass's best records (`retrieval.need`).
FEEDBACK_RECORDS = 8


def _without(topic: str, name: str) -> str:
    """`topic` without the words that spell `name` (normalized); "" when nothing else is left. A name inside a word of
    an unspaced script stays: ขนมไทย is a Thai dessert, not a dessert in Thailand."""
    tokens = topic.split()
    forms = [normalize(t) for t in tokens]
    needle = name.split()
    for start in range(len(tokens) - len(needle) + 1):
        if forms[start:start + len(needle)] == needle:
            return " ".join(tokens[:start] + tokens[start + len(needle):])
    return topic


class NeedReader:
    """Reads questions with the multilingual embedder (see `assistant.understanding`)."""

    def __init__(self, embeddings: Embeddings | None, glossary: Glossary | None = None) -> None:
        """`embeddings` reads the kind sought; None (a test double's meaningless vectors) leaves it to cue words.
        `glossary`: the offline glossary (prompts/glossary/ by default)."""
        self.sought = SoughtClassifier(embeddings)
        self.glossary = glossary if glossary is not None else Glossary()

    def read(self, question: str) -> Intent:
        """The intent of a standalone question."""
        code, _ = detect_with_score(question)
        # the framing words of the languages the detector confuses with this one count too (Malay read as Indonesian)
        languages = (code, *neighbours(code)) if code else ()
        words = split_topic(question, languages, lambda forms, start: self.glossary.phrase(forms, start, languages))
        reading = self.sought.read(question, words)
        mention = country_mention(question)
        country = mention[0] if mention else None
        # a named place constrains the search (a filter or the "closest from elsewhere" reply); in the topic it would
        # pull toward records that mention the place ("России композиты" toward Russian-themed records)
        topic = (_without(words.text, mention[1]) or words.text) if mention else words.text
        sought = "partner" if reading.partners and reading.kind == "achievement" else reading.kind
        gloss = self.glossary.english(topic, (code, *neighbours(code))) if code and code != "en" else None
        if gloss is not None and gloss.covered < GLOSS_MIN_SHARE:
            gloss = None  # another language's glossary that happens to hold a word or two (Turkish read as Uzbek)
        if gloss is not None:
            english = split_topic(gloss.text, ("en",)).text
            gloss = replace(gloss, text=english) if english else None
        return Intent(sought=sought, topic=topic, countries=(country,) if country else (),  # type: ignore[arg-type]
                      explicit_kind=reading.explicit, confidence=min(1.0, abs(reading.margin) / CONFIDENT_LOG_ODDS),
                      framing=words.framing, margin=reading.margin, glossed=gloss.text if gloss else "",
                      glossed_share=gloss.covered if gloss else 0.0)

    def query(self, intent: Intent, question: str, *, kind_filtered: bool, language: str | None = None,
              corpus: Mapping[str, float] | None = None) -> NeedQuery:
        """The search for an intent; `kind_filtered` when the caller filters by kind already (no bonus then);
        `language`, the question's, decides whether the second embedder has an opinion (`retrieval.companion`);
        `corpus`, each language's share of the records, which languages besides English get the topic in their
        words."""
        topic = intent.topic if len(intent.topic.split()) else ""
        meaningful = self.sought.embeddings is not None
        # the test double's vectors carry no meaning: blending or feeding back adds only noise
        texts = [(topic, 1.0), (question, QUESTION_WEIGHT)] if topic and meaningful else [(question, 1.0)]
        lexical = topic or question
        if intent.rewritten:
            # the model's query names the need in the records' language: it leads; the question's own words stay,
            # with less weight, so a rewrite that missed something does not lose it
            texts = [(intent.rewritten, 1.0), *((text, weight * REWRITE_SHARE) for text, weight in texts)]
            lexical = f"{intent.rewritten} {lexical}"
        elif intent.glossed:
            # the glossary's English words for the topic (no model, no translator): they lead as a translation would
            share = intent.glossed_share
            texts = [(intent.glossed, share), *((text, weight * REWRITE_SHARE) for text, weight in texts)]
            lexical = f"{intent.glossed} {lexical}"
        if meaningful and topic:
            others = self._other_languages(intent, language, corpus or {})
            texts = [*texts, *((words, weight) for words, _, weight in others)]
            lexical = " ".join([lexical, *(words for _, words, _ in others)])
        bonus: dict[str, float] = {}
        kind = intent.kind
        if kind and not kind_filtered:
            bonus[kind] = min(KIND_BONUS_MAX, KIND_BONUS_PER_LOG_ODDS * abs(intent.margin))
        feedback = FEEDBACK_RECORDS if meaningful else 0
        return NeedQuery(texts=texts, lexical=lexical, kind_bonus=bonus, snippet=lexical,
                         feedback_records=feedback, language=language)

    def _other_languages(self, intent: Intent, language: str | None,
                         corpus: Mapping[str, float]) -> list[tuple[str, str, float]]:
        """The topic's English (a rewrite, the gloss, or the topic of an English question) in each other language that
        writes a large share of the records: the words to embed, the words for BM25 (a term of several senses in the
        forms of each, `assistant.understanding.senses`), and the weight, that share of the English words' weight."""
        english, weight = (intent.rewritten, 1.0) if intent.rewritten else \
            (intent.glossed, intent.glossed_share) if intent.glossed else \
            (intent.topic, 1.0) if language == "en" else ("", 0.0)
        others = [(code, share) for code, share in corpus.items()
                  if english and code not in ("en", language) and share >= OTHER_LANGUAGE_MIN_SHARE]
        return [(words, self.glossary.translate(english, code, senses=True), weight * share)
                for code, share in others if (words := self.glossary.translate(english, code))]
