"""A client whose server floods it with pings and never reads, run as its own process.

    python tests/support/flooded_client.py URL

It connects ``AgentApi`` to URL's chat 1 and waits for the server's ``ERROR`` with
code ``DONE`` (sent after the flood), then prints ``peak CONNECTED_KIB END_KIB``: its
peak resident memory (Linux's ``VmHWM``, this process's own) once connected and at
the end, and exits.
"""

from __future__ import annotations

import asyncio
import sys

from lambda_agent_api.transport.agent_api import AgentApi
from support.slow_client import peak_kib


async def main(url: str) -> None:
    done = asyncio.Event()

    def callback(message: object) -> None:
        if getattr(message, "code", None) == "DONE":
            done.set()

    async with AgentApi("flooded", url, callback, chat_id=1, ping_interval=None) as api:
        await api.connect()
        connected = peak_kib()
        await asyncio.wait_for(done.wait(), 120)
        print("peak", connected, peak_kib(), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
