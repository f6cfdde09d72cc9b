import * as z from "zod";
import { ConversationAddress } from "./address";
import { Conversation } from "./conversation";
import { SendBatchAccepted, SendBatchRequest } from "./batch";
import { InboundEvent } from "./inbound";
import { MessageRecord, SendAccepted } from "./message-record";
import { ChatV7Request, SendMessageRequest } from "./outbound";

/** The public contracts, by the file name of their JSON Schema in `schemas/`. */
export const PUBLIC_SCHEMAS = {
  "send-message-request": { schema: SendMessageRequest, io: "input" },
  "chat-v7-request": { schema: ChatV7Request, io: "input" },
  "send-accepted": { schema: SendAccepted, io: "output" },
  "send-batch-request": { schema: SendBatchRequest, io: "input" },
  "send-batch-accepted": { schema: SendBatchAccepted, io: "output" },
  "message-record": { schema: MessageRecord, io: "output" },
  "inbound-event": { schema: InboundEvent, io: "output" },
  "conversation-address": { schema: ConversationAddress, io: "output" },
  conversation: { schema: Conversation, io: "output" },
} as const;

/** JSON Schema (draft 2020-12) of every public contract. */
export function publicJsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(PUBLIC_SCHEMAS).map(([name, { schema, io }]) => [
      name,
      { $id: `https://messenger-relay.dev/schemas/${name}.json`, ...z.toJSONSchema(schema, { io }) },
    ]),
  );
}
