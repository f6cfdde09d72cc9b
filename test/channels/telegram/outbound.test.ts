import { testContext } from "../../support/send-context";
import { describe, expect, inject, it } from "vitest";
import { planParts } from "../../../src/channels/degrade";
import { normalizeTelegramPeer, setWebhookParams, telegram } from "../../../src/channels/telegram";
import { classifySendResponse } from "../../../src/channels/telegram/errors";
import { renderTelegramAction, renderTelegramMessage } from "../../../src/channels/telegram/outbound";
import { parseTelegramMessageRef } from "../../../src/channels/telegram/ids";
import type { OutboundContent } from "../../../src/model";
import type { FakeTelegramState } from "../../../sandbox/fake-telegram";
import { TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN, testAccount } from "./account";
import { platform } from "../../support/http";

const fakeUrl = () => inject("platformUrls").telegram!;
const accountAt = (url: string, overrides: object = {}) => telegram.accountSchema.parse({ ...testAccount(url), ...overrides });
const ctx = testContext();
const message = (content: OutboundContent) => ({ id: "msg_test", content, acceptedAt: new Date(0).toISOString() });
/** A fresh private chat id per test (never one of the fake's special prefixes). */
const newChat = () => String(5_000_000_000 + Math.floor(Math.random() * 1e9));

const fake = <T>(path: string, body?: unknown) => platform<T>("telegram", path, body);
const requestsTo = async (chat: string) =>
  (await fake<FakeTelegramState>("/_sandbox/state")).requests.filter((r) => String(r.body.chat_id) === chat);

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  classifySendResponse(new Response(null, { status, headers }), body, "3527065");

describe("Telegram rendering", () => {
  it.each<[string, OutboundContent, string, Record<string, unknown>]>([
    ["text", { type: "text", text: "hi" }, "sendMessage", { chat_id: "42", text: "hi", link_preview_options: { is_disabled: true } }],
    [
      "text with preview",
      { type: "text", text: "see https://example.com", previewUrl: true },
      "sendMessage",
      { chat_id: "42", text: "see https://example.com", link_preview_options: { is_disabled: false } },
    ],
    [
      "buttons",
      { type: "buttons", text: "Happy?", buttons: [{ id: "yes", title: "Yes" }, { id: "no", title: "No" }] },
      "sendMessage",
      {
        chat_id: "42",
        text: "Happy?",
        reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "yes" }], [{ text: "No", callback_data: "no" }]] },
      },
    ],
    ["image", { type: "image", url: "https://x.test/a.jpg", caption: "look" }, "sendPhoto", { chat_id: "42", photo: "https://x.test/a.jpg", caption: "look" }],
    ["video", { type: "video", url: "https://x.test/a.mp4" }, "sendVideo", { chat_id: "42", video: "https://x.test/a.mp4" }],
    ["audio", { type: "audio", url: "https://x.test/a.mp3" }, "sendAudio", { chat_id: "42", audio: "https://x.test/a.mp3" }],
    [
      "document",
      { type: "document", url: "https://x.test/a.pdf", caption: "the file", filename: "a.pdf" },
      "sendDocument",
      { chat_id: "42", document: "https://x.test/a.pdf", caption: "the file" },
    ],
    ["location", { type: "location", latitude: 52.52, longitude: 13.405, name: "Berlin" }, "sendLocation", { chat_id: "42", latitude: 52.52, longitude: 13.405 }],
    [
      "venue",
      { type: "location", latitude: 52.52, longitude: 13.405, name: "Office", address: "Unter den Linden 1" },
      "sendVenue",
      { chat_id: "42", latitude: 52.52, longitude: 13.405, title: "Office", address: "Unter den Linden 1" },
    ],
  ])("%s", (_, content, method, params) => {
    expect(renderTelegramMessage("42", content)).toEqual({ method, params });
  });

  it("has no method for lists and templates (the core degrades or refuses them first)", () => {
    expect(renderTelegramMessage("42", { type: "template", name: "t", language: "en" })).toBeNull();
    expect(renderTelegramMessage("42", { type: "list", text: "m", button: "b", sections: [{ rows: [{ id: "a", title: "A" }] }] })).toBeNull();
  });

  it("degrades: a list becomes inline buttons, rows with descriptions a numbered text, a template is refused", () => {
    const caps = telegram.capabilities;
    expect(planParts({ type: "list", text: "Menu", button: "Open", sections: [{ rows: [{ id: "a", title: "A" }, { id: "b", title: "B" }] }] }, caps)).toEqual({
      parts: [{ type: "buttons", text: "Menu", buttons: [{ id: "a", title: "A" }, { id: "b", title: "B" }] }],
    });
    expect(planParts({ type: "list", text: "Menu", button: "Open", sections: [{ rows: [{ id: "a", title: "A", description: "first" }] }] }, caps)).toEqual({
      parts: [{ type: "text", text: "Menu\n\n1. A (first)" }],
    });
    expect(planParts({ type: "template", name: "t", language: "en" }, caps)).toHaveProperty("refused");
    expect(caps.receipts).toBe(false);
  });

  it("refuses up front button ids longer than 64 bytes of callback_data, where buttons would be sent", () => {
    const account = accountAt("http://127.0.0.1:9");
    const long = "é".repeat(33); // 33 characters, 66 bytes
    expect(telegram.refuse({ type: "buttons", text: "Pick", buttons: [{ id: "x".repeat(64), title: "ok" }] }, account)).toBeNull();
    expect(telegram.refuse({ type: "buttons", text: "Pick", buttons: [{ id: long, title: "A" }] }, account)).toMatch(/64 bytes.*has 66/);
    expect(telegram.refuse({ type: "list", text: "Menu", button: "Open", sections: [{ rows: [{ id: long, title: "A" }] }] }, account)).toMatch(/64 bytes/);
    // Rows with descriptions become a numbered text: no callback_data, nothing to refuse.
    expect(
      telegram.refuse({ type: "list", text: "Menu", button: "Open", sections: [{ rows: [{ id: long, title: "A", description: "d" }] }] }, account),
    ).toBeNull();
    expect(telegram.refuse({ type: "text", text: "hi" }, account)).toBeNull();
  });

  it("normalizes recipients to chat ids or channel usernames, kept exactly", () => {
    expect(normalizeTelegramPeer("3527065")).toBe("3527065");
    expect(normalizeTelegramPeer(" -1001234567890 ")).toBe("-1001234567890");
    expect(normalizeTelegramPeer("4503599627370495")).toBe("4503599627370495");
    expect(normalizeTelegramPeer("@sandbox_news")).toBe("@sandbox_news");
    expect(normalizeTelegramPeer("+49 151 234")).toBeNull();
    expect(normalizeTelegramPeer("0123")).toBeNull();
    expect(normalizeTelegramPeer("@ab")).toBeNull();
    expect(normalizeTelegramPeer("hello")).toBeNull();
  });

  it("registers the webhook with the account's URL, secret and the updates it reads", () => {
    expect(setWebhookParams(accountAt("http://127.0.0.1:9"), "https://relay.example.com/")).toEqual({
      url: "https://relay.example.com/webhooks/telegram/telegram-test",
      secret_token: TELEGRAM_SECRET_TOKEN,
      allowed_updates: ["message", "edited_message", "channel_post", "edited_channel_post", "callback_query", "message_reaction", "my_chat_member"],
    });
  });
});

describe("Telegram answer classification", () => {
  it.each<[string, number, unknown, Record<string, string>, unknown]>([
    ["ok", 200, { ok: true, result: { message_id: 133, chat: { id: 3527065 } } }, {}, { kind: "ok", platformMessageId: "3527065:133" }],
    [
      "ok to a channel username: the answer's chat id wins",
      200,
      { ok: true, result: { message_id: 7, chat: { id: -1001234567890 } } },
      {},
      { kind: "ok", platformMessageId: "-1001234567890:7" },
    ],
    [
      "ok without a message id",
      200,
      { ok: true, result: { message_id: 0 } },
      {},
      { kind: "failed", error: { reason: "platform_error", detail: "Telegram accepted the request without a message id" } },
    ],
    [
      "429 with retry_after",
      429,
      { ok: false, error_code: 429, description: "Too Many Requests: retry after 35", parameters: { retry_after: 35 } },
      {},
      { kind: "retry", afterSeconds: 35, detail: "Telegram answered 429: Too Many Requests: retry after 35" },
    ],
    ["429 with only Retry-After", 429, undefined, { "retry-after": "3" }, { kind: "retry", afterSeconds: 3, detail: "Telegram answered 429" }],
    ["500", 500, { ok: false, error_code: 500, description: "Internal Server Error" }, {}, { kind: "retry", detail: "Telegram answered 500: Internal Server Error" }],
    ["502 HTML", 502, undefined, {}, { kind: "retry", detail: "Telegram answered 502" }],
    ["200 that is no Bot API answer", 200, "<html>", {}, { kind: "retry", detail: "Telegram's answer was not a Bot API response" }],
    [
      "blocked",
      403,
      { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" },
      {},
      { kind: "failed", error: { reason: "recipient_blocked", code: "403", detail: "Forbidden: bot was blocked by the user" } },
    ],
    [
      "deactivated",
      403,
      { ok: false, error_code: 403, description: "Forbidden: user is deactivated" },
      {},
      { kind: "failed", error: { reason: "recipient_invalid", code: "403", detail: "Forbidden: user is deactivated" } },
    ],
    [
      "never started the bot",
      403,
      { ok: false, error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" },
      {},
      { kind: "failed", error: { reason: "recipient_invalid", code: "403", detail: "Forbidden: bot can't initiate conversation with a user" } },
    ],
    [
      "kicked from the group",
      403,
      { ok: false, error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" },
      {},
      { kind: "failed", error: { reason: "recipient_blocked", code: "403", detail: "Forbidden: bot was kicked from the supergroup chat" } },
    ],
    [
      "chat not found",
      400,
      { ok: false, error_code: 400, description: "Bad Request: chat not found" },
      {},
      { kind: "failed", error: { reason: "recipient_invalid", code: "400", detail: "Bad Request: chat not found" } },
    ],
    [
      "group upgraded",
      400,
      {
        ok: false,
        error_code: 400,
        description: "Bad Request: group chat was upgraded to a supergroup chat",
        parameters: { migrate_to_chat_id: -1001000000400 },
      },
      {},
      {
        kind: "failed",
        error: {
          reason: "recipient_invalid",
          code: "400",
          detail: "Bad Request: group chat was upgraded to a supergroup chat; the chat moved to -1001000000400",
        },
      },
    ],
    [
      "wrong file",
      400,
      { ok: false, error_code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" },
      {},
      { kind: "failed", error: { reason: "media_failed", code: "400", detail: "Bad Request: wrong file identifier/HTTP URL specified" } },
    ],
    [
      "URL not fetched",
      400,
      { ok: false, error_code: 400, description: "Bad Request: failed to get HTTP URL content" },
      {},
      { kind: "failed", error: { reason: "media_failed", code: "400", detail: "Bad Request: failed to get HTTP URL content" } },
    ],
    [
      "other 400",
      400,
      { ok: false, error_code: 400, description: "Bad Request: message is too long" },
      {},
      { kind: "failed", error: { reason: "content_rejected", code: "400", detail: "Bad Request: message is too long" } },
    ],
    [
      "error code in a 403 answer (the code decides)",
      403,
      { ok: false, error_code: 400, description: "Bot domain invalid." },
      {},
      { kind: "failed", error: { reason: "content_rejected", code: "400", detail: "Bot domain invalid." } },
    ],
    ["bad token", 401, { ok: false, error_code: 401, description: "Unauthorized" }, {}, { kind: "failed", error: { reason: "auth_failed", code: "401", detail: "Unauthorized" } }],
    ["malformed token", 404, { ok: false, error_code: 404, description: "Not Found" }, {}, { kind: "failed", error: { reason: "auth_failed", code: "404", detail: "Not Found" } }],
    ["conflict", 409, { ok: false, error_code: 409, description: "Conflict" }, {}, { kind: "failed", error: { reason: "platform_error", code: "409", detail: "Conflict" } }],
  ])("%s", (_, status, body, headers, expected) => {
    expect(answer(status, body, headers)).toEqual(expected);
  });
});

describe("Telegram sends against the fake Bot API", () => {
  const send = (content: OutboundContent, chat: string, account = accountAt(fakeUrl())) => telegram.send(message(content), chat, account, ctx);

  it("sends a text and reports <chat>:<message_id>", async () => {
    const chat = newChat();
    const result = await send({ type: "text", text: "Hello from the relay" }, chat);
    const [request] = await requestsTo(chat);
    expect(request).toMatchObject({
      method: "POST",
      path: "/bot<token>/sendMessage",
      headers: { "content-type": "application/json" },
      body: { chat_id: chat, text: "Hello from the relay", link_preview_options: { is_disabled: true } },
      status: 200,
    });
    expect(result).toEqual({ kind: "ok", platformMessageId: expect.stringMatching(new RegExp(`^${chat}:\\d+$`)) });
  });

  it("sends buttons, media and venues with the methods the Bot API has for them", async () => {
    const chat = newChat();
    const contents: OutboundContent[] = [
      { type: "buttons", text: "Happy?", buttons: [{ id: "yes", title: "Yes" }] },
      { type: "image", url: "https://example.com/a.jpg", caption: "c" },
      { type: "video", url: "https://example.com/a.mp4" },
      { type: "audio", url: "https://example.com/a.mp3" },
      { type: "document", url: "https://example.com/a.pdf" },
      { type: "location", latitude: 1.5, longitude: 2.5 },
      { type: "location", latitude: 1.5, longitude: 2.5, name: "Here", address: "Street 1" },
    ];
    for (const content of contents) expect((await send(content, chat)).kind, content.type).toBe("ok");
    const requests = await requestsTo(chat);
    expect(requests.map((r) => [r.apiMethod, r.status])).toEqual([
      ["sendMessage", 200],
      ["sendPhoto", 200],
      ["sendVideo", 200],
      ["sendAudio", 200],
      ["sendDocument", 200],
      ["sendLocation", 200],
      ["sendVenue", 200],
    ]);
    expect(requests[0]!.body.reply_markup).toEqual({ inline_keyboard: [[{ text: "Yes", callback_data: "yes" }]] });
  });

  it.each([
    ["400", "recipient_invalid", "400"],
    ["403", "recipient_blocked", "403"],
    ["410", "recipient_invalid", "403"],
    ["-400", "recipient_invalid", "400"],
  ])("a recipient %s… fails for good with %s", async (prefix, reason, code) => {
    const result = await send({ type: "text", text: "anyone?" }, `${prefix}${Math.floor(Math.random() * 1e6)}`);
    expect(result).toMatchObject({ kind: "failed", error: { reason, code } });
  });

  it("a media URL Telegram cannot fetch fails with media_failed", async () => {
    expect(await send({ type: "image", url: "https://example.com/broken.jpg" }, newChat())).toMatchObject({
      kind: "failed",
      error: { reason: "media_failed", code: "400", detail: "Bad Request: wrong file identifier/HTTP URL specified" },
    });
    expect(await send({ type: "document", url: "https://example.com/unreachable.pdf" }, newChat())).toMatchObject({
      error: { reason: "media_failed" },
    });
  });

  it("flood control is retried after the platform's retry_after; 5xx is retried; a given error body is classified", async () => {
    const chat = newChat();
    await fake("/_sandbox/faults", { status: 429, retryAfter: 1, path: "/sendMessage", chatId: chat });
    await fake("/_sandbox/faults", { status: 502, path: "/sendMessage", chatId: chat });
    await fake("/_sandbox/faults", {
      error: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" },
      path: "/sendMessage",
      chatId: chat,
    });
    const text: OutboundContent = { type: "text", text: "again" };
    expect(await send(text, chat)).toEqual({ kind: "retry", afterSeconds: 1, detail: "Telegram answered 429: Too Many Requests: retry after 1" });
    expect(await send(text, chat)).toMatchObject({ kind: "retry", detail: "Telegram answered 502: Bad Gateway" });
    expect(await send(text, chat)).toMatchObject({ kind: "failed", error: { reason: "recipient_blocked", code: "403" } });
    expect(await send(text, chat)).toMatchObject({ kind: "ok" });
    expect((await requestsTo(chat)).map((r) => r.status)).toEqual([429, 502, 403, 200]);
  });

  it("a wrong bot token fails with auth_failed; an unreachable API is retried, and neither leaks the token", async () => {
    const wrong = await send({ type: "text", text: "hi" }, newChat(), accountAt(fakeUrl(), { botToken: "987654321:AAE-some-other-bot-token-0123456789" }));
    expect(wrong).toEqual({ kind: "failed", error: { reason: "auth_failed", code: "401", detail: "Unauthorized" } });
    // Nothing listens there: through the test network that is a 502 rather than a refused connection.
    const down = await send({ type: "text", text: "hi" }, newChat(), accountAt("http://127.0.0.1:9"));
    expect(down).toMatchObject({ kind: "retry" });
    expect(JSON.stringify([wrong, down])).not.toContain(TELEGRAM_BOT_TOKEN.split(":")[1]);
  });

  it("a send that times out is retried", async () => {
    const chat = newChat();
    await fake("/_sandbox/faults", { hang: true, path: "/sendMessage", chatId: chat });
    const result = await send({ type: "text", text: "slow" }, chat, accountAt(fakeUrl(), { timeoutMs: 300 }));
    expect(result).toMatchObject({ kind: "retry", detail: expect.stringMatching(/^Telegram sendMessage: 127\.0\.0\.1:\d+ did not answer/) });
  });
});

describe("Telegram media fetch against the fake Bot API", () => {
  const account = () => accountAt(fakeUrl());

  it("resolves a file_id with getFile and streams the file", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(3000));
    const base64 = btoa(String.fromCharCode(...bytes));
    const { file_id } = await fake<{ file_id: string }>("/_sandbox/files", { base64, contentType: "image/png", filePath: `photos/${newChat()}.png` });
    const res = await telegram.fetchMedia(file_id, account(), ctx);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it("serves the fixtures' files too", async () => {
    const res = await telegram.fetchMedia("AwADAQADCQADgtFRRGn8KrC-0D_MAg", account(), ctx);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/ogg");
    expect((await res.arrayBuffer()).byteLength).toBe(1024);
  });

  it("an unknown file_id answers 404, a wrong token 502, without Telegram's URL", async () => {
    const unknown = await telegram.fetchMedia("no-such-file", account(), ctx);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("");
    const wrong = await telegram.fetchMedia("AwADAQADCQADgtFRRGn8KrC-0D_MAg", accountAt(fakeUrl(), { botToken: "987654321:AAE-some-other-bot-token-0123456789" }), ctx);
    expect(wrong.status).toBe(502);
  });
});

describe("Telegram quoted replies, URL buttons, reactions and chat actions", () => {
  it("reads message ids as the relay writes them, or bare", () => {
    expect(parseTelegramMessageRef("3527065:84")).toEqual({ chatId: "3527065", messageId: 84 });
    expect(parseTelegramMessageRef("-1001234567890:7")).toEqual({ chatId: "-1001234567890", messageId: 7 });
    expect(parseTelegramMessageRef("84")).toEqual({ messageId: 84 });
    for (const bad of ["", "abc", "1:0", "1:2:3", "wamid.X", `1:${2 ** 31}`]) expect(parseTelegramMessageRef(bad), bad).toBeNull();
  });

  it("quotes with reply_parameters that let the send go on when the original is gone", () => {
    expect(renderTelegramMessage("42", { type: "text", text: "yes" }, "42:84")).toEqual({
      method: "sendMessage",
      params: { chat_id: "42", text: "yes", link_preview_options: { is_disabled: true }, reply_parameters: { message_id: 84, allow_sending_without_reply: true } },
    });
    // A message of another chat names its chat; an id that is no Telegram id only loses the quote.
    expect(renderTelegramMessage("42", { type: "image", url: "https://x.test/a.jpg" }, "-100777:5")?.params).toMatchObject({
      reply_parameters: { message_id: 5, chat_id: "-100777", allow_sending_without_reply: true },
    });
    expect(renderTelegramMessage("42", { type: "text", text: "yes" }, "m_not_telegram")?.params).not.toHaveProperty("reply_parameters");
  });

  it("renders a URL button as an inline keyboard url button", () => {
    expect(renderTelegramMessage("42", { type: "url_button", text: "Your order", title: "Track it", url: "https://example.com/o/1" })).toEqual({
      method: "sendMessage",
      params: { chat_id: "42", text: "Your order", reply_markup: { inline_keyboard: [[{ text: "Track it", url: "https://example.com/o/1" }]] } },
    });
  });

  it("reacts with setMessageReaction, one emoji or none to take it back", () => {
    expect(renderTelegramMessage("42", { type: "reaction", messageId: "42:84", emoji: "👍" })).toEqual({
      method: "setMessageReaction",
      params: { chat_id: "42", message_id: 84, reaction: [{ type: "emoji", emoji: "👍" }] },
    });
    expect(renderTelegramMessage("42", { type: "reaction", messageId: "84", emoji: "" })).toEqual({
      method: "setMessageReaction",
      params: { chat_id: "42", message_id: 84, reaction: [] },
    });
    expect(renderTelegramMessage("42", { type: "reaction", messageId: "wamid.X", emoji: "👍" })).toBeNull();
  });

  it("refuses up front a reaction to something that is no Telegram message id (a relay id is resolved later)", () => {
    expect(telegram.refuse({ type: "reaction", messageId: "wamid.X", emoji: "👍" }, accountAt(fakeUrl()))).toMatch(/not a Telegram message id/);
    expect(telegram.refuse({ type: "reaction", messageId: `msg_${"0".repeat(80)}`, emoji: "👍" }, accountAt(fakeUrl()))).toBeNull();
  });

  it("shows typing with sendChatAction, and has no other action", () => {
    expect(renderTelegramAction("42", { type: "typing_on" })).toEqual({ method: "sendChatAction", params: { chat_id: "42", action: "typing" } });
    expect(renderTelegramAction("42", { type: "typing_off" })).toBeNull();
    expect(renderTelegramAction("42", { type: "mark_read" })).toBeNull();
    expect(telegram.capabilities.actions).toEqual(["typing_on"]);
  });

  describe("against the fake Bot API", () => {
    const account = () => accountAt(fakeUrl());

    it("a quoted reply, a URL button and a reaction are accepted; the reaction is recorded under the message it marks", async () => {
      const chat = newChat();
      const first = await telegram.send(message({ type: "text", text: "first" }), chat, account(), ctx);
      expect(first.kind).toBe("ok");
      const firstId = first.kind === "ok" ? first.platformMessageId : "";
      const reply = await telegram.send({ ...message({ type: "text", text: "second" }), replyTo: firstId }, chat, account(), ctx);
      expect(reply).toMatchObject({ kind: "ok" });
      expect(await telegram.send(message({ type: "url_button", text: "Order", title: "Track", url: "https://example.com/o" }), chat, account(), ctx)).toMatchObject({ kind: "ok" });
      expect(await telegram.send(message({ type: "reaction", messageId: firstId, emoji: "👍" }), chat, account(), ctx)).toEqual({
        kind: "ok",
        platformMessageId: `reaction:${firstId}`,
      });
      // An emoji bots may not use is refused for good.
      expect(await telegram.send(message({ type: "reaction", messageId: firstId, emoji: "🦄" }), chat, account(), ctx)).toMatchObject({
        kind: "failed",
        error: { reason: "content_rejected", detail: "Bad Request: REACTION_INVALID" },
      });
      const requests = await requestsTo(chat);
      expect(requests.map((r) => r.apiMethod)).toEqual(["sendMessage", "sendMessage", "sendMessage", "setMessageReaction", "setMessageReaction"]);
      expect(requests[1]!.body.reply_parameters).toEqual({ message_id: Number(firstId.split(":")[1]), allow_sending_without_reply: true });
    });

    it("shows typing; a blocked bot's action fails as its sends do", async () => {
      const chat = newChat();
      expect(await telegram.act({ type: "typing_on" }, chat, account())).toEqual({ kind: "ok" });
      expect((await requestsTo(chat)).map((r) => [r.apiMethod, r.body.action, r.status])).toEqual([["sendChatAction", "typing", 200]]);
      expect(await telegram.act({ type: "typing_on" }, `403${Math.floor(Math.random() * 1e9)}`, account())).toMatchObject({
        kind: "failed",
        error: { reason: "recipient_blocked", code: "403" },
      });
    });
  });
});
