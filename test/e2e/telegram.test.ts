import { describe, expect, inject, it } from "vitest";
import { setTelegramWebhook, telegram } from "../../src/channels/telegram";
import type { OutboundContent } from "../../src/model";
import type { FakeTelegramState } from "../../sandbox/fake-telegram";
import { TELEGRAM_ACCOUNT_ID, TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN, testAccount } from "../channels/telegram/account";
import { control, eventually, platform, relay } from "../support/http";
import type { BackendEvent, BackendEvents } from "../support/sandbox-types";

const fakeUrl = () => inject("platformUrls").telegram!;
const webhookUrl = () => `${inject("relayUrl")}/webhooks/telegram/${TELEGRAM_ACCOUNT_ID}`;
/** The secret half of the bot token: it must never show up in anything the business receives. */
const TOKEN_SECRET = TELEGRAM_BOT_TOKEN.split(":")[1]!;
/** A fresh private chat per test, so tests never share a conversation (never a special prefix of the fake). */
const newChat = () => String(5_000_000_000 + Math.floor(Math.random() * 1e9));
const newUpdateId = () => 100_000_000 + Math.floor(Math.random() * 1e9);

const fake = <T>(path: string, body?: unknown) => platform<T>("telegram", path, body);
const requestsTo = async (chat: string) =>
  (await fake<FakeTelegramState>("/_sandbox/state")).requests.filter((r) => String(r.body.chat_id) === chat);

interface MessageRecord {
  status: string;
  attempts: number;
  platformMessageId?: string;
  error?: { reason: string; code?: string; detail?: string };
  history: { status: string }[];
}

async function send(to: string, content: OutboundContent): Promise<string> {
  const res = await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to, account: TELEGRAM_ACCOUNT_ID, content }) });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}
const recordOf = async (id: string) => (await (await relay(`/v1/messages/${id}`)).json()) as MessageRecord;
const settled = (id: string, status: string) =>
  eventually(async () => {
    const r = await recordOf(id);
    return r.status === status ? r : undefined;
  }, 15_000, `message ${id} to be ${status}`);

/** Posts an update to the relay the way Telegram does. */
const postUpdate = (update: unknown, secret: string | null = TELEGRAM_SECRET_TOKEN) =>
  fetch(webhookUrl(), {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret !== null && { "x-telegram-bot-api-secret-token": secret }) },
    body: JSON.stringify(update),
  });
const backendEvent = (what: string, match: (e: BackendEvent) => boolean) =>
  eventually(async () => (await control<BackendEvents>("backendUrl", "/_sandbox/events")).events.find(match), 10_000, what);
const textUpdate = (updateId: number, chat: string, messageId: number, text: string) => ({
  update_id: updateId,
  message: {
    message_id: messageId,
    from: { id: Number(chat), is_bot: false, first_name: "Ada", last_name: "Lovelace", username: "ada" },
    chat: { id: Number(chat), first_name: "Ada", last_name: "Lovelace", username: "ada", type: "private" },
    date: 1_700_000_000,
    text,
  },
});

describe("Telegram outbound, relay to the Bot API", () => {
  it("a text reaches sendMessage once and the message is sent as <chat>:<message_id>", async () => {
    const chat = newChat();
    const id = await send(chat, { type: "text", text: "Hello from the relay" });
    const record = await settled(id, "sent");
    const requests = await requestsTo(chat);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      path: "/bot<token>/sendMessage",
      body: { chat_id: chat, text: "Hello from the relay", link_preview_options: { is_disabled: true } },
      status: 200,
    });
    expect(record.platformMessageId).toMatch(new RegExp(`^${chat}:\\d+$`));
    expect(record.attempts).toBe(1);
    // No receipts on Telegram: sent is as far as a message goes.
    expect(record.history.map((h) => h.status)).toEqual(["queued", "sent"]);
    const event = await backendEvent("the sent status", (e) => e.payload.status?.messageId === id);
    expect(event.payload).toMatchObject({ type: "message.status", conversation: { channel: "telegram", account: TELEGRAM_ACCOUNT_ID, peer: chat } });
  });

  it("messages to one chat go at most one a second (Telegram's limit per chat), in order", async () => {
    const chat = newChat();
    const ids = [await send(chat, { type: "text", text: "one" }), await send(chat, { type: "text", text: "two" }), await send(chat, { type: "text", text: "three" })];
    for (const id of ids) await settled(id, "sent");
    const requests = await requestsTo(chat);
    expect(requests.map((r) => r.body.text)).toEqual(["one", "two", "three"]);
    const at = requests.map((r) => Date.parse((r as unknown as { at: string }).at));
    // At least a second apart, less a little for the two clocks' rounding.
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(950);
  });

  it("a list becomes an inline keyboard, a long text several messages, a long caption a text after the photo", async () => {
    const chat = newChat();
    const list = await send(chat, {
      type: "list",
      text: "What next?",
      button: "Choose",
      sections: [{ rows: [{ id: "order", title: "Order" }, { id: "help", title: "Help" }] }],
    });
    await settled(list, "sent");
    const long = await send(chat, { type: "text", text: "word ".repeat(1000).trim() });
    await settled(long, "sent");
    const photo = await send(chat, { type: "image", url: "https://example.com/p.jpg", caption: "c".repeat(1024) });
    await settled(photo, "sent");
    const requests = await requestsTo(chat);
    expect(requests.map((r) => r.apiMethod)).toEqual(["sendMessage", "sendMessage", "sendMessage", "sendPhoto"]);
    expect(requests[0]!.body.reply_markup).toEqual({
      inline_keyboard: [[{ text: "Order", callback_data: "order" }], [{ text: "Help", callback_data: "help" }]],
    });
    expect((requests[1]!.body.text as string).length + (requests[2]!.body.text as string).length).toBe(4999 - 1);
    expect(requests[3]!.body).toMatchObject({ photo: "https://example.com/p.jpg", caption: "c".repeat(1024) });
  });

  it("flood control (429 with retry_after) is retried and the message goes through exactly once", async () => {
    const chat = newChat();
    await fake("/_sandbox/faults", { status: 429, retryAfter: 1, path: "/sendMessage", chatId: chat });
    const id = await send(chat, { type: "text", text: "through the flood" });
    const record = await settled(id, "sent");
    expect(record.attempts).toBe(2);
    expect((await requestsTo(chat)).map((r) => r.status)).toEqual([429, 200]);
  });

  it("server errors are retried with backoff and the message goes through exactly once", async () => {
    const chat = newChat();
    await fake("/_sandbox/faults", { status: 503, count: 2, path: "/sendMessage", chatId: chat });
    const id = await send(chat, { type: "text", text: "through the storm" });
    const record = await settled(id, "sent");
    expect(record.attempts).toBe(3);
    expect((await requestsTo(chat)).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("a blocked bot fails the message for good with recipient_blocked, and the business hears of it", async () => {
    const chat = `403${Math.floor(Math.random() * 1e9)}`;
    const id = await send(chat, { type: "text", text: "anyone?" });
    const record = await settled(id, "failed");
    expect(record.error).toEqual({ reason: "recipient_blocked", code: "403", detail: "Forbidden: bot was blocked by the user" });
    expect(record.attempts).toBe(1);
    const event = await backendEvent("the failed status", (e) => e.payload.status?.messageId === id);
    expect(event.payload.status).toMatchObject({ status: "failed", error: { reason: "recipient_blocked", code: "403" } });
  });

  it("a media URL Telegram cannot fetch fails with media_failed", async () => {
    const chat = newChat();
    const id = await send(chat, { type: "image", url: "https://example.com/broken.jpg" });
    expect((await settled(id, "failed")).error).toMatchObject({ reason: "media_failed", code: "400" });
  });

  it("refuses up front what Telegram can never take", async () => {
    const post = (to: string, content: unknown) =>
      relay("/v1/messages", { method: "POST", body: JSON.stringify({ to, account: TELEGRAM_ACCOUNT_ID, content }) });
    const longId = await post(newChat(), { type: "buttons", text: "Pick", buttons: [{ id: "x".repeat(65), title: "X" }] });
    expect(longId.status).toBe(422);
    expect(await longId.json()).toMatchObject({ code: "content_refused" });
    expect((await post(newChat(), { type: "template", name: "t", language: "en" })).status).toBe(422);
    expect((await post("+49 151 234", { type: "text", text: "hi" })).status).toBe(422);
  });
});

describe("Telegram inbound, Bot API webhook to the business", () => {
  it("a message with the secret token reaches the business as a unified event, once", async () => {
    const chat = newChat();
    const updateId = newUpdateId();
    const update = textUpdate(updateId, chat, 11, "Hi there");
    expect((await postUpdate(update, null)).status).toBe(401);
    expect((await postUpdate(update, `${TELEGRAM_SECRET_TOKEN}x`)).status).toBe(401);
    const accepted = await postUpdate(update);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ received: 1, skipped: 0 });

    const event = await backendEvent("the customer's message", (e) => e.payload.message?.platformMessageId === `${chat}:11`);
    expect(event.payload).toMatchObject({
      type: "message.received",
      conversation: { tenant: "acme", channel: "telegram", account: TELEGRAM_ACCOUNT_ID, peer: chat },
      message: { sender: { id: chat, name: "Ada Lovelace" }, content: { type: "text", text: "Hi there" } },
    });

    // Telegram redelivers an update it saw no 2xx for: the same update_id is one event.
    expect((await postUpdate(update)).status).toBe(200);
    await postUpdate(textUpdate(newUpdateId(), chat, 12, "after the redelivery"));
    await backendEvent("the next message", (e) => e.payload.message?.platformMessageId === `${chat}:12`);
    const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
    expect(events.filter((e) => e.payload.message?.platformMessageId === `${chat}:11`)).toHaveLength(1);
  });

  it("a photo arrives as a relay URL that streams the file from the Bot API, with no bot token in sight", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(4096));
    const chat = newChat();
    const { file_id } = await fake<{ file_id: string }>("/_sandbox/files", {
      base64: btoa(String.fromCharCode(...bytes)),
      contentType: "image/jpeg",
      filePath: `photos/${chat}.jpg`,
    });
    const update = {
      update_id: newUpdateId(),
      message: {
        message_id: 21,
        from: { id: Number(chat), is_bot: false, first_name: "Ada" },
        chat: { id: Number(chat), first_name: "Ada", type: "private" },
        date: 1_700_000_100,
        photo: [
          { file_id: "small-size-not-stored", file_unique_id: "s", file_size: 100, width: 90, height: 51 },
          { file_id, file_unique_id: "l", file_size: bytes.length, width: 1280, height: 720 },
        ],
        caption: "look",
      },
    };
    expect((await postUpdate(update)).status).toBe(200);
    const event = await backendEvent("the photo", (e) => e.payload.message?.platformMessageId === `${chat}:21`);
    const content = event.payload.message!.content as { type: string; url: string; mediaId: string; caption: string };
    expect(content).toMatchObject({ type: "image", mediaId: file_id, caption: "look" });
    expect(content.url.startsWith(`${inject("relayUrl")}/v1/media/`)).toBe(true);
    expect(event.raw).not.toContain(TOKEN_SECRET);
    expect(event.raw).not.toContain(fakeUrl());

    const file = await fetch(content.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
    const state = await fake<FakeTelegramState>("/_sandbox/state");
    expect(state.requests.some((r) => r.apiMethod === "getFile" && r.body.file_id === file_id)).toBe(true);
  });

  it("a bot registered with setWebhook delivers through the relay (the fake calls it as Telegram would)", async () => {
    const account = telegram.accountSchema.parse(testAccount(fakeUrl()));
    expect(await setTelegramWebhook(account, inject("relayUrl"))).toBe("Webhook was set");
    const { webhook } = await fake<FakeTelegramState>("/_sandbox/state");
    expect(webhook).toEqual({
      url: webhookUrl(),
      secretToken: TELEGRAM_SECRET_TOKEN,
      allowedUpdates: ["message", "edited_message", "channel_post", "edited_channel_post", "callback_query", "message_reaction", "my_chat_member"],
    });
    const chat = newChat();
    const { update_id, status } = await fake<{ update_id: number; status: number }>("/_sandbox/inbound", { chatId: chat, text: "via the webhook", name: "Bo" });
    expect(status).toBe(200);
    const event = await backendEvent("the webhook's message", (e) => e.payload.conversation.peer === chat);
    expect(event.payload.message).toMatchObject({ sender: { id: chat, name: "Bo" }, content: { type: "text", text: "via the webhook" } });
    expect(update_id).toBeGreaterThan(0);
  });
});
