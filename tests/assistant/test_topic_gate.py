"""The topic gate's verdict from its two readings (subject, asker); the readings themselves are checked with the real
embedder in test_chat_languages.py."""

from __future__ import annotations

import pytest

from assistant.chat.topic import TopicReading


@pytest.mark.parametrize(("subject", "asker", "verdict"), [
    (0.03, -0.05, "on"),        # a technology subject, however asked
    (0.005, -0.05, "doubtful"),  # within the margin, asked personally: the records decide
    (-0.02, -0.05, "off"),      # nearer to cooking or shopping, asked personally
    (-0.02, 0.04, "on"),        # nearer to food, but asked as a company's need: the center's business
    (0.005, 0.04, "on"),
    (-0.02, 0.0, "off"),        # undecided between the ways of asking: the subject decides
])
def test_verdict(subject: float, asker: float, verdict: str) -> None:
    assert TopicReading(subject=subject, asker=asker, margin=0.01).verdict == verdict
