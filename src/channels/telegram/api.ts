import type { TelegramAccount } from "./account";

/** How long one Bot API call may take by default. */
export const TELEGRAM_API_TIMEOUT_MS = 15_000;

/**
 * A Bot API call that got no answer. Its message never contains the request URL: the bot token is part of
 * every Bot API path, and this message ends up in logs and retry details.
 */
export class TelegramUnreachableError extends Error {
  override name = "TelegramUnreachableError";
}

/** `error.name` of whatever fetch threw (TimeoutError, TypeError...), without its message, which may quote the URL. */
const kindOf = (e: unknown) => (e instanceof Error ? e.name : "error");

/**
 * Fetches `{apiBaseUrl}/<path with the token>`, turning network failures into a TelegramUnreachableError
 * that does not quote the URL.
 */
export async function telegramFetch(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw new TelegramUnreachableError(`Telegram ${what}: no answer (${kindOf(e)})`);
  }
}

/**
 * Calls a Bot API method with JSON parameters: `POST {apiBaseUrl}/bot<token>/<method>`.
 * @see https://core.telegram.org/bots/api#making-requests
 */
export function callBotApi(account: TelegramAccount, method: string, params: Record<string, unknown>): Promise<Response> {
  return telegramFetch(
    `${account.apiBaseUrl}/bot${account.botToken}/${method}`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(account.timeoutMs ?? TELEGRAM_API_TIMEOUT_MS),
    },
    method,
  );
}
