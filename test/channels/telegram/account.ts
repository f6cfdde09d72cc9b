/**
 * The Telegram test account of tenant acme, and its secrets. Pure TS with no imports: it is loaded both in
 * Node (the test relay configuration) and in the Worker (tests).
 */

/** The bot token the fake Bot API (sandbox/fake-telegram.js) accepts by default; keep the two in step. */
export const TELEGRAM_BOT_TOKEN = "123456789:AAE-sandbox-telegram-bot-token-0123456789";
/** The `secret_token` the test bot's webhook was registered with. */
export const TELEGRAM_SECRET_TOKEN = "test-telegram-secret-token-0123456789";
export const TELEGRAM_ACCOUNT_ID = "telegram-test";

/** The account configuration, pointing at the fake Bot API. */
export function testAccount(platformUrl: string) {
  return {
    id: TELEGRAM_ACCOUNT_ID,
    channel: "telegram",
    botToken: TELEGRAM_BOT_TOKEN,
    secretToken: TELEGRAM_SECRET_TOKEN,
    apiBaseUrl: platformUrl,
    timeoutMs: 3000,
  };
}
