"""A client that stops reading, run as its own process so that its memory can be measured.

    python tests/support/slow_client.py URL MODE [MAX_BUFFERED]

It connects to URL's chat ``flood``, sends a message and takes the first event,
then stops taking events: MODE ``iterator`` holds the response and does not
iterate it; MODE ``callback`` leaves the response (``break``), so its rest goes
to a callback that sleeps 1 ms per message. It prints ``stopped PEAK_KIB``,
waits for a line on standard input, prints ``peak PEAK_KIB TAKEN`` and exits.
Peak RSS is Linux's ``VmHWM`` (KiB): this program's own address space, where
``ru_maxrss`` would carry over the size of the process that forked it.
"""

from __future__ import annotations

import asyncio
import resource
import socket
import sys
from urllib.parse import urlsplit

from lambda_agent_api.transport.agent_api import AgentApi


def peak_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def main(url: str, mode: str, max_buffered: int) -> None:
    taken = 0

    async def slow_callback(message: object) -> None:
        nonlocal taken
        taken += 1
        await asyncio.sleep(0.001)

    callback = slow_callback if mode == "callback" else None
    # A small receive buffer, set before connecting (which turns Linux's
    # autotuning off): the kernel then holds a few dozen KiB for this client
    # instead of up to tcp_rmem's maximum (32 MiB here), so the server is held
    # back after thousands of chunks rather than after most of its flood.
    host, port = urlsplit(url).hostname, urlsplit(url).port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.connect((host, port))
    sock.setblocking(False)
    # No compression: a flood of one repeated chunk deflates to a few bytes a
    # frame, and the kernel's buffers alone would then hold most of it.
    options = {"sock": sock, "compression": None}
    async with AgentApi(
        "slow",
        url,
        callback,
        chat_id="flood",
        max_buffered=max_buffered,
        connect_options=options,
    ) as api:
        stream = api.send_message("go")
        async for _ in stream:
            break  # `stream` stays alive below, so its request stays held...
        if mode == "callback":
            await stream.aclose()  # ...unless it is left: the rest goes to the callback
        print("stopped", peak_kib(), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        print("peak", peak_kib(), taken, flush=True)
        if mode == "iterator":
            await stream.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 256))
