import { testContext } from "../../support/send-context";
import { describe, expect, inject, it } from "vitest";
import { planParts } from "../../../src/channels/degrade";
import type { ChannelAdapter, SendResult } from "../../../src/channels/types";
import { normalizeViberPeer, viber } from "../../../src/channels/viber";
import { ViberAccount } from "../../../src/channels/viber/account";
import { classifyViberResponse, VIBER_STATUS_CODES } from "../../../src/channels/viber/errors";
import { isViberMediaUrl, viberMediaUrl } from "../../../src/channels/viber/media";
import { renderViberMessage, VIBER_MAX_TRACKING_DATA } from "../../../src/channels/viber/outbound";
import type { OutboundContent } from "../../../src/model";
import { testAccount, VIBER_AUTH_TOKEN, VIBER_SENDER_NAME } from "./account";
import { newViberUser } from "./kit";

/** The adapter as the relay sees it, through the interface. */
const adapter: ChannelAdapter<ViberAccount> = viber;
const fakeUrl = () => inject("platformUrls")["viber"]!;
const account = () => ViberAccount.parse(testAccount(fakeUrl()));
const sender = { senderName: "Acme Support" };
const ctx = testContext();

interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
  answer?: { http: number; body?: Record<string, unknown>; token?: string };
}

async function fakeRequests(receiver: string): Promise<FakeRequest[]> {
  const state = (await (await fetch(`${fakeUrl()}/_sandbox/state`)).json()) as { requests: FakeRequest[] };
  return state.requests.filter((r) => r.body?.receiver === receiver);
}

async function fault(rule: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${fakeUrl()}/_sandbox/faults`, { method: "POST", body: JSON.stringify(rule) });
  expect(res.status).toBe(200);
}

const send = (to: string, content: OutboundContent, acc = account()): Promise<SendResult> =>
  adapter.send({ id: "msg_test", content, acceptedAt: new Date().toISOString() }, to, acc, ctx);

describe("Viber rendering", () => {
  const base = { receiver: "abcd==", min_api_version: 1, sender: { name: "Acme Support" } };

  it("text, picture (caption in `text`, empty when none), location", () => {
    expect(renderViberMessage("abcd==", { type: "text", text: "Hello" }, sender)).toEqual({ ...base, type: "text", text: "Hello" });
    expect(renderViberMessage("abcd==", { type: "image", url: "https://x.test/a.jpg", caption: "look" }, sender)).toEqual({
      ...base,
      type: "picture",
      text: "look",
      media: "https://x.test/a.jpg",
    });
    expect(renderViberMessage("abcd==", { type: "image", url: "https://x.test/a.jpg" }, sender)).toMatchObject({ type: "picture", text: "" });
    expect(renderViberMessage("abcd==", { type: "location", latitude: 52.52, longitude: 13.405, name: "Berlin" }, sender)).toEqual({
      ...base,
      type: "location",
      location: { lat: 52.52, lon: 13.405 },
    });
    expect(renderViberMessage("abcd==", { type: "text", text: "hi" }, { senderName: "Bot", senderAvatar: "https://x.test/a.png" })).toMatchObject({
      sender: { name: "Bot", avatar: "https://x.test/a.png" },
    });
  });

  it("buttons: a reply keyboard whose titles are never read as HTML, with the ids in tracking_data", () => {
    const body = renderViberMessage(
      "abcd==",
      { type: "buttons", text: "Pick", buttons: [{ id: "a", title: "<b>Yes</b> & more" }, { id: "b", title: "No" }] },
      sender,
    );
    expect(body).toEqual({
      ...base,
      type: "text",
      text: "Pick",
      tracking_data: '{"relayChoices":[["a","<b>Yes</b> & more"],["b","No"]]}',
      keyboard: {
        Type: "keyboard",
        DefaultHeight: false,
        Buttons: [
          { Columns: 6, Rows: 1, ActionType: "reply", ActionBody: "<b>Yes</b> & more", Text: "&lt;b&gt;Yes&lt;/b&gt; &amp; more", TextSize: "regular" },
          { Columns: 6, Rows: 1, ActionType: "reply", ActionBody: "No", Text: "No", TextSize: "regular" },
        ],
      },
    });
    const long = Array.from({ length: 12 }, (_, i) => ({ id: `${i}`.padEnd(256, "x"), title: "t".repeat(100) }));
    const big = renderViberMessage("abcd==", { type: "buttons", text: "Pick", buttons: long }, sender)!;
    expect(JSON.stringify(long).length).toBeGreaterThan(VIBER_MAX_TRACKING_DATA);
    expect(big.tracking_data).toBeUndefined();
    expect((big.keyboard as { Buttons: unknown[] }).Buttons).toHaveLength(12);
  });

  it("has no form for what the core degrades first; a send of one fails instead of retrying forever", async () => {
    for (const content of [
      { type: "video", url: "https://x.test/a.mp4" },
      { type: "document", url: "https://x.test/a.pdf" },
      { type: "audio", url: "https://x.test/a.ogg" },
      { type: "list", text: "t", button: "b", sections: [{ rows: [{ id: "r", title: "R" }] }] },
      { type: "template", name: "n", language: "en" },
    ] satisfies OutboundContent[]) {
      expect(renderViberMessage("abcd==", content, sender), content.type).toBeNull();
      expect(viber.capabilities.contentTypes).not.toContain(content.type);
    }
    expect(await send("abcd==", { type: "audio", url: "https://x.test/a.ogg" })).toEqual({
      kind: "failed",
      error: { reason: "unsupported_content", detail: "Viber cannot render 'audio'" },
    });
  });

  it("the core degrades to what Viber renders: links for video and files, numbered lists, long captions after the picture", () => {
    const c = viber.capabilities;
    expect(planParts({ type: "video", url: "https://x.test/a.mp4", caption: "clip" }, c)).toEqual({
      parts: [{ type: "text", text: "clip\nhttps://x.test/a.mp4" }],
    });
    expect(planParts({ type: "document", url: "https://x.test/a.pdf", filename: "a.pdf" }, c)).toEqual({
      parts: [{ type: "text", text: "https://x.test/a.pdf" }],
    });
    expect(planParts({ type: "list", text: "Menu", button: "Open", sections: [{ rows: [{ id: "r1", title: "Pizza" }, { id: "r2", title: "Pasta" }] }] }, c)).toEqual({
      parts: [{ type: "buttons", text: "Menu", buttons: [{ id: "r1", title: "Pizza" }, { id: "r2", title: "Pasta" }] }],
    });
    const thirteen = Array.from({ length: 13 }, (_, i) => ({ id: `b${i}`, title: `B${i}` }));
    const plan = planParts({ type: "buttons", text: "Pick", buttons: thirteen }, c);
    expect("parts" in plan && plan.parts.map((p) => p.type)).toEqual(["text"]);
    const caption = "c".repeat(121);
    expect(planParts({ type: "image", url: "https://x.test/a.jpg", caption }, c)).toEqual({
      parts: [{ type: "image", url: "https://x.test/a.jpg" }, { type: "text", text: caption }],
    });
    expect(planParts({ type: "template", name: "n", language: "en" }, c)).toHaveProperty("refused");
  });

  it("recipients are Viber user ids, kept exactly; anything else is refused", () => {
    expect(normalizeViberPeer("xy5/5y6O81+/kbWHpLhBoA==")).toBe("xy5/5y6O81+/kbWHpLhBoA==");
    expect(normalizeViberPeer(" 01234567890A= ")).toBe("01234567890A=");
    expect(normalizeViberPeer("xy5/5$$**y6O81+/kbWHpLhBoA==")).toBeNull();
    expect(normalizeViberPeer("a b")).toBeNull();
    expect(normalizeViberPeer("ab")).toBeNull();
  });
});

describe("Viber answers", () => {
  const ok = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    classifyViberResponse(new Response(null, { status, headers }), body);

  it("status 0 is sent, with the exact token", () => {
    expect(ok({ status: 0, status_message: "ok", message_token: "5741311803571721087" })).toEqual({
      kind: "ok",
      platformMessageId: "5741311803571721087",
    });
    expect(ok({ status: 0, status_message: "ok" })).toMatchObject({ kind: "retry" });
  });

  it.each(Object.entries(VIBER_STATUS_CODES))("status %s ends the message with its reason", (code, { reason }) => {
    const result = ok({ status: Number(code), status_message: "fromViber" });
    expect(result).toEqual({ kind: "failed", error: { reason, code, detail: expect.stringContaining("fromViber") } });
  });

  it("maps the codes clients branch on", () => {
    const reason = (status: number) => {
      const r = ok({ status });
      return r.kind === "failed" ? r.error.reason : r.kind;
    };
    expect([2, 3, 4, 5, 6, 10, 13, 23].map(reason)).toEqual([
      "auth_failed",
      "content_rejected",
      "content_rejected",
      "recipient_invalid",
      "recipient_blocked",
      "platform_error",
      "unsupported_content",
      "window_closed",
    ]);
  });

  it("status 12 (rate control, in a 200) is retried with backoff; unknown codes fail as platform errors", () => {
    expect(ok({ status: 12, status_message: "tooManyRequests" })).toEqual({
      kind: "retry",
      detail: "Viber status 12 (rate control): tooManyRequests",
    });
    expect(ok({ status: 99, status_message: "General error" })).toEqual({
      kind: "failed",
      error: { reason: "platform_error", code: "99", detail: "General error: General error" },
    });
    expect(ok({ status: "5" })).toMatchObject({ kind: "failed", error: { reason: "recipient_invalid", code: "5" } });
  });

  it("HTTP trouble: 429/5xx retried honouring Retry-After, other statuses fail, unreadable 200s retried", () => {
    expect(ok(undefined, 503, { "retry-after": "7" })).toEqual({ kind: "retry", afterSeconds: 7, detail: "Viber answered HTTP 503" });
    expect(ok(undefined, 429)).toMatchObject({ kind: "retry" });
    expect(ok({ status: "5" }, 401)).toEqual({ kind: "failed", error: { reason: "auth_failed", code: "401", detail: "Viber answered HTTP 401" } });
    expect(ok(undefined, 404)).toMatchObject({ kind: "failed", error: { reason: "platform_error", code: "404" } });
    expect(ok(undefined)).toEqual({ kind: "retry", detail: "Viber answered without a status" });
  });
});

describe("Viber sends against the fake Bot API", () => {
  it("a text goes out with the token header, the sender and min_api_version; its 64-bit token comes back exact", async () => {
    const to = newViberUser();
    const result = await send(to, { type: "text", text: "Hello from the relay" });
    const [request] = await fakeRequests(to);
    expect(request).toMatchObject({
      method: "POST",
      path: "/pa/send_message",
      headers: { "x-viber-auth-token": VIBER_AUTH_TOKEN, "content-type": "application/json" },
      body: { receiver: to, min_api_version: 1, sender: { name: VIBER_SENDER_NAME }, type: "text", text: "Hello from the relay" },
    });
    const token = request!.answer!.token!;
    expect(BigInt(token) > 2n ** 53n).toBe(true);
    expect(result).toEqual({ kind: "ok", platformMessageId: token });
  });

  it("buttons, pictures and locations are accepted as rendered", async () => {
    const to = newViberUser();
    for (const content of [
      { type: "buttons", text: "Pick one", buttons: [{ id: "y", title: "Yes" }, { id: "n", title: "No" }] },
      { type: "image", url: "https://example.com/a.jpg", caption: "look" },
      { type: "location", latitude: 52.52, longitude: 13.405 },
    ] satisfies OutboundContent[]) {
      expect(await send(to, content), content.type).toMatchObject({ kind: "ok" });
    }
    expect((await fakeRequests(to)).map((r) => r.body?.type)).toEqual(["text", "picture", "location"]);
  });

  it.each([
    ["0000", { reason: "recipient_invalid", code: "5" }],
    ["6666", { reason: "recipient_blocked", code: "6" }],
    ["1313", { reason: "unsupported_content", code: "13" }],
  ])("receiver %s… fails with its reason", async (prefix, error) => {
    expect(await send(newViberUser(prefix), { type: "text", text: "hi" })).toMatchObject({ kind: "failed", error });
  });

  it("a wrong auth token fails as auth_failed (status 2 in a 200)", async () => {
    const wrong = ViberAccount.parse({ ...testAccount(fakeUrl()), authToken: "not-the-bot-token-0123456789" });
    expect(await send(newViberUser(), { type: "text", text: "hi" }, wrong)).toMatchObject({
      kind: "failed",
      error: { reason: "auth_failed", code: "2", detail: "The authentication token is not valid: invalidAuthToken" },
    });
  });

  it("throttling in a 200 body, HTTP 503 and HTTP 429 with Retry-After are retried; then it goes through", async () => {
    const to = newViberUser();
    await fault({ receiver: to, error: { status: 12, status_message: "tooManyRequests" } });
    await fault({ receiver: to, status: 503 });
    await fault({ receiver: to, status: 429, retryAfter: 1 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await send(to, { type: "text", text: "again" }));
    expect(results.map((r) => r.kind)).toEqual(["retry", "retry", "retry", "ok"]);
    expect(results[0]).toEqual({ kind: "retry", detail: "Viber status 12 (rate control): tooManyRequests" });
    expect(results[2]).toMatchObject({ kind: "retry", afterSeconds: 1 });
    expect((await fakeRequests(to)).map((r) => r.answer?.http)).toEqual([200, 503, 429, 200]);
  });
});

describe("Viber media", () => {
  async function upload(bytes: Uint8Array, type: string, name: string): Promise<string> {
    const res = await fetch(`${fakeUrl()}/_sandbox/media?name=${name}`, { method: "POST", headers: { "content-type": type }, body: bytes });
    return ((await res.json()) as { url: string }).url;
  }

  it("streams a file from an allowed host, following redirects only onto allowed hosts", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(2048));
    const url = await upload(bytes, "image/jpeg", "photo.jpg");
    const res = await adapter.fetchMedia!(url, account(), ctx);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);

    const bounced = await adapter.fetchMedia!(`${fakeUrl()}/media/redirect?to=${encodeURIComponent(url)}`, account(), ctx);
    expect(new Uint8Array(await bounced.arrayBuffer())).toEqual(bytes);
    const away = adapter.fetchMedia!(`${fakeUrl()}/media/redirect?to=${encodeURIComponent("https://example.com/x.jpg")}`, account(), ctx);
    await expect(away).rejects.toThrow(/redirected to https:\/\/example\.com\/x\.jpg: example\.com is not a Viber media host/);
  });

  it("never fetches anything else: other hosts, look-alike hosts, credentials in the URL, non-URLs", async () => {
    for (const mediaId of [
      "https://example.com/a.jpg",
      "https://viber.com.evil.test/a.jpg",
      "https://evilviber.com/a.jpg",
      "http://dl-media.viber.com/a.jpg",
      "https://user:pw@dl-media.viber.com/a.jpg",
      "not a url",
      "sticker:40133",
      "40133.png",
      "https://viber.github.io/not-stickers/x.png",
      "https://viber.github.io/docs/img/stickers/../../x.png",
      "http://viber.github.io/docs/img/stickers/40133.png",
    ]) {
      const res = await adapter.fetchMedia!(mediaId, account(), ctx);
      expect(res.status, mediaId).toBe(404);
    }
  });

  it("a sticker id names its public image, and only sticker images are allowed on that host", () => {
    const url = viberMediaUrl("40133")!;
    expect(url.href).toBe("https://viber.github.io/docs/img/stickers/40133.png");
    expect(isViberMediaUrl(url, account())).toBe(true);
    expect(isViberMediaUrl(new URL("https://viber.github.io/docs/img/other.png"), account())).toBe(false);
    expect(viberMediaUrl("https://dl-media.viber.com/a.jpg")?.href).toBe("https://dl-media.viber.com/a.jpg");
    expect(viberMediaUrl("not a url")).toBeNull();
  });
});

describe("Viber URL buttons, quotes, reactions and actions", () => {
  it("renders a URL button as a keyboard with one open-url button, its label never read as HTML", () => {
    expect(renderViberMessage("abcd==", { type: "url_button", text: "Your order", title: "Track <it>", url: "https://example.com/o/1" }, sender)).toEqual({
      receiver: "abcd==",
      min_api_version: 1,
      sender: { name: "Acme Support" },
      type: "text",
      text: "Your order",
      keyboard: {
        Type: "keyboard",
        DefaultHeight: false,
        Buttons: [{ Columns: 6, Rows: 1, ActionType: "open-url", ActionBody: "https://example.com/o/1", Text: "Track &lt;it&gt;", TextSize: "regular" }],
      },
    });
  });

  it("drops a quote, refuses a reaction, and has no actions", () => {
    expect(viber.capabilities.quotedReplies).toBe(false);
    expect(planParts({ type: "reaction", messageId: "5741311803571721087", emoji: "👍" }, viber.capabilities)).toHaveProperty("refused");
    expect(viber.capabilities.actions).toEqual([]);
  });

  it("the fake accepts a URL button as rendered, and a quoted message goes without its quote", async () => {
    const to = newViberUser();
    const result = await adapter.send(
      { id: "msg_test", content: { type: "url_button", text: "Your order", title: "Track", url: "https://example.com/o/1" }, acceptedAt: new Date().toISOString(), replyTo: "5741311803571721087" },
      to,
      account(),
      ctx,
    );
    expect(result).toMatchObject({ kind: "ok" });
    const [request] = await fakeRequests(to);
    expect(request!.body).toMatchObject({ keyboard: { Buttons: [{ ActionType: "open-url", ActionBody: "https://example.com/o/1" }] } });
    expect(JSON.stringify(request!.body)).not.toContain("5741311803571721087");
  });
});
