/**
 * `parseServerMessage(text)` and `parseClientMessage(text)`: one frame of JSON
 * text in, a typed message or a typed error out; never an exception for bad input.
 */

import type { ClientMessage, ServerMessage } from "./generated/types.js";
import { unionMapping } from "./schemas.js";
import { type SchemaError, schemaErrors } from "./validate.js";

/** The union schemas the parsers accept, as in `schema/`. */
export const SERVER_MESSAGE_SCHEMA = "server_message.json";
export const CLIENT_MESSAGE_SCHEMA = "client_message.json";

/** Why a frame is not a message: not JSON at all, or JSON that fails the schema. */
export type MessageErrorKind = "invalid-json" | "invalid-message";

/** A frame that is not a valid message; `errors` says why (empty for invalid JSON). */
export class MessageError extends Error {
  override readonly name = "MessageError";
  /** Not JSON, or not a valid message. */
  readonly kind: MessageErrorKind;
  /** Every schema error (`keyword`, `instanceLocation`, `message`); empty for invalid JSON. */
  readonly errors: readonly SchemaError[];

  constructor(kind: MessageErrorKind, message: string, errors: readonly SchemaError[] = []) {
    super(message);
    this.kind = kind;
    this.errors = errors;
  }
}

/** What a parser returns: `{ ok: true, message }` or `{ ok: false, error }`. */
export type ParseResult<T> =
  { readonly ok: true; readonly message: T } | { readonly ok: false; readonly error: MessageError };

function describe(errors: readonly SchemaError[]): string {
  return errors.map((e) => `${e.instanceLocation || "(message)"}: ${e.message}`).join("; ");
}

/**
 * Validate `value` against the union schema at `unionPath`.
 *
 * The union sends a message to the one schema its `type` names (its
 * `if`/`then` pairs), so a value with a known `type` is checked against that
 * schema alone and its errors are that schema's, as JSON Schema reports them.
 * Without a known `type`, the errors are the union's own: `type` must be one
 * of its members' types, and the message an object.
 */
function validateUnion<T>(unionPath: string, value: unknown): ParseResult<T> {
  const mapping = unionMapping(unionPath);
  const type =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)["type"]
      : undefined;
  const path = typeof type === "string" ? mapping.get(type) : undefined;
  const errors = schemaErrors(path ?? unionPath, value);
  if (errors.length === 0) {
    return { ok: true, message: value as T };
  }
  // Ajv's enum message does not list the values: say which types this side knows.
  const known = `must be an object whose \`type\` is one of ${[...mapping.keys()].join(", ")}`;
  const message = path === undefined ? `${known}; ${describe(errors)}` : describe(errors);
  return { ok: false, error: new MessageError("invalid-message", message, errors) };
}

function parseJson(text: string): ParseResult<unknown> {
  try {
    return { ok: true, message: JSON.parse(text) as unknown };
  } catch (exc) {
    const reason = exc instanceof Error ? exc.message : String(exc);
    return { ok: false, error: new MessageError("invalid-json", `not JSON: ${reason}`) };
  }
}

/** Check a parsed JSON value as a server message (exactly `schema/server_message.json`). */
export function validateServerMessage(value: unknown): ParseResult<ServerMessage> {
  return validateUnion<ServerMessage>(SERVER_MESSAGE_SCHEMA, value);
}

/** Check a parsed JSON value as a client message (exactly `schema/client_message.json`). */
export function validateClientMessage(value: unknown): ParseResult<ClientMessage> {
  return validateUnion<ClientMessage>(CLIENT_MESSAGE_SCHEMA, value);
}

/** Parse one frame of JSON text from the server; accepts exactly what the schema accepts. */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  const parsed = parseJson(text);
  return parsed.ok ? validateServerMessage(parsed.message) : parsed;
}

/** Parse one frame of JSON text from the client; accepts exactly what the schema accepts. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  const parsed = parseJson(text);
  return parsed.ok ? validateClientMessage(parsed.message) : parsed;
}
