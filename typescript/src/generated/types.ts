// Generated from schema/v1.1/*.json by codegen/generate.py. Do not edit:
// change the schema or the generator, then run `nox -s codegen`.

/**
 * The `type` of every message the client sends to the server.
 *
 * - `USER_MESSAGE`: the user's message, which starts a response.
 */
export type EClientMessage = "USER_MESSAGE";

/**
 * The `type` of every message the server sends to the client.
 *
 * - `STATUS`: Sent by the server once, as the first frame after the connection opens.
 * - `ERROR`: An unspecified failure of the agent; ends the response in flight.
 * - `GRACEFUL_DISCONNECT`: Sent before the agent's container shuts down; the connection closes after it.
 * - `AGENT_EVENT_TEXT_CHUNK`: A chunk of the answer's text.
 * - `AGENT_EVENT_TOOL_CALL_CHUNK`: A piece of a tool call: the tool's name and/or a chunk of its JSON arguments.
 * - `AGENT_EVENT_TOOL_RESULT`: A tool finished and returned its result.
 * - `AGENT_EVENT_CUSTOM_UPDATE`: Progress reported from inside a tool.
 * - `AGENT_EVENT_SEND_FILE`: The agent sends a file to the user.
 * - `AGENT_EVENT_END`: The answer is complete.
 */
export type EServerMessage =
  | "STATUS"
  | "ERROR"
  | "GRACEFUL_DISCONNECT"
  | "AGENT_EVENT_TEXT_CHUNK"
  | "AGENT_EVENT_TOOL_CALL_CHUNK"
  | "AGENT_EVENT_TOOL_RESULT"
  | "AGENT_EVENT_CUSTOM_UPDATE"
  | "AGENT_EVENT_SEND_FILE"
  | "AGENT_EVENT_END";

/**
 * The user's message to the agent. It starts a response: the server answers with agent events ending in `AGENT_EVENT_END` or `ERROR`. Only one response may be in flight per connection.
 */
export interface MsgUserMessage {
  /**
   * Message type discriminator; always `USER_MESSAGE`.
   */
  type: "USER_MESSAGE";
  /**
   * The message's text.
   */
  text: string;
  /**
   * Files attached to the message: paths relative to `/workspace` of files already uploaded there.
   *
   * Items: A path relative to `/workspace`.
   */
  attachments?: string[];
  [k: string]: unknown;
}

/**
 * Progress reported from inside a tool, such as the state of a download.
 */
export interface MsgEventCustomUpdate {
  /**
   * Message type discriminator; always `AGENT_EVENT_CUSTOM_UPDATE`.
   */
  type: "AGENT_EVENT_CUSTOM_UPDATE";
  /**
   * Any progress data, such as `status` or `progress`.
   */
  payload: {
    [k: string]: unknown;
  };
  /**
   * Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.
   */
  source?: string;
  [k: string]: unknown;
}

/**
 * The answer is complete; it ends the response.
 */
export interface MsgEventEnd {
  /**
   * Message type discriminator; always `AGENT_EVENT_END`.
   */
  type: "AGENT_EVENT_END";
  /**
   * Tokens the agent used for this response.
   */
  tokens_used: number;
  [k: string]: unknown;
}

/**
 * The agent sends a file to the user. This event has no `source` field.
 */
export interface MsgEventSendFile {
  /**
   * Message type discriminator; always `AGENT_EVENT_SEND_FILE`.
   */
  type: "AGENT_EVENT_SEND_FILE";
  /**
   * The file's path, relative to `/workspace`.
   */
  path: string;
  [k: string]: unknown;
}

/**
 * A chunk of the agent's answer. The answer's text is the concatenation of the chunks of one source, in order.
 */
export interface MsgEventTextChunk {
  /**
   * Message type discriminator; always `AGENT_EVENT_TEXT_CHUNK`.
   */
  type: "AGENT_EVENT_TEXT_CHUNK";
  /**
   * The chunk's text.
   */
  text: string;
  /**
   * Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.
   */
  source?: string;
  [k: string]: unknown;
}

/**
 * The agent is calling a tool and streams the call: the first chunk of a call usually names the tool, and the `args_chunk`s of the call join into its JSON arguments.
 */
export interface MsgEventToolCallChunk {
  /**
   * Message type discriminator; always `AGENT_EVENT_TOOL_CALL_CHUNK`.
   */
  type: "AGENT_EVENT_TOOL_CALL_CHUNK";
  /**
   * The tool's name; usually only in the first chunk of a call.
   */
  tool_name?: string | null;
  /**
   * A piece of the call's JSON-encoded arguments.
   */
  args_chunk?: string | null;
  /**
   * Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.
   */
  source?: string;
  [k: string]: unknown;
}

/**
 * A tool finished and returned its result.
 */
export interface MsgEventToolResult {
  /**
   * Message type discriminator; always `AGENT_EVENT_TOOL_RESULT`.
   */
  type: "AGENT_EVENT_TOOL_RESULT";
  /**
   * The name of the tool that ran.
   */
  tool_name: string;
  /**
   * What the tool returned: any JSON value.
   */
  result:
    | string
    | number
    | boolean
    | {
        [k: string]: unknown;
      }
    | unknown[]
    | null;
  /**
   * Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.
   */
  source?: string;
  [k: string]: unknown;
}

/**
 * An unspecified failure of the agent. While a response is in flight it ends that response; the client raises it as `AgentException(code, details)`.
 */
export interface MsgError {
  /**
   * Message type discriminator; always `ERROR`.
   */
  type: "ERROR";
  /**
   * A short machine-readable error code.
   */
  code: string;
  /**
   * A human-readable explanation of the failure.
   */
  details: string;
  [k: string]: unknown;
}

/**
 * Sent before the agent's container shuts down. Nothing follows it; the client closes the connection.
 */
export interface MsgGracefulDisconnect {
  /**
   * Message type discriminator; always `GRACEFUL_DISCONNECT`.
   */
  type: "GRACEFUL_DISCONNECT";
  [k: string]: unknown;
}

/**
 * Sent by the server when the connection opens, as its first frame: the agent is ready for a `USER_MESSAGE`.
 */
export interface MsgStatus {
  /**
   * Message type discriminator; always `STATUS`.
   */
  type: "STATUS";
  [k: string]: unknown;
}

/**
 * One of the six agent events that make up a response, told apart by `type`.
 */
export type AgentEventUnion =
  | MsgEventTextChunk
  | MsgEventToolCallChunk
  | MsgEventToolResult
  | MsgEventCustomUpdate
  | MsgEventSendFile
  | MsgEventEnd;

/**
 * Any message the client sends to the server, told apart by `type`.
 */
export type ClientMessage = MsgUserMessage;

/**
 * Any message the server sends to the client, told apart by `type`.
 */
export type ServerMessage =
  | MsgStatus
  | MsgError
  | MsgGracefulDisconnect
  | MsgEventTextChunk
  | MsgEventToolCallChunk
  | MsgEventToolResult
  | MsgEventCustomUpdate
  | MsgEventSendFile
  | MsgEventEnd;
