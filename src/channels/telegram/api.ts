import { platformFetch } from "../../transport/platform-fetch";
import type { TelegramAccount } from "./account";

/** How long one Bot API call may take by default. */
export const TELEGRAM_API_TIMEOUT_MS = 15_000;

/**
 * Calls a Bot API method with JSON parameters: `POST {apiBaseUrl}/bot<token>/<method>`.
 * @see https://core.telegram.org/bots/api#making-requests
 */
export function callBotApi(account: TelegramAccount, method: string, params: Record<string, unknown>): Promise<Response> {
  return platformFetch(
    `${account.apiBaseUrl}/bot${account.botToken}/${method}`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(account.timeoutMs ?? TELEGRAM_API_TIMEOUT_MS),
    },
  );
}
