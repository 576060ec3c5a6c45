/**
 * Type guards: whether an unknown value is a valid message (checked against the
 * schema), and which message a typed one is (checked by its `type`).
 */

import type { AgentEventUnion, ClientMessage, ServerMessage } from "./generated/types.js";
import { validateClientMessage, validateServerMessage } from "./parse.js";
import { unionMapping } from "./schemas.js";

export * from "./generated/guards.js";

/** Whether `value` is a valid server message: the schema's verdict, not a shape check. */
export function isServerMessage(value: unknown): value is ServerMessage {
  return validateServerMessage(value).ok;
}

/** Whether `value` is a valid client message: the schema's verdict, not a shape check. */
export function isClientMessage(value: unknown): value is ClientMessage {
  return validateClientMessage(value).ok;
}

let agentEventTypes: ReadonlySet<string> | undefined;

/** Whether a server message is one of the agent events that make up a response. */
export function isAgentEvent(message: ServerMessage): message is AgentEventUnion {
  agentEventTypes ??= new Set(unionMapping("agent_event.json").keys());
  return agentEventTypes.has(message.type);
}
