// Run by `nox -s package` in an empty project where only the packed tarball is installed:
// the package imports as an ES module and validates a frame.
import assert from "node:assert/strict";
import { PROTOCOL_VERSION, isMsgEventEnd, parseServerMessage } from "lambda-agent-api";

assert.equal(PROTOCOL_VERSION, "1.1");
const good = parseServerMessage('{"type": "AGENT_EVENT_END", "tokens_used": 5}');
assert.ok(good.ok && isMsgEventEnd(good.message));
const bad = parseServerMessage('{"type": "AGENT_EVENT_END"}');
assert.ok(!bad.ok && bad.error.kind === "invalid-message");
console.log("lambda-agent-api imports as an ES module and validates frames");
