// Generated from schema/v1.1/ by codegen/generate.py. Do not edit:
// change the schema or the generator, then run `nox -s codegen`.

/** Every schema file of `schema/v1.1/`, by its path relative to it. */
export const SCHEMAS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "agent_event.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "AgentEventUnion",
    "description": "One of the six agent events that make up a response, told apart by `type`.",
    "type": "object",
    "properties": {
      "type": {
        "enum": [
          "AGENT_EVENT_TEXT_CHUNK",
          "AGENT_EVENT_TOOL_CALL_CHUNK",
          "AGENT_EVENT_TOOL_RESULT",
          "AGENT_EVENT_CUSTOM_UPDATE",
          "AGENT_EVENT_SEND_FILE",
          "AGENT_EVENT_END"
        ],
        "description": "The message's type; each `if`/`then` below sends the message to the schema of its type."
      }
    },
    "required": [
      "type"
    ],
    "allOf": [
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_TEXT_CHUNK"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_text_chunk.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_TOOL_CALL_CHUNK"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_tool_call_chunk.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_TOOL_RESULT"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_tool_result.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_CUSTOM_UPDATE"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_custom_update.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_SEND_FILE"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_send_file.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_END"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_end.json"
        }
      }
    ]
  },
  "client/message_type.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "EClientMessage",
    "description": "The `type` of every message the client sends to the server.\n\n- `USER_MESSAGE`: the user's message, which starts a response.",
    "type": "string",
    "enum": [
      "USER_MESSAGE"
    ],
    "examples": [
      "USER_MESSAGE"
    ]
  },
  "client/user_message.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgUserMessage",
    "description": "The user's message to the agent. It starts a response: the server answers with agent events ending in `AGENT_EVENT_END` or `ERROR`. Only one response may be in flight per connection.",
    "type": "object",
    "properties": {
      "type": {
        "const": "USER_MESSAGE",
        "default": "USER_MESSAGE",
        "description": "Message type discriminator; always `USER_MESSAGE`."
      },
      "text": {
        "type": "string",
        "description": "The message's text.",
        "examples": [
          "Hello, agent!"
        ]
      },
      "attachments": {
        "type": "array",
        "items": {
          "type": "string",
          "description": "A path relative to `/workspace`."
        },
        "default": [],
        "description": "Files attached to the message: paths relative to `/workspace` of files already uploaded there.",
        "examples": [
          [
            "reports/q3.pdf"
          ]
        ]
      }
    },
    "required": [
      "type",
      "text"
    ],
    "examples": [
      {
        "type": "USER_MESSAGE",
        "text": "Hello, agent!",
        "attachments": []
      },
      {
        "type": "USER_MESSAGE",
        "text": "Summarise this report",
        "attachments": [
          "reports/q3.pdf"
        ]
      }
    ]
  },
  "client_message.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ClientMessage",
    "description": "Any message the client sends to the server, told apart by `type`.",
    "type": "object",
    "properties": {
      "type": {
        "$ref": "client/message_type.json",
        "description": "The message's type; each `if`/`then` below sends the message to the schema of its type."
      }
    },
    "required": [
      "type"
    ],
    "allOf": [
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "USER_MESSAGE"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "client/user_message.json"
        }
      }
    ]
  },
  "server/agent_event_custom_update.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgEventCustomUpdate",
    "description": "Progress reported from inside a tool, such as the state of a download.",
    "type": "object",
    "properties": {
      "type": {
        "const": "AGENT_EVENT_CUSTOM_UPDATE",
        "default": "AGENT_EVENT_CUSTOM_UPDATE",
        "description": "Message type discriminator; always `AGENT_EVENT_CUSTOM_UPDATE`."
      },
      "payload": {
        "type": "object",
        "description": "Any progress data, such as `status` or `progress`.",
        "examples": [
          {
            "status": "downloading",
            "progress": 0.4
          }
        ]
      },
      "source": {
        "type": "string",
        "default": "main",
        "description": "Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.",
        "examples": [
          "main",
          "tools:web_search"
        ]
      }
    },
    "required": [
      "type",
      "payload"
    ],
    "examples": [
      {
        "type": "AGENT_EVENT_CUSTOM_UPDATE",
        "payload": {
          "status": "downloading",
          "progress": 0.4
        },
        "source": "main"
      }
    ]
  },
  "server/agent_event_end.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgEventEnd",
    "description": "The answer is complete; it ends the response.",
    "type": "object",
    "properties": {
      "type": {
        "const": "AGENT_EVENT_END",
        "default": "AGENT_EVENT_END",
        "description": "Message type discriminator; always `AGENT_EVENT_END`."
      },
      "tokens_used": {
        "type": "integer",
        "description": "Tokens the agent used for this response.",
        "examples": [
          1234
        ]
      }
    },
    "required": [
      "type",
      "tokens_used"
    ],
    "examples": [
      {
        "type": "AGENT_EVENT_END",
        "tokens_used": 1234
      }
    ]
  },
  "server/agent_event_send_file.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgEventSendFile",
    "description": "The agent sends a file to the user. This event has no `source` field.",
    "type": "object",
    "properties": {
      "type": {
        "const": "AGENT_EVENT_SEND_FILE",
        "default": "AGENT_EVENT_SEND_FILE",
        "description": "Message type discriminator; always `AGENT_EVENT_SEND_FILE`."
      },
      "path": {
        "type": "string",
        "description": "The file's path, relative to `/workspace`.",
        "examples": [
          "reports/2024/report.pdf"
        ]
      }
    },
    "required": [
      "type",
      "path"
    ],
    "examples": [
      {
        "type": "AGENT_EVENT_SEND_FILE",
        "path": "reports/2024/report.pdf"
      }
    ]
  },
  "server/agent_event_text_chunk.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgEventTextChunk",
    "description": "A chunk of the agent's answer. The answer's text is the concatenation of the chunks of one source, in order.",
    "type": "object",
    "properties": {
      "type": {
        "const": "AGENT_EVENT_TEXT_CHUNK",
        "default": "AGENT_EVENT_TEXT_CHUNK",
        "description": "Message type discriminator; always `AGENT_EVENT_TEXT_CHUNK`."
      },
      "text": {
        "type": "string",
        "description": "The chunk's text.",
        "examples": [
          "Hello"
        ]
      },
      "source": {
        "type": "string",
        "default": "main",
        "description": "Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.",
        "examples": [
          "main",
          "tools:web_search"
        ]
      }
    },
    "required": [
      "type",
      "text"
    ],
    "examples": [
      {
        "type": "AGENT_EVENT_TEXT_CHUNK",
        "text": "Hello",
        "source": "main"
      },
      {
        "type": "AGENT_EVENT_TEXT_CHUNK",
        "text": " world"
      }
    ]
  },
  "server/agent_event_tool_call_chunk.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgEventToolCallChunk",
    "description": "The agent is calling a tool and streams the call: the first chunk of a call usually names the tool, and the `args_chunk`s of the call join into its JSON arguments.",
    "type": "object",
    "properties": {
      "type": {
        "const": "AGENT_EVENT_TOOL_CALL_CHUNK",
        "default": "AGENT_EVENT_TOOL_CALL_CHUNK",
        "description": "Message type discriminator; always `AGENT_EVENT_TOOL_CALL_CHUNK`."
      },
      "tool_name": {
        "type": [
          "string",
          "null"
        ],
        "default": null,
        "description": "The tool's name; usually only in the first chunk of a call.",
        "examples": [
          "web_search"
        ]
      },
      "args_chunk": {
        "type": [
          "string",
          "null"
        ],
        "default": null,
        "description": "A piece of the call's JSON-encoded arguments.",
        "examples": [
          "{\"query\": "
        ]
      },
      "source": {
        "type": "string",
        "default": "main",
        "description": "Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.",
        "examples": [
          "main",
          "tools:web_search"
        ]
      }
    },
    "required": [
      "type"
    ],
    "examples": [
      {
        "type": "AGENT_EVENT_TOOL_CALL_CHUNK",
        "tool_name": "web_search",
        "args_chunk": "{\"query\": "
      },
      {
        "type": "AGENT_EVENT_TOOL_CALL_CHUNK",
        "tool_name": null,
        "args_chunk": "\"weather\"}",
        "source": "main"
      }
    ]
  },
  "server/agent_event_tool_result.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgEventToolResult",
    "description": "A tool finished and returned its result.",
    "type": "object",
    "properties": {
      "type": {
        "const": "AGENT_EVENT_TOOL_RESULT",
        "default": "AGENT_EVENT_TOOL_RESULT",
        "description": "Message type discriminator; always `AGENT_EVENT_TOOL_RESULT`."
      },
      "tool_name": {
        "type": "string",
        "description": "The name of the tool that ran.",
        "examples": [
          "web_search"
        ]
      },
      "result": {
        "description": "What the tool returned: any JSON value.",
        "anyOf": [
          {
            "type": "string"
          },
          {
            "type": "number"
          },
          {
            "type": "boolean"
          },
          {
            "type": "object"
          },
          {
            "type": "array"
          },
          {
            "type": "null"
          }
        ],
        "examples": [
          "Sunny, 21 °C",
          {
            "hits": 3
          }
        ]
      },
      "source": {
        "type": "string",
        "default": "main",
        "description": "Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.",
        "examples": [
          "main",
          "tools:web_search"
        ]
      }
    },
    "required": [
      "type",
      "tool_name",
      "result"
    ],
    "examples": [
      {
        "type": "AGENT_EVENT_TOOL_RESULT",
        "tool_name": "web_search",
        "result": {
          "hits": 3
        },
        "source": "main"
      }
    ]
  },
  "server/error.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgError",
    "description": "An unspecified failure of the agent. While a response is in flight it ends that response; the client raises it as `AgentException(code, details)`.",
    "type": "object",
    "properties": {
      "type": {
        "const": "ERROR",
        "default": "ERROR",
        "description": "Message type discriminator; always `ERROR`."
      },
      "code": {
        "type": "string",
        "description": "A short machine-readable error code.",
        "examples": [
          "INTERNAL_ERROR"
        ]
      },
      "details": {
        "type": "string",
        "description": "A human-readable explanation of the failure.",
        "examples": [
          "The model provider timed out"
        ]
      }
    },
    "required": [
      "type",
      "code",
      "details"
    ],
    "examples": [
      {
        "type": "ERROR",
        "code": "INTERNAL_ERROR",
        "details": "The model provider timed out"
      }
    ]
  },
  "server/graceful_disconnect.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgGracefulDisconnect",
    "description": "Sent before the agent's container shuts down. Nothing follows it; the client closes the connection.",
    "type": "object",
    "properties": {
      "type": {
        "const": "GRACEFUL_DISCONNECT",
        "default": "GRACEFUL_DISCONNECT",
        "description": "Message type discriminator; always `GRACEFUL_DISCONNECT`."
      }
    },
    "required": [
      "type"
    ],
    "examples": [
      {
        "type": "GRACEFUL_DISCONNECT"
      }
    ]
  },
  "server/message_type.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "EServerMessage",
    "description": "The `type` of every message the server sends to the client.\n\n- `STATUS`: Sent by the server once, as the first frame after the connection opens.\n- `ERROR`: An unspecified failure of the agent; ends the response in flight.\n- `GRACEFUL_DISCONNECT`: Sent before the agent's container shuts down; the connection closes after it.\n- `AGENT_EVENT_TEXT_CHUNK`: A chunk of the answer's text.\n- `AGENT_EVENT_TOOL_CALL_CHUNK`: A piece of a tool call: the tool's name and/or a chunk of its JSON arguments.\n- `AGENT_EVENT_TOOL_RESULT`: A tool finished and returned its result.\n- `AGENT_EVENT_CUSTOM_UPDATE`: Progress reported from inside a tool.\n- `AGENT_EVENT_SEND_FILE`: The agent sends a file to the user.\n- `AGENT_EVENT_END`: The answer is complete.",
    "type": "string",
    "enum": [
      "STATUS",
      "ERROR",
      "GRACEFUL_DISCONNECT",
      "AGENT_EVENT_TEXT_CHUNK",
      "AGENT_EVENT_TOOL_CALL_CHUNK",
      "AGENT_EVENT_TOOL_RESULT",
      "AGENT_EVENT_CUSTOM_UPDATE",
      "AGENT_EVENT_SEND_FILE",
      "AGENT_EVENT_END"
    ],
    "examples": [
      "STATUS",
      "AGENT_EVENT_TEXT_CHUNK"
    ]
  },
  "server/status.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "MsgStatus",
    "description": "Sent by the server when the connection opens, as its first frame: the agent is ready for a `USER_MESSAGE`.",
    "type": "object",
    "properties": {
      "type": {
        "const": "STATUS",
        "default": "STATUS",
        "description": "Message type discriminator; always `STATUS`."
      }
    },
    "required": [
      "type"
    ],
    "examples": [
      {
        "type": "STATUS"
      }
    ]
  },
  "server_message.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ServerMessage",
    "description": "Any message the server sends to the client, told apart by `type`.",
    "type": "object",
    "properties": {
      "type": {
        "$ref": "server/message_type.json",
        "description": "The message's type; each `if`/`then` below sends the message to the schema of its type."
      }
    },
    "required": [
      "type"
    ],
    "allOf": [
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "STATUS"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/status.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "ERROR"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/error.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "GRACEFUL_DISCONNECT"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/graceful_disconnect.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_TEXT_CHUNK"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_text_chunk.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_TOOL_CALL_CHUNK"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_tool_call_chunk.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_TOOL_RESULT"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_tool_result.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_CUSTOM_UPDATE"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_custom_update.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_SEND_FILE"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_send_file.json"
        }
      },
      {
        "if": {
          "type": "object",
          "properties": {
            "type": {
              "const": "AGENT_EVENT_END"
            }
          },
          "required": [
            "type"
          ]
        },
        "then": {
          "$ref": "server/agent_event_end.json"
        }
      }
    ]
  }
};
