"""Telegram HTML: escaping keeps record text intact; splitting respects 4096 UTF-16 units and balanced markup."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.chat.results import Answer, Citation
from bots.telegram.format import LIMIT, answer_html, escape, split_html
from tests.support.fake_bot_api import parse_html, utf16_length

SPECIALS = "_*[]()~>#+-=|{}.!<&\"'`"


def test_escape_keeps_every_markdown_special_character_and_neutralises_html() -> None:
    assert parse_html(f"<b>{escape(SPECIALS)}</b>") == SPECIALS


def test_blocks_that_fit_share_one_message_separated_by_blank_lines() -> None:
    assert split_html(["<b>a</b>", "b & c".replace("&", "&amp;")]) == ["<b>a</b>\n\nb &amp; c"]


def test_a_block_that_would_overflow_starts_the_next_message() -> None:
    first, second = "x" * 3000, "y" * 3000

    assert split_html([first, second]) == [first, second]


def test_a_long_block_is_cut_at_spaces_with_tags_closed_and_reopened() -> None:
    block = "<b>" + " ".join(["word"] * 2000) + "</b>"

    messages = split_html([block])

    assert len(messages) == 3
    assert all(m.startswith("<b>") and m.endswith("</b>") and len(m) <= LIMIT for m in messages)
    assert all(parse_html(m).rstrip().endswith("word") for m in messages)


def test_length_is_counted_in_utf16_units_as_telegram_does() -> None:
    messages = split_html(["🚀" * 3000])

    assert [utf16_length(m) for m in messages] == [4096, 1904]


def test_entities_are_never_cut_in_half() -> None:
    messages = split_html([escape("&" * 5000)])

    assert "".join(parse_html(m) for m in messages) == "&" * 5000


markup = st.lists(st.tuples(st.sampled_from(["", "b", "i", "code"]),
                            st.text(alphabet=st.sampled_from("ab <&>_*\n中🚀"), max_size=40)), max_size=12)


@given(markup, st.integers(min_value=40, max_value=120))
def test_any_markup_splits_into_valid_messages_under_the_limit_without_losing_text(
        spans: list[tuple[str, str]], limit: int) -> None:
    block = "".join(f"<{tag}>{escape(body)}</{tag}>" if tag else escape(body) for tag, body in spans)

    messages = split_html([block], limit=limit) if block else []

    assert all(utf16_length(m) <= limit for m in messages)
    plain = "".join(parse_html(m) for m in messages)  # parse_html raises on unbalanced or broken markup
    assert "".join(plain.split()) == "".join("".join(body for _, body in spans).split())


def _answer(llm: str) -> Answer:
    citation = Citation(id="r-1", title="SOLAR-TRAIN", kind="achievement", organization="Fraunhofer", country="DE",
                        field=None, snippet="", language="en", why="Forecasts <PV> module lifetime & durability.")
    return Answer(answer="See [r-1].", language="en", citations=[citation], partners=[], session_id="s",
                  metadata={"llm": llm})


def test_sources_say_why_each_record_fits_when_a_model_wrote_the_answer() -> None:
    (_, sources) = answer_html(_answer("used"))
    assert "✓ Forecasts <PV> module lifetime & durability." in parse_html(sources)
    (_, offline) = answer_html(_answer("off"))
    assert "Forecasts" not in parse_html(offline), "the offline answer's own list says why already"
