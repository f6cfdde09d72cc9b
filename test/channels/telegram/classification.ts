import type { ChannelKit } from "../kit";

const botError = (code: number, description: string, parameters?: Record<string, unknown>) =>
  JSON.stringify({ ok: false, error_code: code, description, ...(parameters && { parameters }) });

/**
 * Bot API answers to a send and how the relay reads them (reference §4.4).
 * @see https://core.telegram.org/bots/api#making-requests
 * @see https://core.telegram.org/bots/api#responseparameters
 */
export const TELEGRAM_CLASSIFICATION: ChannelKit["classification"] = [
  {
    name: "sent, with the message",
    status: 200,
    body: JSON.stringify({ ok: true, result: { message_id: 86, chat: { id: 3527065, type: "private" }, date: 1493843400, text: "hello" } }),
    expect: { kind: "ok" },
  },
  {
    name: "flood control: retry after the seconds given",
    status: 429,
    body: botError(429, "Too Many Requests: retry after 35", { retry_after: 35 }),
    expect: { kind: "retry", afterSeconds: 35 },
  },
  {
    name: "the customer blocked the bot",
    status: 403,
    body: botError(403, "Forbidden: bot was blocked by the user"),
    expect: { kind: "failed", reason: "recipient_blocked" },
  },
  {
    name: "a deactivated account",
    status: 403,
    body: botError(403, "Forbidden: user is deactivated"),
    expect: { kind: "failed", reason: "recipient_invalid" },
  },
  {
    name: "a revoked or wrong bot token",
    status: 401,
    body: botError(401, "Unauthorized"),
    expect: { kind: "failed", reason: "auth_failed" },
  },
  {
    name: "no such chat",
    status: 400,
    body: botError(400, "Bad Request: chat not found"),
    expect: { kind: "failed", reason: "recipient_invalid" },
  },
  {
    name: "a group that became a supergroup (a new chat id)",
    status: 400,
    body: botError(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: -1001987654321 }),
    expect: { kind: "failed", reason: "recipient_invalid" },
  },
  {
    name: "content Telegram refuses",
    status: 400,
    body: botError(400, "Bad Request: message text is empty"),
    expect: { kind: "failed", reason: "content_rejected" },
  },
  {
    name: "Telegram's servers failing",
    status: 502,
    body: "<html><body>Bad Gateway</body></html>",
    expect: { kind: "retry" },
  },
];
