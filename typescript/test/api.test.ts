/** The package's API: parsers, typed errors, guards, schema access, and the types themselves. */

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BASE_URI,
  type ClientMessage,
  type EServerMessage,
  isAgentEvent,
  isClientMessage,
  isMsgEventEnd,
  isMsgEventToolResult,
  isMsgStatus,
  isMsgUserMessage,
  isServerMessage,
  MessageError,
  messageSchemaPath,
  type MsgEventEnd,
  parseClientMessage,
  parseServerMessage,
  schema,
  schemaErrors,
  schemaPaths,
  type ServerMessage,
  unionMapping,
} from "../src/index.js";

function serverError(text: string): MessageError {
  const result = parseServerMessage(text);
  assert.ok(!result.ok, `${text} parsed`);
  return result.error;
}

/** Compile-time check that the union discriminates on `type` exhaustively. */
function describeMessage(message: ServerMessage): string {
  switch (message.type) {
    case "STATUS":
    case "GRACEFUL_DISCONNECT":
      return message.type;
    case "ERROR":
      return `${message.code}: ${message.details}`;
    case "AGENT_EVENT_TEXT_CHUNK":
      return message.text;
    case "AGENT_EVENT_TOOL_CALL_CHUNK":
      return `${message.tool_name ?? ""}${message.args_chunk ?? ""}`;
    case "AGENT_EVENT_TOOL_RESULT":
      return `${message.tool_name} -> ${JSON.stringify(message.result)}`;
    case "AGENT_EVENT_CUSTOM_UPDATE":
      return JSON.stringify(message.payload);
    case "AGENT_EVENT_SEND_FILE":
      return message.path;
    case "AGENT_EVENT_END":
      return String(message.tokens_used);
    default: {
      const unreachable: never = message;
      return unreachable;
    }
  }
}

test("a valid frame parses to its typed message, unknown fields kept", () => {
  const result = parseServerMessage('{"type": "AGENT_EVENT_END", "tokens_used": 3, "extra": 1}');
  assert.ok(result.ok);
  assert.ok(isMsgEventEnd(result.message));
  const end: MsgEventEnd = result.message;
  assert.equal(end.tokens_used, 3);
  assert.equal(end["extra"], 1);
  assert.equal(describeMessage(result.message), "3");
});

test("every message type of the union narrows by `type`", () => {
  const error = parseServerMessage('{"type": "ERROR", "code": "X", "details": "boom"}');
  assert.ok(error.ok);
  assert.equal(describeMessage(error.message), "X: boom");
  const result = parseServerMessage(
    '{"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": "t", "result": "Sunny"}',
  );
  assert.ok(result.ok && isMsgEventToolResult(result.message));
  assert.equal(result.message.result, "Sunny");
});

test("text that is not JSON is a typed error, not an exception", () => {
  const error = serverError("{not json");
  assert.ok(error instanceof MessageError);
  assert.ok(error instanceof Error);
  assert.equal(error.kind, "invalid-json");
  assert.deepEqual(error.errors, []);
  assert.match(error.message, /^not JSON: /);
});

test("a frame with no known `type` fails the union itself", () => {
  for (const [text, expected] of [
    ['{"text": "hi"}', [["required", ""]]],
    ['{"type": "NOPE"}', [["enum", "/type"]]],
    [
      '{"type": 3}',
      [
        ["type", "/type"],
        ["enum", "/type"],
      ],
    ],
    ["[]", [["type", ""]]],
    ["null", [["type", ""]]],
    ['"STATUS"', [["type", ""]]],
    ['{"type": "USER_MESSAGE", "text": "x"}', [["enum", "/type"]]],
  ] as const) {
    const error = serverError(text);
    assert.equal(error.kind, "invalid-message");
    assert.deepEqual(
      error.errors.map((e) => [e.keyword, e.instanceLocation]),
      expected,
      text,
    );
    assert.match(error.message, /STATUS, ERROR, GRACEFUL_DISCONNECT/);
  }
});

test("a frame with a known `type` gets its own schema's errors, with messages", () => {
  const error = serverError('{"type": "AGENT_EVENT_END", "tokens_used": "5"}');
  assert.deepEqual(error.errors, [
    { keyword: "type", instanceLocation: "/tokens_used", message: "must be integer" },
  ]);
  assert.equal(error.message, "/tokens_used: must be integer");
});

test("required is blamed on the object, once per missing property, as JSON Schema does", () => {
  const errors = schemaErrors("server/error.json", { type: "ERROR" });
  assert.deepEqual(
    errors.map((e) => [e.keyword, e.instanceLocation, e.message]),
    [
      ["required", "", "must have required property 'code'"],
      ["required", "", "must have required property 'details'"],
    ],
  );
});

test("a wrong `type` is one error: the message's plain const", () => {
  const errors = schemaErrors("server/status.json", { type: "NOPE" });
  assert.deepEqual(
    errors.map((e) => [e.keyword, e.instanceLocation]),
    [["const", "/type"]],
  );
});

test("array items are located by index", () => {
  const result = parseClientMessage(
    '{"type": "USER_MESSAGE", "text": "x", "attachments": ["a", 2]}',
  );
  assert.ok(!result.ok);
  assert.deepEqual(
    result.error.errors.map((e) => [e.keyword, e.instanceLocation]),
    [["type", "/attachments/1"]],
  );
});

test("a JSON Schema integer is a whole number, whatever its spelling", () => {
  assert.ok(parseServerMessage('{"type": "AGENT_EVENT_END", "tokens_used": 5.0}').ok);
  for (const value of ["5.5", "true", '"5"', "null", "1e400"]) {
    assert.ok(
      !parseServerMessage(`{"type": "AGENT_EVENT_END", "tokens_used": ${value}}`).ok,
      value,
    );
  }
});

test("client messages parse, and a server message is not one", () => {
  const result = parseClientMessage('{"type": "USER_MESSAGE", "text": "hi"}');
  assert.ok(result.ok && isMsgUserMessage(result.message));
  const message: ClientMessage = result.message;
  assert.equal(message.text, "hi");
  assert.ok(!parseClientMessage('{"type": "STATUS"}').ok);
});

test("guards on unknown values give the schema's verdict", () => {
  assert.ok(isServerMessage({ type: "STATUS" }));
  assert.ok(!isServerMessage({ type: "AGENT_EVENT_END" }));
  assert.ok(!isServerMessage("STATUS"));
  assert.ok(isClientMessage({ type: "USER_MESSAGE", text: "hi", attachments: [] }));
  assert.ok(!isClientMessage({ type: "USER_MESSAGE" }));
});

test("guards on typed messages narrow by `type`", () => {
  const types: EServerMessage[] = [
    ...unionMapping("server_message.json").keys(),
  ] as EServerMessage[];
  const agentEvents = types.filter((type) => isAgentEvent({ type } as ServerMessage));
  assert.deepEqual(agentEvents, [
    "AGENT_EVENT_TEXT_CHUNK",
    "AGENT_EVENT_TOOL_CALL_CHUNK",
    "AGENT_EVENT_TOOL_RESULT",
    "AGENT_EVENT_CUSTOM_UPDATE",
    "AGENT_EVENT_SEND_FILE",
    "AGENT_EVENT_END",
  ]);
  assert.ok(isMsgStatus({ type: "STATUS" }));
  assert.ok(!isMsgStatus({ type: "ERROR", code: "c", details: "d" }));
});

test("the package holds every schema file, known by its path", () => {
  const paths = schemaPaths();
  assert.equal(paths.length, 15);
  for (const path of paths) {
    // No $id: the validator registers each file at BASE_URI + path.
    assert.equal(schema(path)["$id"], undefined);
  }
  assert.ok(BASE_URI.endsWith("/schema/v1.1/"));
  assert.equal(messageSchemaPath("AGENT_EVENT_END"), "server/agent_event_end.json");
  assert.equal(messageSchemaPath("USER_MESSAGE"), "client/user_message.json");
  assert.equal(messageSchemaPath("NOPE"), undefined);
  assert.throws(() => schema("nope.json"), RangeError);
  assert.throws(() => schemaErrors("nope.json", {}), RangeError);
});

test("schema() returns a copy: the validator's documents cannot be changed through it", () => {
  const copy = schema("server/status.json") as Record<string, unknown>;
  copy["required"] = [];
  assert.ok(!isServerMessage({}));
  assert.deepEqual(schema("server/status.json")["required"], ["type"]);
});

test("every schema's examples are valid", () => {
  let count = 0;
  for (const path of schemaPaths()) {
    const examples = schema(path)["examples"];
    if (!Array.isArray(examples) || !("properties" in schema(path))) continue;
    for (const example of examples) {
      assert.deepEqual(schemaErrors(path, example), [], `${path}: ${JSON.stringify(example)}`);
      count += 1;
    }
  }
  assert.ok(count >= 10);
});

test("the built package (dist/) is importable by its name and works", async () => {
  // A variable specifier: the type checker must not need dist/ to exist.
  const name = "lambda-agent-api";
  const built = (await import(name)) as typeof import("../src/index.js");
  const result = built.parseServerMessage('{"type": "STATUS"}');
  assert.ok(result.ok && built.isMsgStatus(result.message));
  assert.equal(built.PROTOCOL_VERSION, "1.1");
});
