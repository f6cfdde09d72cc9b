import { testContext } from "../../support/send-context";
import { describe, expect, inject, it } from "vitest";
import { planParts } from "../../../src/channels/degrade";
import { messenger, normalizeMessengerPeer } from "../../../src/channels/messenger";
import { MessengerAccount } from "../../../src/channels/messenger/account";
import { classifySendResponse, regainAccessSeconds } from "../../../src/channels/messenger/errors";
import { isAllowedMediaUrl } from "../../../src/channels/messenger/media";
import { renderMessengerAction, renderMessengerMessage } from "../../../src/channels/messenger/outbound";
import type { OutboundContent } from "../../../src/model";
import { MESSENGER_PAGE_ID, MESSENGER_PAGE_TOKEN, testAccount } from "./account";

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  classifySendResponse(new Response(null, { status, headers }), body);
const graph = (code: number, subcode?: number, message = "x") => ({
  error: { message, type: "OAuthException", code, ...(subcode !== undefined && { error_subcode: subcode }), fbtrace_id: "t" },
});
const defaults = { messagingType: undefined, tag: undefined };

describe("Messenger rendering", () => {
  const psid = "1254459154682919";
  it.each<[string, OutboundContent, Record<string, unknown>]>([
    ["text", { type: "text", text: "hi" }, { text: "hi" }],
    [
      "buttons as quick replies (payload = button id)",
      { type: "buttons", text: "Pick", buttons: [{ id: "r", title: "Red" }, { id: "g", title: "Green" }] },
      {
        text: "Pick",
        quick_replies: [
          { content_type: "text", title: "Red", payload: "r" },
          { content_type: "text", title: "Green", payload: "g" },
        ],
      },
    ],
    ["image", { type: "image", url: "https://x.test/a.jpg" }, { attachment: { type: "image", payload: { url: "https://x.test/a.jpg", is_reusable: true } } }],
    ["audio", { type: "audio", url: "https://x.test/a.mp3" }, { attachment: { type: "audio", payload: { url: "https://x.test/a.mp3", is_reusable: true } } }],
    ["video", { type: "video", url: "https://x.test/a.mp4" }, { attachment: { type: "video", payload: { url: "https://x.test/a.mp4", is_reusable: true } } }],
    [
      "document as a file",
      { type: "document", url: "https://x.test/a.pdf", filename: "a.pdf" },
      { attachment: { type: "file", payload: { url: "https://x.test/a.pdf", is_reusable: true } } },
    ],
  ])("%s", (_, content, message) => {
    expect(renderMessengerMessage(psid, content, defaults)).toEqual({ recipient: { id: psid }, messaging_type: "RESPONSE", message });
  });

  it("sends with the account's messaging type, and a tag as MESSAGE_TAG", () => {
    const text: OutboundContent = { type: "text", text: "hi" };
    expect(renderMessengerMessage(psid, text, { messagingType: "UPDATE" })).toMatchObject({ messaging_type: "UPDATE" });
    expect(renderMessengerMessage(psid, text, { tag: "HUMAN_AGENT" })).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" });
  });

  it("renders nothing Messenger lacks (the core degrades those first)", () => {
    expect(renderMessengerMessage(psid, { type: "location", latitude: 1, longitude: 2 }, defaults)).toBeNull();
    expect(renderMessengerMessage(psid, { type: "template", name: "t", language: "en" }, defaults)).toBeNull();
    expect(renderMessengerMessage(psid, { type: "list", text: "m", button: "b", sections: [{ rows: [{ id: "a", title: "A" }] }] }, defaults)).toBeNull();
  });

  it("degrades to what Messenger has: captions follow media, lists become quick replies or numbered text, locations a map link", () => {
    const caps = messenger.capabilities;
    expect(planParts({ type: "image", url: "https://x.test/a.jpg", caption: "look" }, caps)).toEqual({
      parts: [{ type: "image", url: "https://x.test/a.jpg" }, { type: "text", text: "look" }],
    });
    expect(planParts({ type: "list", text: "Menu", button: "Open", sections: [{ rows: [{ id: "a", title: "A" }] }] }, caps)).toEqual({
      parts: [{ type: "buttons", text: "Menu", buttons: [{ id: "a", title: "A" }] }],
    });
    expect(planParts({ type: "list", text: "Menu", button: "Open", sections: [{ rows: [{ id: "a", title: "A", description: "d" }] }] }, caps)).toEqual({
      parts: [{ type: "text", text: "Menu\n\n1. A (d)" }],
    });
    expect(planParts({ type: "buttons", text: "Pick", buttons: [{ id: "a", title: "A title longer than twenty" }] }, caps)).toEqual({
      parts: [{ type: "text", text: "Pick\n\n1. A title longer than twenty" }],
    });
    expect(planParts({ type: "location", latitude: 52.5, longitude: 13.4, name: "Berlin" }, caps)).toEqual({
      parts: [{ type: "text", text: "Berlin\nhttps://maps.google.com/?q=52.5,13.4" }],
    });
    expect(planParts({ type: "template", name: "t", language: "en" }, caps)).toHaveProperty("refused");
    const long = planParts({ type: "text", text: "word ".repeat(1000).trim() }, caps);
    expect("parts" in long && long.parts.length).toBe(3);
  });

  it("normalizes recipients to PSIDs (digits), refuses the rest", () => {
    expect(normalizeMessengerPeer(" 1254459154682919 ")).toBe("1254459154682919");
    expect(normalizeMessengerPeer("+49 151 2345")).toBeNull();
    expect(normalizeMessengerPeer("user@example.com")).toBeNull();
  });

  it("validates accounts: Graph defaults, a tag needs MESSAGE_TAG", () => {
    const base = { id: "m", channel: "messenger", pageId: "1", pageAccessToken: "t", appSecret: "s", verifyToken: "v" };
    expect(MessengerAccount.parse(base)).toMatchObject({ apiBaseUrl: "https://graph.facebook.com", apiVersion: "v23.0", timeoutMs: 10_000 });
    expect(MessengerAccount.parse({ ...base, apiBaseUrl: "http://127.0.0.1:9/" }).apiBaseUrl).toBe("http://127.0.0.1:9");
    expect(MessengerAccount.safeParse({ ...base, messagingType: "MESSAGE_TAG" }).success).toBe(false);
    expect(MessengerAccount.safeParse({ ...base, messagingType: "UPDATE", tag: "HUMAN_AGENT" }).success).toBe(false);
    expect(MessengerAccount.safeParse({ ...base, tag: "HUMAN_AGENT" }).success).toBe(true);
    expect(MessengerAccount.safeParse({ ...base, pageId: "my-page" }).success).toBe(false);
  });
});

describe("Messenger send classification", () => {
  it("a message_id is success", () => {
    expect(answer(200, { recipient_id: "1", message_id: "m_1" })).toEqual({ kind: "ok", platformMessageId: "m_1" });
    expect(answer(200, {})).toMatchObject({ kind: "retry" });
  });

  it.each<[string, number, unknown, string, string]>([
    ["outside the 24-hour window", 400, graph(10, 2018278, "(#10) This message is sent outside of allowed window."), "window_closed", "10/2018278"],
    ["outside the window, by its message", 400, graph(10, undefined, "(#10) This message is sent outside of allowed window."), "window_closed", "10"],
    ["person not available", 400, graph(551, 1545041), "recipient_blocked", "551/1545041"],
    ["person not available, no subcode", 400, graph(551), "recipient_blocked", "551"],
    ["no matching user", 400, graph(100, 2018001), "recipient_invalid", "100/2018001"],
    ["invalid parameter", 400, graph(100), "content_rejected", "100"],
    ["invalid token", 400, graph(190), "auth_failed", "190"],
    ["invalid token (401)", 401, graph(190, 460), "auth_failed", "190/460"],
    ["permission denied", 403, graph(10), "auth_failed", "10"],
    ["permission error 2xx", 403, graph(230), "auth_failed", "230"],
    ["attachment too large, even under #4", 400, graph(4, 2018109), "media_failed", "4/2018109"],
    ["an unknown Graph error", 400, graph(368), "platform_error", "368"],
    ["a permanent code on a 5xx", 500, graph(100, 2018001), "recipient_invalid", "100/2018001"],
  ])("%s → failed %s", (_, status, body, reason, code) => {
    expect(answer(status, body)).toMatchObject({ kind: "failed", error: { reason, code } });
  });

  it.each<[string, number, unknown]>([
    ["application limit #4", 400, graph(4)],
    ["user limit #17", 400, graph(17)],
    ["page limit #32", 400, graph(32)],
    ["rate limit #613", 400, graph(613)],
    ["business-use-case limit #80006", 400, graph(80006)],
    ["temporary send failure #1200", 500, graph(1200)],
    ["unexpected error #2", 500, graph(2)],
    ["unknown error #1", 500, graph(1)],
    ["an unknown code on a 5xx", 503, graph(999)],
    ["429 without a body", 429, undefined],
    ["502 with an HTML page", 502, undefined],
  ])("%s → retry", (_, status, body) => {
    expect(answer(status, body)).toMatchObject({ kind: "retry" });
  });

  it("honours Retry-After, else the business-use-case estimate (minutes)", () => {
    expect(answer(429, graph(613), { "retry-after": "7" })).toMatchObject({ kind: "retry", afterSeconds: 7 });
    const usage = JSON.stringify({ "1234": [{ type: "messenger", call_count: 100, total_cputime: 20, total_time: 30, estimated_time_to_regain_access: 2 }] });
    expect(answer(400, graph(80006), { "x-business-use-case-usage": usage })).toMatchObject({ kind: "retry", afterSeconds: 120 });
    expect(regainAccessSeconds(new Headers({ "x-business-use-case-usage": "not json" }))).toBeUndefined();
    expect(regainAccessSeconds(new Headers({ "x-business-use-case-usage": JSON.stringify({ a: [{ estimated_time_to_regain_access: 0 }] }) }))).toBeUndefined();
  });

  it("answers without a Graph error: 403 is auth, others a platform error", () => {
    expect(answer(403, undefined)).toMatchObject({ kind: "failed", error: { reason: "auth_failed", code: "403" } });
    expect(answer(418, "teapot")).toMatchObject({ kind: "failed", error: { reason: "platform_error", code: "418" } });
  });
});

describe("Messenger media hosts", () => {
  const account = { apiBaseUrl: "http://127.0.0.1:8080" };
  it.each([
    ["https://scontent.xx.fbcdn.net/v/a.jpg", true],
    ["https://cdn.fbsbx.com/v/a.pdf", true],
    ["https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1", true],
    ["https://www.facebook.com/x", true],
    ["http://127.0.0.1:8080/media/a", true],
    ["http://scontent.xx.fbcdn.net/v/a.jpg", false],
    ["https://fbcdn.net.attacker.example/a.jpg", false],
    ["https://notfbcdn.net/a.jpg", false],
    ["https://user:pw@scontent.xx.fbcdn.net/a.jpg", false],
    ["http://127.0.0.1:8081/media/a", false],
    ["http://169.254.169.254/latest/meta-data", false],
  ])("%s → %s", (url, allowed) => {
    expect(isAllowedMediaUrl(new URL(url), account)).toBe(allowed);
  });
});

/**
 * Real sends over loopback to the fake Graph API. This file uses API version v99.0 so that its fault
 * rules (by path) never meet the end-to-end tests' requests, which use v23.0.
 */
describe("Messenger sends against the fake Graph API", () => {
  const base = inject("platformUrls").messenger!;
  const VERSION = "v99.0";
  const path = `/${VERSION}/${MESSENGER_PAGE_ID}/messages`;
  const account = (extra: Record<string, unknown> = {}) => MessengerAccount.parse({ ...testAccount(base), apiVersion: VERSION, ...extra });
  const message = (content: OutboundContent) => ({ id: "msg_test", content, acceptedAt: new Date(0).toISOString() });
  const send = (to: string, content: OutboundContent = { type: "text", text: "hello" }, extra?: Record<string, unknown>) =>
    messenger.send(message(content), to, account(extra), testContext());
  const psid = (prefix = "7") => `${prefix}${Math.floor(1e14 + Math.random() * 9e14)}`;
  const fault = (rule: Record<string, unknown>) =>
    fetch(`${base}/_sandbox/faults`, { method: "POST", body: JSON.stringify({ path, count: 1, ...rule }) }).then((r) => expect(r.status).toBe(200));
  type Recorded = { path: string; query: Record<string, string>; headers: Record<string, string>; body: { recipient?: { id?: string } } | null; status?: number };
  const requestsTo = async (to: string) =>
    ((await (await fetch(`${base}/_sandbox/state`)).json()) as { requests: Recorded[] }).requests.filter((r) => r.body?.recipient?.id === to);

  it("sends a text with the page token in the header only, and gets the message id", async () => {
    const to = psid();
    const result = await send(to);
    expect(result).toMatchObject({ kind: "ok", platformMessageId: expect.stringMatching(/^m_/) });
    const [request] = await requestsTo(to);
    expect(request).toEqual({
      method: "POST",
      path,
      query: {},
      headers: { authorization: `Bearer ${MESSENGER_PAGE_TOKEN}`, "content-type": "application/json" },
      body: { recipient: { id: to }, messaging_type: "RESPONSE", message: { text: "hello" } },
      status: 200,
    });
  });

  it("sends quick replies and attachments the fake accepts", async () => {
    const to = psid();
    expect(await send(to, { type: "buttons", text: "Pick", buttons: [{ id: "a", title: "Alpha" }] })).toMatchObject({ kind: "ok" });
    expect(await send(to, { type: "document", url: "https://example.com/a.pdf" })).toMatchObject({ kind: "ok" });
    expect((await requestsTo(to)).map((r) => r.status)).toEqual([200, 200]);
  });

  it.each([
    ["0", "recipient_invalid", "100/2018001"],
    ["551", "recipient_blocked", "551/1545041"],
    ["2018278", "window_closed", "10/2018278"],
  ])("recipient %s… fails with %s", async (prefix, reason, code) => {
    expect(await send(psid(prefix))).toMatchObject({ kind: "failed", error: { reason, code } });
  });

  it("a HUMAN_AGENT tag reaches a customer outside the 24-hour window", async () => {
    expect(await send(psid("2018278"), undefined, { tag: "HUMAN_AGENT" })).toMatchObject({ kind: "ok" });
  });

  it("a temporary send failure is retried", async () => {
    expect(await send(psid("1200"))).toMatchObject({ kind: "retry", detail: expect.stringContaining("1200") });
  });

  it("throttling (429 with Retry-After) and outages (503) are retried", async () => {
    await fault({ status: 429, retryAfter: 1 });
    expect(await send(psid())).toMatchObject({ kind: "retry", afterSeconds: 1, detail: expect.stringContaining("613") });
    await fault({ status: 503 });
    expect(await send(psid())).toMatchObject({ kind: "retry" });
  });

  it("a revoked token fails with auth_failed", async () => {
    await fault({ error: { code: 190, error_subcode: 460, message: "Error validating access token: The session has been invalidated." } });
    expect(await send(psid())).toMatchObject({ kind: "failed", error: { reason: "auth_failed", code: "190/460" } });
    expect(await send(psid(), undefined, { pageAccessToken: "wrong" })).toMatchObject({ kind: "failed", error: { reason: "auth_failed", code: "190" } });
  });

  it("a platform that never answers times out (delivery retries what throws)", async () => {
    await fault({ hang: true });
    await expect(send(psid(), undefined, { timeoutMs: 300 })).rejects.toThrow();
  });

  it("fetches media only from allowed hosts, following redirects, mapping expired URLs to 410", async () => {
    const acct = account();
    const ok = await messenger.fetchMedia(`${base}/media/redirect/sample.png`, acct, testContext());
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("image/png");
    expect((await ok.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect((await messenger.fetchMedia(`${base}/media/expired`, acct, testContext())).status).toBe(410);
    expect((await messenger.fetchMedia("https://example.com/a.png", acct, testContext())).status).toBe(404);
    expect((await messenger.fetchMedia("not a url", acct, testContext())).status).toBe(404);
  });
});

describe("Messenger quoted replies, tags, URL buttons, reactions and sender actions", () => {
  const psid = "1254459154682919";
  const MID = "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P";

  it("a request's tag wins over the account's messaging type; a quote goes as reply_to.mid", () => {
    const text: OutboundContent = { type: "text", text: "We are on it" };
    expect(renderMessengerMessage(psid, text, { messagingType: "UPDATE" }, { tag: "HUMAN_AGENT", replyTo: MID })).toEqual({
      recipient: { id: psid },
      messaging_type: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
      reply_to: { mid: MID },
      message: { text: "We are on it" },
    });
    expect(renderMessengerMessage(psid, text, { tag: "ACCOUNT_UPDATE" }, { tag: "POST_PURCHASE_UPDATE" })).toMatchObject({
      messaging_type: "MESSAGE_TAG",
      tag: "POST_PURCHASE_UPDATE",
    });
  });

  it("renders a URL button as a button template with one web_url button", () => {
    expect(renderMessengerMessage(psid, { type: "url_button", text: "What next?", title: "Visit Messenger", url: "https://www.messenger.com" }, defaults)).toEqual({
      recipient: { id: psid },
      messaging_type: "RESPONSE",
      message: {
        attachment: {
          type: "template",
          payload: { template_type: "button", text: "What next?", buttons: [{ type: "web_url", url: "https://www.messenger.com", title: "Visit Messenger" }] },
        },
      },
    });
    // Over the template's 640 characters of text, it goes as a text with the link.
    const long = { type: "url_button", text: "x".repeat(641), title: "Open", url: "https://x.test/" } as const;
    expect(planParts(long, messenger.capabilities)).toEqual({ parts: [{ type: "text", text: `${"x".repeat(641)}\n\nOpen: https://x.test/` }] });
  });

  it("reacts and unreacts with a sender action on the customer's message", () => {
    expect(renderMessengerMessage(psid, { type: "reaction", messageId: MID, emoji: "😊" }, defaults, { replyTo: "m_other" })).toEqual({
      recipient: { id: psid },
      sender_action: "react",
      payload: { message_id: MID, reaction: "😊" },
    });
    expect(renderMessengerMessage(psid, { type: "reaction", messageId: MID, emoji: "" }, defaults)).toEqual({
      recipient: { id: psid },
      sender_action: "unreact",
      payload: { message_id: MID },
    });
  });

  it("maps actions to sender actions: typing on and off, and mark_seen", () => {
    expect(renderMessengerAction(psid, { type: "typing_on" })).toEqual({ recipient: { id: psid }, sender_action: "typing_on" });
    expect(renderMessengerAction(psid, { type: "typing_off" })).toEqual({ recipient: { id: psid }, sender_action: "typing_off" });
    expect(renderMessengerAction(psid, { type: "mark_read" })).toEqual({ recipient: { id: psid }, sender_action: "mark_seen" });
  });

  describe("against the fake Graph API", () => {
    const base = inject("platformUrls").messenger!;
    // Its own API version, so that no other file's path-scoped fault rules meet these requests.
    const account = MessengerAccount.parse({ ...testAccount(base), apiVersion: "v98.0" });
    const newPsid = (prefix = "7") => `${prefix}${Math.floor(1e14 + Math.random() * 9e14)}`;
    type Recorded = { body: { recipient?: { id?: string } } & Record<string, unknown>; status?: number };
    const requestsTo = async (to: string) =>
      ((await (await fetch(`${base}/_sandbox/state`)).json()) as { requests: Recorded[] }).requests.filter((r) => r.body?.recipient?.id === to);
    const send = (to: string, content: OutboundContent, extra: { replyTo?: string; tag?: "HUMAN_AGENT" } = {}) =>
      messenger.send({ id: "msg_test", content, acceptedAt: new Date(0).toISOString(), ...extra }, to, account, testContext());

    it("a tagged reply reaches a customer outside the window; a URL button and a reaction are accepted", async () => {
      const late = newPsid("2018278");
      expect(await send(late, { type: "text", text: "late" })).toMatchObject({ kind: "failed", error: { reason: "window_closed" } });
      expect(await send(late, { type: "text", text: "an agent answers" }, { tag: "HUMAN_AGENT", replyTo: MID })).toMatchObject({ kind: "ok" });
      const to = newPsid();
      expect(await send(to, { type: "url_button", text: "Your order", title: "Track", url: "https://example.com/o/1" })).toMatchObject({ kind: "ok" });
      expect(await send(to, { type: "reaction", messageId: MID, emoji: "👍" })).toEqual({ kind: "ok", platformMessageId: `reaction:${MID}` });
      const [, tagged] = await requestsTo(late);
      expect(tagged!.body).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", reply_to: { mid: MID } });
      expect((await requestsTo(to)).map((r) => r.status)).toEqual([200, 200]);
    });

    it("does sender actions, and reads a refusal as a send's", async () => {
      const to = newPsid();
      for (const type of ["typing_on", "typing_off", "mark_read"] as const) {
        expect(await messenger.act({ type }, to, account), type).toEqual({ kind: "ok" });
      }
      expect((await requestsTo(to)).map((r) => r.body.sender_action)).toEqual(["typing_on", "typing_off", "mark_seen"]);
      expect(await messenger.act({ type: "typing_on" }, newPsid("551"), account)).toMatchObject({
        kind: "failed",
        error: { reason: "recipient_blocked" },
      });
    });
  });
});
