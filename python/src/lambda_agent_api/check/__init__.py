"""The traffic checker: captured frames in, located diagnostics out. It prints nothing.

Each frame is checked in this order, and the first failure stops the checks
that depend on it:

1. a text frame (F004) within the input limits (F006), of UTF-8 (F001), holding
   JSON (F002), an object (F003), with no key twice in an object (F005);
2. the message against its own schema, picked by ``type`` (S001), with the
   JSON pointer, the keyword and a sentence for every error;
3. unknown fields (W002) and unsafe paths (W003);
4. its place in the conversation (P, T and W001 rules), by one
   :class:`~lambda_agent_api.protocol.conversation.Conversation` per connection.

Most frames are valid, so the common case is fast: a pydantic-core validator
translated from the schema (``check.fast_schema``) accepts
only what the schema accepts, and only a frame it refuses is parsed again and
explained by ``jsonschema``, which is exact but slow. The two agree (the tests
check it on every fixture and on generated instances). The modules:
:mod:`~lambda_agent_api.check.frames` (one frame on its own),
:mod:`~lambda_agent_api.check.traffic` (the conversations, by connection key),
``check.checker`` (capture items, located), ``check.batch`` and
:mod:`~lambda_agent_api.check.files`
(whole JSON Lines files in batches, in one or several processes),
:mod:`~lambda_agent_api.check.file_report` (one file, for any task engine)::

    from lambda_agent_api.capture import read_capture
    from lambda_agent_api.check import validate

    with open("session.jsonl", "rb") as file:
        result = validate(read_capture(file, "session.jsonl"))
    for diagnostic in result.diagnostics:
        print(diagnostic.where, diagnostic.rule.id, diagnostic.message)
"""

from lambda_agent_api.check.checker import (
    WORKSPACE_PATHS,
    Checker,
    validate,
    workspace_path_problem,
)
from lambda_agent_api.check.diagnostics import Diagnostic, Summary, ValidationResult
from lambda_agent_api.check.explanation import explain

__all__ = [
    "WORKSPACE_PATHS",
    "Checker",
    "Diagnostic",
    "Summary",
    "ValidationResult",
    "explain",
    "validate",
    "workspace_path_problem",
]
