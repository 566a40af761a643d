"""The model's judgement of the candidates, with an LLM configured (`TTC_LLM_RERANK`): it reads the best
`JUDGED` records retrieval found and says of each whether it answers the request (2), is related (1) or is not
about it (0), and why, in the answer's language (`LLM.judge`, prompts/judge.txt).

The answer then shows the records judged fit, those that answer first, each with the model's reason; a record
judged not about the request is no partner's evidence, and is shown only when none fits at all. Whether the answer
is a clear match is the model's call too: clear when a record answers the request, else the closest related ones
are shown as such, or, when none is even related, the closest retrieved ones, as offline. A model that fails or
replies with something else leaves the offline judgement (`metadata.rerank_error`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.chat.match_strength import Strength
from assistant.llm import Verdict
from retrieval.index import Hit

__all__ = ["JUDGED", "judged_hits", "judged_strength", "summary"]

JUDGED = 10
"""How many of the best retrieved records the model judges: twice the five an answer shows."""


def judged_hits(hits: Sequence[Hit], verdicts: Mapping[str, Verdict]) -> list[Hit]:
    """The hits the model judged fit, those that answer the request first, in the model's order within each fit;
    [] when it judged none fit."""
    order = {rid: n for n, rid in enumerate(verdicts)}
    fit = [h for h in hits if h.record.id in verdicts and verdicts[h.record.id].fit > 0]
    return sorted(fit, key=lambda h: (-verdicts[h.record.id].fit, order[h.record.id]))


def judged_strength(verdicts: Mapping[str, Verdict]) -> Strength:
    """Clear when the model judged a record to answer the request, else weak."""
    return "strong" if any(v.fit == 2 for v in verdicts.values()) else "weak"


def summary(verdicts: Mapping[str, Verdict]) -> dict[str, int]:
    """`metadata.rerank`: how many records were judged, and how many answer or are related."""
    return {"judged": len(verdicts), "answers": sum(v.fit == 2 for v in verdicts.values()),
            "related": sum(v.fit == 1 for v in verdicts.values())}
