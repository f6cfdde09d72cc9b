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
