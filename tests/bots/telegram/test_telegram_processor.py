"""Updates of different chats run concurrently; updates of one chat run in arrival order."""

from __future__ import annotations

import asyncio

from telegram import Update

from bots.telegram.processor import ChatOrderedProcessor
from tests.support.telegram import TelegramUser


def test_a_slow_update_holds_up_its_own_chat_but_not_the_others() -> None:
    slow_chat, fast_chat = TelegramUser(), TelegramUser()
    finished: list[str] = []

    async def work(tag: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        finished.append(tag)

    async def go() -> None:
        processor = ChatOrderedProcessor(8)
        updates = [Update.de_json(u, None) for u in (slow_chat.says("1"), slow_chat.says("2"), fast_chat.says("x"))]
        await asyncio.gather(processor.process_update(updates[0], work("slow-1", 0.2)),
                             processor.process_update(updates[1], work("slow-2", 0.0)),
                             processor.process_update(updates[2], work("fast", 0.0)))

    asyncio.run(go())

    assert finished == ["fast", "slow-1", "slow-2"]
