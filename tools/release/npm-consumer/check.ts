// Compiled by `nox -s package` with tsc against the installed tarball's type declarations:
// a wrong type here fails the compile.
// No node or DOM types: only what the package declares, and console.
declare const console: { log(...values: unknown[]): void };

import { parseServerMessage, type ServerMessage } from "lambda-agent-api";

function describe(message: ServerMessage): string {
  switch (message.type) {
    case "AGENT_EVENT_END":
      return `done: ${message.tokens_used} tokens`;
    case "AGENT_EVENT_TEXT_CHUNK":
      return message.text;
    default:
      return message.type;
  }
}

const result = parseServerMessage('{"type": "AGENT_EVENT_END", "tokens_used": 5}');
if (!result.ok) {
  throw result.error;
}
const shown: string = describe(result.message);
if (shown !== "done: 5 tokens") {
  throw new Error(`unexpected: ${shown}`);
}
console.log("lambda-agent-api's types compile and run:", shown);
