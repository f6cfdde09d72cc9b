import { readJson } from "../http";
import type { TelegramAccount } from "./account";
import { platformFetch } from "../../transport/platform-fetch";
import { callBotApi } from "./api";
import { readTelegramAnswer } from "./errors";

/**
 * How long a file download may take: the cloud Bot API serves files up to 20 MB.
 * @see https://core.telegram.org/bots/api#getfile
 */
export const TELEGRAM_DOWNLOAD_TIMEOUT_MS = 60_000;

/** A Response the media route understands, with no Telegram detail in it. */
const answer = (status: number) => new Response(null, { status });

/**
 * Streams an inbound file by its `file_id`: `getFile` resolves it to a `file_path`, then
 * `{apiBaseUrl}/file/bot<token>/<file_path>` serves the bytes. That download URL carries the bot token, so
 * it is only ever fetched here and never logged, returned or put in an event; the relay serves the bytes at
 * its own signed, short-lived URL. An unknown or expired `file_id` answers 404; a file over the Bot API's
 * 20 MB download limit answers 413; other failures 502.
 * @see https://core.telegram.org/bots/api#getfile
 * @see https://core.telegram.org/bots/api#file
 */
export async function fetchTelegramMedia(fileId: string, account: TelegramAccount): Promise<Response> {
  const res = await callBotApi(account, "getFile", { file_id: fileId });
  const got = readTelegramAnswer(await readJson(res));
  const result = got?.ok && typeof got.result === "object" && got.result !== null ? (got.result as Record<string, unknown>) : {};
  const filePath = typeof result.file_path === "string" && result.file_path !== "" ? result.file_path : undefined;
  if (!filePath) {
    if (got?.errorCode === 400 && /too big/i.test(got.description ?? "")) return answer(413);
    if (got?.errorCode === 400 || got?.errorCode === 404 || (got?.ok && !filePath)) return answer(404);
    return answer(502);
  }
  const path = filePath.split("/").map(encodeURIComponent).join("/");
  return platformFetch(`${account.apiBaseUrl}/file/bot${account.botToken}/${path}`, {
    signal: AbortSignal.timeout(TELEGRAM_DOWNLOAD_TIMEOUT_MS),
  });
}
