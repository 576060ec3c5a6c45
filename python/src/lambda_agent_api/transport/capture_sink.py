"""Where the client and the proxy record frames: one sink that never breaks the traffic it records.

:class:`CaptureSink` is the ``capture`` option of
:class:`~lambda_agent_api.transport.agent_api.AgentApi` and the ``capture`` of
:class:`~lambda_agent_api.transport.proxy.RecordingProxy`. It writes the
capture format of :mod:`lambda_agent_api.capture` to a file path (created on
the first :meth:`~CaptureSink.open`, appended to on the next), an open text
stream, or a :class:`~lambda_agent_api.capture.CaptureWriter`.

Writing never raises: the first ``OSError`` (a full disk, a broken pipe) or
``ValueError`` (a stream closed under it, text its encoding cannot hold) stops
the recording, is kept in :attr:`CaptureSink.failure` and handed to
``on_failure`` (or logged, without one); :meth:`~CaptureSink.write` then says
``False``. What the
owner does about it is its own policy: the client goes on unrecorded, the
proxy stops forwarding, since it exists to record.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import IO, TypeAlias

from lambda_agent_api.capture import CaptureWriter, Direction

__all__ = ["CaptureFailure", "CaptureSink", "CaptureTarget"]

logger = logging.getLogger(__name__)

CaptureTarget: TypeAlias = "str | os.PathLike[str] | IO[str] | CaptureWriter"
"""Where a capture goes: a file path, an open text stream, or a writer."""

CaptureFailure: TypeAlias = "OSError | ValueError"
"""Why a capture could not be written."""


class CaptureSink:
    """Record frames to ``target``; a failure to write stops the recording, never the caller.

    Args:
        target: a file path, an open text stream (written with ``flush`` after
            every line), or a :class:`~lambda_agent_api.capture.CaptureWriter`.
        on_failure: called once, with the error, when writing first fails;
            without it, the sink logs the failure itself (logger
            ``lambda_agent_api.transport.capture_sink``).
    """

    def __init__(
        self,
        target: CaptureTarget,
        *,
        on_failure: Callable[[CaptureFailure], None] | None = None,
    ) -> None:
        self._path: str | os.PathLike[str] | None = None
        self._writer: CaptureWriter | None = None
        if isinstance(target, CaptureWriter):
            self._writer = target
        elif isinstance(target, (str, os.PathLike)):
            self._path = target
        else:
            self._writer = CaptureWriter(target, flush=True)
        self._on_failure = on_failure
        self._file: IO[str] | None = None
        self._created = False  # the file was created (truncated) once; reopen to append
        self.failure: CaptureFailure | None = None
        """Why writing failed, if it did since the last :meth:`open`; then nothing is written."""
        self.lines = 0
        """Lines written so far."""

    def open(self) -> None:
        """Get ready to record (again): open the file if the target is a path; forget a failure.

        Raises:
            OSError: the file cannot be opened for writing (before any traffic:
                the owner should fail fast).
        """
        self.close()
        if self._path is not None:
            self._file = open(self._path, "a" if self._created else "w", encoding="utf-8")  # noqa: SIM115
            self._created = True
            self._writer = CaptureWriter(self._file, flush=True)
        self.failure = None

    def write(
        self,
        direction: Direction,
        data: str | bytes,
        *,
        conn: str | int | None = None,
        ts: float | None = None,
    ) -> bool:
        """Record one frame; return ``False`` if the capture cannot be written (nothing raised)."""
        writer = self._writer
        if writer is None or self.failure is not None:
            return False
        try:
            writer.write(direction, data, ts=ts, conn=conn)
        except (OSError, ValueError) as error:
            self._failed(error, conn)
            return False
        self.lines += 1
        return True

    def write_close(
        self,
        *,
        conn: str | int | None = None,
        code: int | None = None,
        reason: str = "",
        ts: float | None = None,
    ) -> bool:
        """Record that connection ``conn`` closed (a close record, so readers free it).

        Returns ``False`` if the capture cannot be written (nothing raised).
        """
        writer = self._writer
        if writer is None or self.failure is not None:
            return False
        try:
            writer.write_close(code=code, reason=reason, ts=ts, conn=conn)
        except (OSError, ValueError) as error:
            self._failed(error, conn)
            return False
        self.lines += 1
        return True

    def close(self) -> None:
        """Close the file if the sink opened it (a stream or writer it was given stays open)."""
        file, self._file = self._file, None
        if file is None:
            return
        self._writer = None
        try:
            file.close()
        except (OSError, ValueError) as error:
            if self.failure is None:  # else what could not be written was said already
                self._failed(error, None)

    def _failed(self, error: CaptureFailure, conn: str | int | None) -> None:
        self.failure = error
        if self._on_failure is None:
            where = f" {conn}" if conn is not None else ""
            logger.error("capture%s: cannot write, recording stopped: %s", where, error)
            return
        try:
            self._on_failure(error)
        except Exception:  # the owner's handler must not break the traffic either
            logger.exception("capture: the failure handler failed")
