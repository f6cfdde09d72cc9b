import * as z from "zod";
import { AccountRate } from "../rate";
import { WindowPolicy } from "../../model";
import { Slug } from "../../model";

/** Where the Bot API lives; tests point `apiBaseUrl` at a local fake instead. */
export const TELEGRAM_API_BASE_URL = "https://api.telegram.org";

/**
 * A bot token as BotFather issues it: the bot's numeric id, a colon, and a secret part
 * (e.g. `123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11`).
 * @see https://core.telegram.org/bots/api#authorizing-your-bot
 */
const BotToken = z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,}$/, "a bot token from @BotFather: <bot id>:<secret>");

/**
 * The `secret_token` given to `setWebhook`: 1–256 characters of `A-Z a-z 0-9 _ -`. Telegram sends it back
 * in `X-Telegram-Bot-Api-Secret-Token`, the only proof that a webhook call comes from Telegram (the body is
 * not signed), so the relay asks for a long random one.
 * @see https://core.telegram.org/bots/api#setwebhook
 */
const SecretToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,256}$/, "16 to 256 characters of A-Z, a-z, 0-9, _ and - (use a long random value)");

/**
 * A Telegram bot, reached through the Bot API with its token.
 * @see https://core.telegram.org/bots/api
 */
export const TelegramAccount = z.object({
  id: Slug,
  channel: z.literal("telegram"),
  /** Overrides the channel's default send rate. */
  rate: AccountRate.optional(),
  /** Sends outside the messaging window: refused (`enforce`, the default) or queued with a warning (`advise`). */
  windowPolicy: WindowPolicy.optional(),
  /** The bot token. It travels in every API URL path, so URLs of this API are never logged or passed on. */
  botToken: BotToken,
  /** The `secret_token` registered with `setWebhook`. */
  secretToken: SecretToken,
  /** The Bot API's base URL: Telegram's own, a self-hosted Bot API server, or a local fake in tests. */
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default(TELEGRAM_API_BASE_URL)
    .transform((url) => url.replace(/\/+$/, "")),
  /** How long one API call may take before it counts as failed (and is retried). */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
});
export type TelegramAccount = z.infer<typeof TelegramAccount>;
