import { toHex } from "../crypto";
import type { Env } from "../env";
import type { MessageRecord } from "../model";

/** How every relay message id starts. */
export const RELAY_MESSAGE_PREFIX = "msg_";

/** `msg_` + the conversation's Durable Object id (64 hex) + 16 random hex: routable without a lookup. */
const MESSAGE_ID = /^msg_([0-9a-f]{64})[0-9a-f]{16}$/;

export function newMessageId(conversation: DurableObjectId): string {
  return `msg_${conversation.toString()}${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
}

/** The conversation that holds a message, from its id; undefined for an id the relay never made. */
export function conversationOfMessage(env: Env, id: string) {
  const match = MESSAGE_ID.exec(id);
  if (!match) return undefined;
  try {
    return env.CONVERSATIONS.get(env.CONVERSATIONS.idFromString(match[1]!));
  } catch {
    return undefined;
  }
}

/** A message of `tenant` by its relay id, as `GET /v1/messages/{id}` answers it; undefined when there is none. */
export async function findMessage(env: Env, id: string, tenant: string): Promise<MessageRecord | undefined> {
  const conversation = conversationOfMessage(env, id);
  return (conversation && (await conversation.message(id, tenant))) ?? undefined;
}
