/**
 * lambda-agent-api: the message types of the Lambda Agent WebSocket protocol
 * (v1.1), generated from its JSON Schema, with guards and a validator that
 * gives the schema's verdict.
 *
 * ```ts
 * import { parseServerMessage, isMsgEventEnd } from "lambda-agent-api";
 * const result = parseServerMessage(frame);
 * if (result.ok && isMsgEventEnd(result.message)) console.log(result.message.tokens_used);
 * ```
 */

export type * from "./generated/types.js";
export * from "./guards.js";
export * from "./parse.js";
export * from "./schemas.js";
export * from "./validate.js";

/** The version of the protocol this package speaks. */
export const PROTOCOL_VERSION = "1.1";
