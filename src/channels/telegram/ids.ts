/**
 * A Telegram id as an exact decimal string. Chat and user ids reach 52 bits (exact as JSON numbers, not as
 * int32) and group ids are negative; they are kept as strings from here on.
 * @see https://core.telegram.org/bots/api#chat
 */
export function telegramId(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) return v;
  return undefined;
}

/**
 * The relay's id of a Telegram message: message ids are only unique within their chat, so the chat id
 * comes first. Outbound sends report the same form, so replies and reactions can be matched to them.
 */
export const telegramMessageId = (chatId: string, messageId: string) => `${chatId}:${messageId}`;

/** `<chat id>:<message_id>` as the relay writes Telegram message ids, or a bare `message_id`. */
const MESSAGE_REF = /^(?:(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}):)?(\d{1,10})$/;
/** Message ids are positive 32-bit integers in the Bot API. */
const MAX_MESSAGE_ID = 2 ** 31 - 1;

/**
 * A Telegram message named by a client: the relay's `<chat id>:<message_id>` (the chat is then given),
 * or a bare `message_id` of the conversation's chat. Null when it is neither.
 * @see https://core.telegram.org/bots/api#message
 */
export function parseTelegramMessageRef(ref: string): { chatId?: string; messageId: number } | null {
  const match = MESSAGE_REF.exec(ref);
  if (!match) return null;
  const messageId = Number(match[2]);
  if (messageId < 1 || messageId > MAX_MESSAGE_ID) return null;
  return { ...(match[1] !== undefined && { chatId: match[1] }), messageId };
}
