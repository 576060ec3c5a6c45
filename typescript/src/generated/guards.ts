// Generated from schema/v1.1/*.json by codegen/generate.py. Do not edit:
// change the schema or the generator, then run `nox -s codegen`.

import type {
  ClientMessage,
  MsgError,
  MsgEventCustomUpdate,
  MsgEventEnd,
  MsgEventSendFile,
  MsgEventTextChunk,
  MsgEventToolCallChunk,
  MsgEventToolResult,
  MsgGracefulDisconnect,
  MsgStatus,
  MsgUserMessage,
  ServerMessage,
} from "./types.js";

/** Whether `message` is a {@link MsgUserMessage}: its `type` is `USER_MESSAGE`. */
export function isMsgUserMessage(message: ClientMessage): message is MsgUserMessage {
  return message.type === "USER_MESSAGE";
}

/** Whether `message` is a {@link MsgError}: its `type` is `ERROR`. */
export function isMsgError(message: ServerMessage): message is MsgError {
  return message.type === "ERROR";
}

/** Whether `message` is a {@link MsgEventCustomUpdate}: its `type` is `AGENT_EVENT_CUSTOM_UPDATE`. */
export function isMsgEventCustomUpdate(message: ServerMessage): message is MsgEventCustomUpdate {
  return message.type === "AGENT_EVENT_CUSTOM_UPDATE";
}

/** Whether `message` is a {@link MsgEventEnd}: its `type` is `AGENT_EVENT_END`. */
export function isMsgEventEnd(message: ServerMessage): message is MsgEventEnd {
  return message.type === "AGENT_EVENT_END";
}

/** Whether `message` is a {@link MsgEventSendFile}: its `type` is `AGENT_EVENT_SEND_FILE`. */
export function isMsgEventSendFile(message: ServerMessage): message is MsgEventSendFile {
  return message.type === "AGENT_EVENT_SEND_FILE";
}

/** Whether `message` is a {@link MsgEventTextChunk}: its `type` is `AGENT_EVENT_TEXT_CHUNK`. */
export function isMsgEventTextChunk(message: ServerMessage): message is MsgEventTextChunk {
  return message.type === "AGENT_EVENT_TEXT_CHUNK";
}

/** Whether `message` is a {@link MsgEventToolCallChunk}: its `type` is `AGENT_EVENT_TOOL_CALL_CHUNK`. */
export function isMsgEventToolCallChunk(message: ServerMessage): message is MsgEventToolCallChunk {
  return message.type === "AGENT_EVENT_TOOL_CALL_CHUNK";
}

/** Whether `message` is a {@link MsgEventToolResult}: its `type` is `AGENT_EVENT_TOOL_RESULT`. */
export function isMsgEventToolResult(message: ServerMessage): message is MsgEventToolResult {
  return message.type === "AGENT_EVENT_TOOL_RESULT";
}

/** Whether `message` is a {@link MsgGracefulDisconnect}: its `type` is `GRACEFUL_DISCONNECT`. */
export function isMsgGracefulDisconnect(message: ServerMessage): message is MsgGracefulDisconnect {
  return message.type === "GRACEFUL_DISCONNECT";
}

/** Whether `message` is a {@link MsgStatus}: its `type` is `STATUS`. */
export function isMsgStatus(message: ServerMessage): message is MsgStatus {
  return message.type === "STATUS";
}
