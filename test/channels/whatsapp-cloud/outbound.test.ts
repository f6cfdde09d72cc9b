import { testContext } from "../../support/send-context";
import { describe, expect, inject, it } from "vitest";
import { whatsappCloud } from "../../../src/channels/whatsapp-cloud";
import { WhatsAppCloudAccount } from "../../../src/channels/whatsapp-cloud/account";
import { classifyCloudSendResponse } from "../../../src/channels/whatsapp-cloud/errors";
import { renderCloudMessage } from "../../../src/channels/whatsapp-cloud/outbound";
import { classifyCloudAction, renderCloudAction } from "../../../src/channels/whatsapp-cloud/actions";
import { planParts } from "../../../src/channels/degrade";
import type { SendResult } from "../../../src/channels/types";
import type { OutboundContent } from "../../../src/model";
import type { FakeCloudState } from "../../../sandbox/fake-whatsapp-cloud.js";
import { newPeer } from "../../support/http";
import { CLOUD_ACCESS_TOKEN, CLOUD_PHONE_NUMBER_ID, testAccount } from "./account";

const BSUID = "US.13491208655302741918";
const base = (to: string) => ({
  messaging_product: "whatsapp",
  recipient_type: "individual",
  to,
  biz_opaque_callback_data: `relay-peer:${to}`,
});

describe("rendering", () => {
  const cases: [string, OutboundContent, Record<string, unknown>][] = [
    ["text", { type: "text", text: "hi" }, { type: "text", text: { preview_url: false, body: "hi" } }],
    ["text with preview", { type: "text", text: "see https://x.test", previewUrl: true }, { type: "text", text: { preview_url: true, body: "see https://x.test" } }],
    [
      "buttons",
      { type: "buttons", text: "Confirm?", buttons: [{ id: "y", title: "Yes" }, { id: "n", title: "No" }] },
      {
        type: "interactive",
        interactive: {
          type: "button",
          body: { text: "Confirm?" },
          action: { buttons: [{ type: "reply", reply: { id: "y", title: "Yes" } }, { type: "reply", reply: { id: "n", title: "No" } }] },
        },
      },
    ],
    [
      "list",
      {
        type: "list",
        text: "Pick a slot",
        button: "Slots",
        sections: [
          { title: "Tuesday", rows: [{ id: "t10", title: "10:00", description: "Main store" }] },
          { title: "Wednesday", rows: [{ id: "w9", title: "09:00" }] },
        ],
      },
      {
        type: "interactive",
        interactive: {
          type: "list",
          body: { text: "Pick a slot" },
          action: {
            button: "Slots",
            sections: [
              { title: "Tuesday", rows: [{ id: "t10", title: "10:00", description: "Main store" }] },
              { title: "Wednesday", rows: [{ id: "w9", title: "09:00" }] },
            ],
          },
        },
      },
    ],
    ["image", { type: "image", url: "https://x.test/a.jpg", caption: "look" }, { type: "image", image: { link: "https://x.test/a.jpg", caption: "look" } }],
    ["video without caption", { type: "video", url: "https://x.test/a.mp4" }, { type: "video", video: { link: "https://x.test/a.mp4" } }],
    ["audio", { type: "audio", url: "https://x.test/a.ogg" }, { type: "audio", audio: { link: "https://x.test/a.ogg" } }],
    [
      "document",
      { type: "document", url: "https://x.test/a.pdf", filename: "a.pdf", caption: "invoice" },
      { type: "document", document: { link: "https://x.test/a.pdf", caption: "invoice", filename: "a.pdf" } },
    ],
    [
      "location",
      { type: "location", latitude: 52.52, longitude: 13.405, name: "Berlin" },
      { type: "location", location: { latitude: 52.52, longitude: 13.405, name: "Berlin" } },
    ],
    [
      "template with body parameters (a namespace is not sent)",
      { type: "template", name: "order_update", language: "de", namespace: "ns", parameters: ["Ada", { type: "text", text: "42" }] },
      {
        type: "template",
        template: {
          name: "order_update",
          language: { code: "de" },
          components: [{ type: "body", parameters: [{ type: "text", text: "Ada" }, { type: "text", text: "42" }] }],
        },
      },
    ],
    [
      "template with components",
      { type: "template", name: "hello_world", language: "en_US", components: [{ type: "header", parameters: [] }] },
      { type: "template", template: { name: "hello_world", language: { code: "en_US" }, components: [{ type: "header", parameters: [] }] } },
    ],
    ["template without parameters", { type: "template", name: "hello_world", language: "en_US" }, { type: "template", template: { name: "hello_world", language: { code: "en_US" } } }],
  ];
  it.each(cases)("%s", (_, content, expected) => {
    expect(renderCloudMessage("4915112345678", content)).toEqual({ ...base("4915112345678"), ...expected });
  });

  it("addresses a business-scoped user id in `recipient`, never in `to`", () => {
    const body = renderCloudMessage(BSUID, { type: "text", text: "hi" });
    expect(body).toMatchObject({ recipient: BSUID, biz_opaque_callback_data: `relay-peer:${BSUID}` });
    expect(body).not.toHaveProperty("to");
  });
});

describe("capabilities, recipients and refusals", () => {
  it("declares WhatsApp's limits", () => {
    expect(whatsappCloud.capabilities).toMatchObject({
      maxTextLength: 4096,
      buttons: { max: 3, maxTitleLength: 20, maxTextLength: 1024 },
      list: { maxRows: 10, maxTitleLength: 24 },
      maxCaptionLength: 1024,
      urlButton: { maxTitleLength: 20, maxTextLength: 1024 },
      quotedReplies: true,
      receipts: true,
    });
    expect([...whatsappCloud.capabilities.contentTypes].sort()).toEqual(
      ["audio", "buttons", "document", "image", "list", "location", "reaction", "template", "text", "url_button", "video"],
    );
  });

  it("normalizes phone numbers, keeps business-scoped user ids, refuses the rest", () => {
    expect(whatsappCloud.normalizePeer("+49 (151) 234-5678")).toBe("491512345678");
    expect(whatsappCloud.normalizePeer(BSUID)).toBe(BSUID);
    expect(whatsappCloud.normalizePeer("US.ENT.11815799212886844830")).toBe("US.ENT.11815799212886844830");
    expect(whatsappCloud.normalizePeer("kfisher")).toBeNull();
  });

  it("refuses lists Meta would reject, also when buttons become one", () => {
    const rows = (n: number, id = (i: number) => `r${i}`) => Array.from({ length: n }, (_, i) => ({ id: id(i), title: `Row ${i}` }));
    expect(whatsappCloud.refuse({ type: "list", text: "t", button: "b", sections: [{ rows: rows(1) }, { title: "B", rows: rows(1) }] })).toMatch(/title on every section/);
    expect(whatsappCloud.refuse({ type: "list", text: "t", button: "b", sections: [{ rows: rows(2, () => "x".repeat(201)) }] })).toMatch(/at most 200/);
    const longIds = rows(4, (i) => `${i}${"x".repeat(210)}`).map(({ id, title }) => ({ id, title }));
    expect(whatsappCloud.refuse({ type: "buttons", text: "t", buttons: longIds })).toMatch(/at most 200/);
    expect(whatsappCloud.refuse({ type: "buttons", text: "t", buttons: longIds.slice(0, 3) })).toBeNull();
    expect(whatsappCloud.refuse({ type: "list", text: "t", button: "b", sections: [{ title: "A", rows: rows(3) }, { title: "B", rows: rows(3) }] })).toBeNull();
    expect(whatsappCloud.refuse({ type: "text", text: "hi" })).toBeNull();
  });
});

describe("classifying Graph answers", () => {
  const graph = (code: number, message = "error", details?: string) => ({
    error: { message: `(#${code}) ${message}`, type: "OAuthException", code, ...(details && { error_data: { messaging_product: "whatsapp", details } }), fbtrace_id: "AbC" },
  });
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    classifyCloudSendResponse(new Response(null, { status, headers }), body);

  it("takes the message id of a success", () => {
    expect(answer(200, { messaging_product: "whatsapp", contacts: [{ input: "49", wa_id: "49" }], messages: [{ id: "wamid.X" }] })).toEqual({
      kind: "ok",
      platformMessageId: "wamid.X",
    });
    expect(answer(200, "<html>")).toMatchObject({ kind: "retry" });
  });

  const retries: [string, number, unknown, Record<string, string>, SendResult][] = [
    ["130429 throughput, with Retry-After", 429, graph(130429, "Rate limit hit"), { "retry-after": "3" }, { kind: "retry", afterSeconds: 3, detail: "Graph API answered 429 (code 130429)" }],
    ["131056 pair rate: wait ~6 s", 400, graph(131056, "(Business Account, Consumer Account) pair rate limit hit"), {}, { kind: "retry", afterSeconds: 6, detail: "Graph API answered 400 (code 131056)" }],
    ["4 app rate limit", 400, graph(4, "Application request limit reached"), {}, { kind: "retry", detail: "Graph API answered 400 (code 4)" }],
    ["80007 WABA rate limit", 400, graph(80007, "Rate limit issues"), {}, { kind: "retry", detail: "Graph API answered 400 (code 80007)" }],
    ["133016 registration rate limit", 400, graph(133016), {}, { kind: "retry", detail: "Graph API answered 400 (code 133016)" }],
    ["2 service unavailable", 503, graph(2, "Service temporarily unavailable"), {}, { kind: "retry", detail: "Graph API answered 503 (code 2)" }],
    ["131000 something went wrong", 500, graph(131000, "Something went wrong"), {}, { kind: "retry", detail: "Graph API answered 500 (code 131000)" }],
    ["131016 service unavailable", 400, graph(131016), {}, { kind: "retry", detail: "Graph API answered 400 (code 131016)" }],
    ["an HTML 502", 502, undefined, {}, { kind: "retry", detail: "Graph API answered 502" }],
    ["a 429 without a body, honouring Retry-After", 429, undefined, { "retry-after": "1" }, { kind: "retry", afterSeconds: 1, detail: "Graph API answered 429" }],
  ];
  it.each(retries)("retries %s", (_, status, body, headers, expected) => {
    expect(answer(status, body, headers)).toEqual(expected);
  });

  const failures: [number, number, string][] = [
    [400, 131047, "window_closed"],
    [400, 131026, "recipient_invalid"],
    [400, 131021, "recipient_invalid"],
    [400, 131050, "recipient_blocked"],
    [400, 131048, "rate_limited"],
    [400, 131049, "rate_limited"],
    [401, 190, "auth_failed"],
    [401, 0, "auth_failed"],
    [403, 10, "auth_failed"],
    [403, 200, "auth_failed"],
    [500, 3, "auth_failed"],
    [400, 100, "content_rejected"],
    [400, 131008, "content_rejected"],
    [400, 131009, "content_rejected"],
    [400, 132001, "content_rejected"],
    [400, 132012, "content_rejected"],
    [400, 131051, "unsupported_content"],
    [400, 131062, "unsupported_content"],
    [400, 131052, "media_failed"],
    [400, 131053, "media_failed"],
    [400, 368, "account_disabled"],
    [400, 131031, "account_disabled"],
  ];
  it.each(failures)("fails HTTP %i code %i as %s", (status, code, reason) => {
    expect(answer(status, graph(code, "title", "details"))).toEqual({
      kind: "failed",
      error: { reason, code: String(code), detail: `(#${code}) title: details (fbtrace_id AbC)` },
    });
  });

  it("fails answers without a Graph error by HTTP status", () => {
    expect(answer(401, undefined)).toEqual({ kind: "failed", error: { reason: "auth_failed", code: "401", detail: "Graph API answered 401" } });
    expect(answer(418, "teapot")).toEqual({ kind: "failed", error: { reason: "platform_error", code: "418", detail: "Graph API answered 418" } });
  });
});

describe("sending to the fake Cloud API over loopback", () => {
  const fakeUrl = inject("platformUrls")["whatsapp-cloud"]!;
  const account = WhatsAppCloudAccount.parse(testAccount(fakeUrl));
  const message = (content: OutboundContent) => ({ id: `msg_test_${crypto.randomUUID()}`, content, acceptedAt: new Date().toISOString() });
  const send = (peer: string, content: OutboundContent = { type: "text", text: "hello" }, acct = account) =>
    whatsappCloud.send(message(content), peer, acct, testContext());
  const fake = async <T = FakeCloudState>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${fakeUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body !== undefined && { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    expect(res.ok).toBe(true);
    return (await res.json()) as T;
  };
  /** Puts a file on the fake, as a customer's upload lands on Meta's servers; returns its media id. */
  const upload = async (bytes: Uint8Array | string, type: string, query = ""): Promise<string> => {
    const res = await fetch(`${fakeUrl}/_sandbox/media${query}`, { method: "POST", headers: { "content-type": type }, body: bytes });
    expect(res.ok).toBe(true);
    return ((await res.json()) as { id: string }).id;
  };
  const requestsTo = async (peer: string) =>
    (await fake("/_sandbox/state")).requests.filter((r) => {
      const b = r.body as { to?: string; recipient?: string } | undefined;
      return b?.to === peer || b?.recipient === peer;
    });

  it("sends a text with the bearer token and gets the wamid back", async () => {
    const peer = newPeer();
    const result = await send(peer, { type: "text", text: "Grüße" });
    expect(result).toMatchObject({ kind: "ok", platformMessageId: expect.stringMatching(/^wamid\./) });
    const [request, ...more] = await requestsTo(peer);
    expect(more).toEqual([]);
    expect(request).toMatchObject({
      method: "POST",
      path: `/v23.0/${CLOUD_PHONE_NUMBER_ID}/messages`,
      headers: { authorization: `Bearer ${CLOUD_ACCESS_TOKEN}`, "content-type": "application/json" },
      body: { ...base(peer), type: "text", text: { preview_url: false, body: "Grüße" } },
    });
    const state = await fake("/_sandbox/state");
    expect(state.messages.find((m) => m.to === peer)?.id).toBe(result.kind === "ok" ? result.platformMessageId : "");
  });

  it("every content type renders into a body the fake accepts", async () => {
    const peer = newPeer();
    const contents: OutboundContent[] = [
      { type: "buttons", text: "Pick", buttons: [{ id: "a", title: "A" }, { id: "b", title: "B" }, { id: "c", title: "C" }] },
      { type: "list", text: "Menu", button: "Open", sections: [{ rows: [{ id: "r1", title: "Row 1", description: "d" }] }] },
      { type: "image", url: "https://example.com/a.jpg", caption: "c" },
      { type: "video", url: "https://example.com/a.mp4" },
      { type: "audio", url: "https://example.com/a.ogg" },
      { type: "document", url: "https://example.com/a.pdf", filename: "a.pdf" },
      { type: "location", latitude: 1, longitude: 2, name: "N", address: "A" },
      { type: "template", name: "hello_world", language: "en_US" },
    ];
    for (const content of contents) expect(await send(peer, content), content.type).toMatchObject({ kind: "ok" });
    expect((await fake("/_sandbox/state")).messages.filter((m) => m.to === peer).map((m) => m.type)).toEqual([
      "interactive", "interactive", "image", "video", "audio", "document", "location", "template",
    ]);
  });

  it("sends to a business-scoped user id in `recipient`", async () => {
    const bsuid = `US.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    expect(await send(bsuid)).toMatchObject({ kind: "ok" });
    const [request] = await requestsTo(bsuid);
    expect(request?.body).toMatchObject({ recipient: bsuid, biz_opaque_callback_data: `relay-peer:${bsuid}` });
    expect(request?.body).not.toHaveProperty("to");
  });

  it("fails permanently on the platform's refusals, with their reasons", async () => {
    expect(await send(`0${newPeer()}`)).toMatchObject({ kind: "failed", error: { reason: "recipient_invalid", code: "131026" } });
    expect(await send(`131048${newPeer()}`)).toMatchObject({ kind: "failed", error: { reason: "rate_limited", code: "131048" } });
    const peer = newPeer();
    await fake("/_sandbox/faults", { to: peer, error: { message: "(#131047) Re-engagement message", type: "OAuthException", code: 131047 } });
    expect(await send(peer)).toMatchObject({ kind: "failed", error: { reason: "window_closed", code: "131047" } });
    const wrongToken = { ...account, accessToken: "EAAG-revoked" };
    expect(await send(newPeer(), undefined, wrongToken)).toMatchObject({ kind: "failed", error: { reason: "auth_failed", code: "190" } });
    const tooLong = "x".repeat(4097);
    expect(await send(newPeer(), { type: "text", text: tooLong })).toMatchObject({ kind: "failed", error: { reason: "content_rejected", code: "100" } });
  });

  it("retries throttling and server errors, honouring Retry-After", async () => {
    const peer = newPeer();
    await fake("/_sandbox/faults", { to: peer, status: 429, retryAfter: 1 });
    await fake("/_sandbox/faults", { to: peer, status: 503 });
    await fake("/_sandbox/faults", { to: peer, error: { message: "(#131056) pair rate limit hit", code: 131056 } });
    expect(await send(peer)).toEqual({ kind: "retry", afterSeconds: 1, detail: "Graph API answered 429 (code 130429)" });
    expect(await send(peer)).toEqual({ kind: "retry", detail: "Graph API answered 503 (code 2)" });
    expect(await send(peer)).toEqual({ kind: "retry", afterSeconds: 6, detail: "Graph API answered 400 (code 131056)" });
    expect(await send(peer)).toMatchObject({ kind: "ok" });
    expect(await requestsTo(peer)).toHaveLength(4);
  });

  it("gives up on a platform that never answers, so delivery retries", async () => {
    const peer = newPeer();
    await fake("/_sandbox/faults", { to: peer, hang: true });
    await expect(send(peer, undefined, { ...account, timeoutMs: 200 })).rejects.toThrow();
  });

  it("fetches inbound media in two steps with the bearer token", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(2048));
    const id = await upload(bytes, "image/png");
    const res = await whatsappCloud.fetchMedia(id, account, testContext());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    const steps = (await fake("/_sandbox/state")).requests.filter((r) => r.path.includes(id));
    expect(steps.map((r) => [r.path.split("?")[0], r.headers.authorization])).toEqual([
      [`/v23.0/${id}`, `Bearer ${CLOUD_ACCESS_TOKEN}`],
      ["/whatsapp_business/attachments/", `Bearer ${CLOUD_ACCESS_TOKEN}`],
    ]);
  });

  it("answers 404 for an unknown media id", async () => {
    const res = await whatsappCloud.fetchMedia("999000111", account, testContext());
    expect(res.status).toBe(404);
  });

  it("never sends the token to a media URL on another host", async () => {
    const id = await upload("secret bytes", "text/plain", "?host=localhost");
    const res = await whatsappCloud.fetchMedia(id, account, testContext());
    expect(res.status).toBe(502);
    const paths = (await fake("/_sandbox/state")).requests.filter((r) => r.path.includes(id)).map((r) => r.path.split("?")[0]);
    expect(paths).toEqual([`/v23.0/${id}`]);
  });
});

describe("quoted replies, reactions, URL buttons and actions", () => {
  const WAMID = "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA=";

  it("quotes with context.message_id, never on a reaction", () => {
    expect(renderCloudMessage("4915", { type: "text", text: "ok" }, WAMID)).toEqual({
      ...base("4915"),
      context: { message_id: WAMID },
      type: "text",
      text: { preview_url: false, body: "ok" },
    });
    expect(renderCloudMessage("4915", { type: "reaction", messageId: WAMID, emoji: "😀" }, "wamid.other")).toEqual({
      ...base("4915"),
      type: "reaction",
      reaction: { message_id: WAMID, emoji: "😀" },
    });
  });

  it("renders a URL button as an interactive cta_url message", () => {
    expect(renderCloudMessage("4915", { type: "url_button", text: "Tap to see dates.", title: "See Dates", url: "https://example.com/dates" })).toEqual({
      ...base("4915"),
      type: "interactive",
      interactive: {
        type: "cta_url",
        body: { text: "Tap to see dates." },
        action: { name: "cta_url", parameters: { display_text: "See Dates", url: "https://example.com/dates" } },
      },
    });
    // A label over WhatsApp's 20 characters goes as a text with the link instead.
    const long = { type: "url_button", text: "Dates", title: "See every available date", url: "https://example.com/d" } as const;
    expect(planParts(long, whatsappCloud.capabilities)).toEqual({ parts: [{ type: "text", text: "Dates\n\nSee every available date: https://example.com/d" }] });
  });

  it("marks read, and shows typing with a read receipt, for a given message", () => {
    expect(renderCloudAction({ type: "mark_read", messageId: WAMID })).toEqual({ messaging_product: "whatsapp", status: "read", message_id: WAMID });
    expect(renderCloudAction({ type: "typing_on", messageId: WAMID })).toEqual({
      messaging_product: "whatsapp",
      status: "read",
      message_id: WAMID,
      typing_indicator: { type: "text" },
    });
    expect(renderCloudAction({ type: "typing_on" })).toBeNull();
    expect(renderCloudAction({ type: "typing_off", messageId: WAMID })).toBeNull();
    expect(whatsappCloud.capabilities.actionsNeedMessageId).toEqual(["mark_read", "typing_on"]);
  });

  it("classifies the answer to an action", () => {
    const action = (status: number, body: unknown) => classifyCloudAction(new Response(null, { status }), body);
    expect(action(200, { success: true })).toEqual({ kind: "ok" });
    expect(action(200, "<html>")).toMatchObject({ kind: "retry" });
    expect(action(400, { error: { code: 100, message: "Invalid parameter", error_data: { details: "message_id" } } })).toMatchObject({
      kind: "failed",
      error: { reason: "content_rejected", code: "100" },
    });
    expect(action(429, { error: { code: 130429, message: "Rate limit hit" } })).toMatchObject({ kind: "retry" });
  });

  describe("against the fake Cloud API", () => {
    const fakeUrl = inject("platformUrls")["whatsapp-cloud"]!;
    const account = WhatsAppCloudAccount.parse(testAccount(fakeUrl));
    const state = async () => (await (await fetch(`${fakeUrl}/_sandbox/state`)).json()) as FakeCloudState;

    it("sends a reaction, a quoted reply and a URL button the fake accepts", async () => {
      const peer = newPeer();
      const message = (content: OutboundContent, replyTo?: string) => ({ id: `msg_${crypto.randomUUID()}`, content, acceptedAt: new Date().toISOString(), ...(replyTo && { replyTo }) });
      const contents: [OutboundContent, string?][] = [
        [{ type: "reaction", messageId: WAMID, emoji: "👍" }],
        [{ type: "text", text: "Thanks!" }, WAMID],
        [{ type: "url_button", text: "Your order", title: "Track", url: "https://example.com/o/1" }],
      ];
      for (const [content, replyTo] of contents) {
        expect(await whatsappCloud.send(message(content, replyTo), peer, account, testContext()), content.type).toMatchObject({ kind: "ok" });
      }
      const sent = (await state()).requests.filter((r) => (r.body as { to?: string } | undefined)?.to === peer).map((r) => r.body);
      expect(sent).toMatchObject([
        { type: "reaction", reaction: { message_id: WAMID, emoji: "👍" } },
        { type: "text", context: { message_id: WAMID } },
        { type: "interactive", interactive: { type: "cta_url" } },
      ]);
    });

    it("a second part of a split message does not quote again", async () => {
      const peer = newPeer();
      const message = { id: `msg_${crypto.randomUUID()}`, content: { type: "text", text: "part two" } as OutboundContent, acceptedAt: new Date().toISOString(), replyTo: WAMID };
      expect(await whatsappCloud.send(message, peer, account, { ...testContext(), part: 1 })).toMatchObject({ kind: "ok" });
      const [request] = (await state()).requests.filter((r) => (r.body as { to?: string } | undefined)?.to === peer);
      expect(request!.body).not.toHaveProperty("context");
    });

    it("marks read and shows typing; an unknown message is refused for good", async () => {
      const id = `wamid.${crypto.randomUUID()}`;
      expect(await whatsappCloud.act({ type: "mark_read", messageId: id }, "4915", account)).toEqual({ kind: "ok" });
      expect(await whatsappCloud.act({ type: "typing_on", messageId: id }, "4915", account)).toEqual({ kind: "ok" });
      expect((await state()).reads.filter((r) => r.id === id)).toEqual([
        { id, typing: false },
        { id, typing: true },
      ]);
      expect(await whatsappCloud.act({ type: "mark_read", messageId: "wamid.unknown1" }, "4915", account)).toMatchObject({
        kind: "failed",
        error: { reason: "content_rejected", code: "100" },
      });
    });
  });
});
