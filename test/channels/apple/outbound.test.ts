import { testContext } from "../../support/send-context";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, inject, it } from "vitest";
import { normalizeApplePeer, appleBusiness } from "../../../src/channels/apple";
import { planParts } from "../../../src/channels/degrade";
import { AppleAccount } from "../../../src/channels/apple/account";
import { classifyAppleFailure, classifySendResponse } from "../../../src/channels/apple/errors";
import { openAttachmentRef, sealAttachmentRef } from "../../../src/channels/apple/attachment-ref";
import { isAllowedMediaUrl } from "../../../src/channels/apple/media";
import {
  APPLE_BUSINESS_EXTENSION_BID,
  messageUuid,
  renderAttachment,
  renderInteractive,
  renderText,
  renderTyping,
  type AppleEnvelope,
} from "../../../src/channels/apple/outbound";
import { attachmentMimeType, attachmentName } from "../../../src/channels/apple/upload";
import type { OutboundContent } from "../../../src/model";
import type { FakeAppleInboundAttachment, FakeAppleState } from "../../../sandbox/fake-apple.js";
import { APPLE_BUSINESS_ID, APPLE_MSP_ID, testAccount } from "./account";
import { platform } from "../../support/http";

const env: AppleEnvelope = { id: "0c316beb-1111-4222-8333-444455556666", sourceId: "biz", destinationId: "urn:mbid:AQ" };
const answer = (status: number, headers: Record<string, string> = {}, body = "") =>
  classifySendResponse(new Response(null, { status, headers }), body, env.id);

const fakeUrl = () => inject("platformUrls")["apple"]!;
const account = () => AppleAccount.parse(testAccount(fakeUrl()));
const ctx = testContext();
let sends = 0;
/** A customer of its own per test, so that tests running in parallel never see each other's requests. */
const newOpaqueId = (prefix = "") => `urn:mbid:${prefix}AQAA${crypto.randomUUID().replace(/-/g, "")}`;
const send = (content: OutboundContent, peer: string, acc = account()) =>
  appleBusiness.send({ id: `msg_outbound_test_${++sends}_${Date.now()}`, content, acceptedAt: new Date().toISOString() }, peer, acc, ctx);

const control = <T>(path: string, body?: unknown) => platform<T>("apple", path, body);
const messagesTo = async (peer: string) => (await control<FakeAppleState>("/_sandbox/state")).messages.filter((m) => m.headers["destination-id"] === peer);
const requestsTo = async (peer: string) => (await control<FakeAppleState>("/_sandbox/state")).requests.filter((r) => r.headers["destination-id"] === peer);
const base64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
/** Random bytes of any length (getRandomValues gives at most 64 KiB at a time). */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}
const sha256 = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("Apple Messages for Business outbound rendering", () => {
  it("renders a text as Apple's text message, the envelope repeated in the body", () => {
    expect(renderText(env, "Hello")).toEqual({ id: env.id, type: "text", sourceId: "biz", destinationId: "urn:mbid:AQ", v: 1, body: "Hello" });
  });

  it("renders 2 to 5 buttons as quick replies, the text as their summary", () => {
    const content = { type: "buttons" as const, text: "How can we help?", buttons: [{ id: "track", title: "Track" }, { id: "agent", title: "Agent" }] };
    expect(renderInteractive(env, content, "req-1")).toEqual({
      id: env.id,
      type: "interactive",
      sourceId: "biz",
      destinationId: "urn:mbid:AQ",
      v: 1,
      interactiveData: {
        bid: APPLE_BUSINESS_EXTENSION_BID,
        data: {
          "quick-reply": { summaryText: "How can we help?", items: [{ identifier: "track", title: "Track" }, { identifier: "agent", title: "Agent" }] },
          version: "1.0",
          requestIdentifier: "req-1",
        },
      },
    });
  });

  it("renders one button as a one-row list picker (quick replies need two)", () => {
    const body = renderInteractive(env, { type: "buttons", text: "Confirm?", buttons: [{ id: "yes", title: "Yes" }] }, "req-2");
    expect(body.interactiveData).toMatchObject({
      data: { listPicker: { sections: [{ order: 0, multipleSelection: false, items: [{ identifier: "yes", order: 0, style: "default", title: "Yes" }] }] } },
      receivedMessage: { title: "Confirm?" },
    });
  });

  it("renders a list as a list picker: sections in order, descriptions as subtitles, the button label under the title", () => {
    const body = renderInteractive(
      env,
      {
        type: "list",
        text: "Pick a slot",
        button: "Open",
        sections: [
          { title: "Morning", rows: [{ id: "m1", title: "9:00", description: "with Ada" }] },
          { rows: [{ id: "a1", title: "14:00" }] },
        ],
      },
      "req-3",
    );
    expect(body).toMatchObject({ type: "interactive" });
    expect(body.interactiveData).toEqual({
      bid: APPLE_BUSINESS_EXTENSION_BID,
      data: {
        listPicker: {
          sections: [
            { order: 0, title: "Morning", multipleSelection: false, items: [{ identifier: "m1", order: 0, style: "default", title: "9:00", subtitle: "with Ada" }] },
            { order: 1, multipleSelection: false, items: [{ identifier: "a1", order: 0, style: "default", title: "14:00" }] },
          ],
        },
        mspVersion: "1.0",
        requestIdentifier: "req-3",
      },
      receivedMessage: { style: "small", title: "Pick a slot", subtitle: "Open" },
      replyMessage: { style: "small", title: "Pick a slot" },
    });
  });

  it("renders an attachment as a text whose body places it with U+FFFC after the caption", () => {
    const attachment = { name: "a.jpg", mimeType: "image/jpeg", size: "3", "signature-base64": "AQ==", url: "u", owner: "o", key: "00ab" };
    expect(renderAttachment(env, attachment, "Look")).toMatchObject({ type: "text", body: "Look\n\uFFFC", attachments: [attachment] });
    expect(renderAttachment(env, attachment)).toMatchObject({ body: "\uFFFC" });
  });

  it("names and types attachments from the document, the URL or the served type", () => {
    expect(attachmentName({ type: "document", url: "https://x.test/f/abc", filename: "Invoice.pdf" })).toBe("Invoice.pdf");
    expect(attachmentName({ type: "image", url: "https://x.test/p/cat%20photo.png?x=1" })).toBe("cat photo.png");
    expect(attachmentName({ type: "audio", url: "https://x.test/" })).toBe("audio");
    expect(attachmentMimeType("image/png; charset=binary", "x")).toBe("image/png");
    expect(attachmentMimeType("application/octet-stream", "clip.MOV")).toBe("video/quicktime");
    expect(attachmentMimeType(null, "noext")).toBe("application/octet-stream");
  });

  it("gives each part of a relay message a stable name-based UUID (v5), so retries carry the same id", async () => {
    const a = await messageUuid("msg_1", 0);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await messageUuid("msg_1", 0)).toBe(a);
    expect(await messageUuid("msg_1", 1)).not.toBe(a);
    expect(await messageUuid("msg_2", 0)).not.toBe(a);
  });

  it("classifies Apple's answers", () => {
    expect(answer(200)).toEqual({ kind: "ok", platformMessageId: env.id });
    expect(answer(429, { "retry-after": "7" })).toEqual({ kind: "retry", afterSeconds: 7, detail: "Apple answered 429" });
    expect(answer(503)).toMatchObject({ kind: "retry" });
    expect(answer(500, {}, "oops")).toEqual({ kind: "retry", detail: "Apple answered 500: oops" });
    expect(answer(408)).toMatchObject({ kind: "retry" });
    expect(answer(400, {}, "bad payload")).toEqual({
      kind: "failed",
      error: { reason: "content_rejected", code: "400", detail: "Apple answered 400: bad payload" },
    });
    expect(answer(413)).toMatchObject({ error: { reason: "content_rejected", code: "413" } });
    expect(answer(401)).toMatchObject({ error: { reason: "auth_failed", code: "401" } });
    expect(answer(403)).toMatchObject({ error: { reason: "auth_failed", code: "403" } });
    expect(answer(404)).toMatchObject({ error: { reason: "recipient_invalid", code: "404" } });
    expect(answer(410)).toMatchObject({ error: { reason: "recipient_blocked", code: "410" } });
    expect(answer(418)).toMatchObject({ kind: "failed", error: { reason: "platform_error", code: "418" } });
    const media = (status: number) => classifyAppleFailure(new Response(null, { status }), "", "media");
    expect(media(400)).toMatchObject({ error: { reason: "media_failed" } });
    expect(media(404)).toMatchObject({ error: { reason: "media_failed" } });
    expect(media(401)).toMatchObject({ error: { reason: "auth_failed" } });
    expect(media(502)).toMatchObject({ kind: "retry" });
  });

  it("accepts only Apple's opaque ids as recipients", () => {
    expect(normalizeApplePeer(" urn:mbid:AQAAY45PVG4jg/ni+q6r= ")).toBe("urn:mbid:AQAAY45PVG4jg/ni+q6r=");
    expect(normalizeApplePeer("491701234567")).toBeNull();
    expect(normalizeApplePeer("urn:mbid:")).toBeNull();
    expect(normalizeApplePeer("urn:mbid:has space")).toBeNull();
    expect(normalizeApplePeer(`urn:mbid:${"A".repeat(260)}`)).toBeNull();
  });

  it("fetches media only from Apple's hosts or the configured gateway", () => {
    const acc = AppleAccount.parse(testAccount("http://127.0.0.1:4000"));
    expect(isAllowedMediaUrl("https://cvws.icloud-content.com/B/abc", acc)).toBe(true);
    expect(isAllowedMediaUrl("https://p47-content.icloud.com/M1", acc)).toBe(true);
    expect(isAllowedMediaUrl("http://127.0.0.1:4000/mmcs/download/x", acc)).toBe(true);
    expect(isAllowedMediaUrl("http://cvws.icloud-content.com/B/abc", acc)).toBe(false);
    expect(isAllowedMediaUrl("https://icloud-content.com.evil.test/x", acc)).toBe(false);
    expect(isAllowedMediaUrl("http://127.0.0.1:4001/x", acc)).toBe(false);
    expect(isAllowedMediaUrl(42, acc)).toBe(false);
  });
});

describe("Apple Messages for Business sends, against the fake gateway", () => {
  it("sends a text with Apple's headers and a fresh MSP token", async () => {
    const peer = newOpaqueId();
    const result = await send({ type: "text", text: "Your order ships today." }, peer);
    expect(result.kind).toBe("ok");
    const [sent, ...more] = await messagesTo(peer);
    expect(more).toEqual([]);
    expect(result).toEqual({ kind: "ok", platformMessageId: sent!.id });
    expect(sent!.headers).toMatchObject({ "source-id": APPLE_BUSINESS_ID, "destination-id": peer, id: sent!.id, "content-type": "application/json" });
    expect(sent!.body).toEqual({ id: sent!.id, type: "text", sourceId: APPLE_BUSINESS_ID, destinationId: peer, v: 1, body: "Your order ships today." });
    const token = sent!.headers.authorization!.replace(/^Bearer /, "");
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "HS256" });
    expect(decodeJwt(token)).toMatchObject({ iss: APPLE_MSP_ID });
  });

  it("sends quick replies and list pickers the fake (like Apple) accepts", async () => {
    const peer = newOpaqueId();
    expect(await send({ type: "buttons", text: "Pick", buttons: [{ id: "a", title: "A" }, { id: "b", title: "B" }] }, peer)).toMatchObject({ kind: "ok" });
    expect(
      await send({ type: "list", text: "Menu", button: "Open", sections: [{ title: "All", rows: [{ id: "r1", title: "Row 1" }] }] }, peer),
    ).toMatchObject({ kind: "ok" });
    const sent = await messagesTo(peer);
    expect(sent.map((m) => Object.keys((m.body.interactiveData as { data: object }).data)[0])).toEqual(["quick-reply", "listPicker"]);
  });

  it("uploads media encrypted through preUpload and MMCS, and the attachment decrypts to the file", async () => {
    const peer = newOpaqueId();
    const bytes = randomBytes(5000);
    const { url } = await control<{ url: string }>("/_sandbox/files", { data: base64(bytes), name: `photo-${Date.now()}.png`, mimeType: "image/png" });
    const result = await send({ type: "image", url, caption: "The new colour" }, peer);
    expect(result.kind).toBe("ok");
    const [sent] = await messagesTo(peer);
    expect(sent!.body).toMatchObject({ type: "text", body: "The new colour\n\uFFFC" });
    expect(sent!.attachments).toEqual([{ name: url.split("/").pop(), mimeType: "image/png", size: 5000, sha256: await sha256(bytes) }]);
    const preUpload = (await control<FakeAppleState>("/_sandbox/state")).requests.find(
      (r) => r.path === "/v1/preUpload" && r.headers.authorization === sent!.headers.authorization,
    );
    expect(preUpload?.headers).toMatchObject({ "source-id": APPLE_BUSINESS_ID, "mmcs-size": "5000" });
  });

  it("fails media it cannot fetch with media_failed, before calling Apple", async () => {
    const peer = newOpaqueId();
    const result = await send({ type: "document", url: `${fakeUrl()}/files/missing.pdf`, filename: "missing.pdf" }, peer);
    expect(result).toMatchObject({ kind: "failed", error: { reason: "media_failed", code: "404" } });
    expect(await messagesTo(peer)).toEqual([]);
  });

  it.each([
    ["UNKNOWN", "recipient_invalid", "404"],
    ["GONE", "recipient_blocked", "410"],
  ])("a %s recipient fails with %s", async (prefix, reason, code) => {
    const result = await send({ type: "text", text: "hello?" }, newOpaqueId(prefix));
    expect(result).toMatchObject({ kind: "failed", error: { reason, code } });
  });

  it("a token signed with the wrong secret fails with auth_failed", async () => {
    const wrong = AppleAccount.parse({ ...testAccount(fakeUrl()), mspSecret: btoa("not-the-msp-secret-at-all-012345") });
    expect(await send({ type: "text", text: "hi" }, newOpaqueId(), wrong)).toMatchObject({ kind: "failed", error: { reason: "auth_failed", code: "401" } });
  });

  it("throttling and server errors are retried, honouring Retry-After", async () => {
    const peer = newOpaqueId();
    await control("/_sandbox/faults", { status: 429, retryAfter: 1, count: 1, path: "/v1/message", destination: peer });
    await control("/_sandbox/faults", { status: 503, count: 1, path: "/v1/message", destination: peer });
    expect(await send({ type: "text", text: "one" }, peer)).toMatchObject({ kind: "retry", afterSeconds: 1, detail: expect.stringMatching(/429/) });
    expect(await send({ type: "text", text: "one" }, peer)).toMatchObject({ kind: "retry", detail: expect.stringMatching(/503/) });
    expect(await send({ type: "text", text: "one" }, peer)).toMatchObject({ kind: "ok" });
    expect(await requestsTo(peer)).toHaveLength(3);
    expect(await messagesTo(peer)).toHaveLength(1);
  });

  it("streams an inbound attachment decrypted, through preDownload", async () => {
    // Larger than one stream chunk and not a whole number of AES blocks: decryption must carry over.
    const bytes = randomBytes(200_003);
    const a = await control<FakeAppleInboundAttachment>("/_sandbox/attachments", { data: base64(bytes), mimeType: "video/mp4", name: "clip.mp4" });
    const mediaId = await sealAttachmentRef({ url: a.url, owner: a.owner, signature: base64(Uint8Array.from(a.signature.match(/../g)!, (h) => parseInt(h, 16))), key: a.key, mimeType: a.mimeType, name: a.name }, account());
    const res = await appleBusiness.fetchMedia(mediaId, account(), testContext());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("content-disposition")).toContain('filename="clip.mp4"');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    const ref = (await openAttachmentRef(mediaId, account()))!;
    expect((await appleBusiness.fetchMedia(await sealAttachmentRef({ ...ref, url: `${ref.url}x` }, account()), account(), testContext())).status).toBe(404);
    // The reference in the clear (what a mediaId held before it was sealed) names nothing.
    expect((await appleBusiness.fetchMedia(JSON.stringify(ref), account(), testContext())).status).toBe(404);
    expect((await appleBusiness.fetchMedia("not a reference", account(), testContext())).status).toBe(404);
  });
});

describe("Apple Messages for Business typing indicators, URL buttons and quotes", () => {
  it("renders typing as typing_start and typing_end messages with the envelope", () => {
    expect(renderTyping(env, true)).toEqual({ id: env.id, type: "typing_start", sourceId: "biz", destinationId: "urn:mbid:AQ", v: 1 });
    expect(renderTyping(env, false)).toMatchObject({ type: "typing_end" });
    expect(appleBusiness.capabilities.actions).toEqual(["typing_on", "typing_off"]);
  });

  it("has no URL button or reactions: a URL button is its text with the link, a reaction is refused", () => {
    expect(planParts({ type: "url_button", text: "Your order", title: "Track", url: "https://example.com/o/1" }, appleBusiness.capabilities)).toEqual({
      parts: [{ type: "text", text: "Your order\n\nTrack: https://example.com/o/1" }],
    });
    expect(planParts({ type: "reaction", messageId: "x", emoji: "👍" }, appleBusiness.capabilities)).toHaveProperty("refused");
  });

  it("the fake gateway takes typing on and off; a quoted text goes without its quote", async () => {
    const peer = newOpaqueId();
    expect(await appleBusiness.act({ type: "typing_on" }, peer, account())).toEqual({ kind: "ok" });
    expect(await appleBusiness.act({ type: "typing_off" }, peer, account())).toEqual({ kind: "ok" });
    const quoted = { id: `msg_quote_${Date.now()}`, content: { type: "text", text: "hi" } as OutboundContent, acceptedAt: new Date().toISOString(), replyTo: "some-id" };
    expect(await appleBusiness.send(quoted, peer, account(), ctx)).toMatchObject({ kind: "ok" });
    const sent = await messagesTo(peer);
    expect(sent.map((m) => m.body.type)).toEqual(["typing_start", "typing_end", "text"]);
    expect(sent[0]!.headers).toMatchObject({ "source-id": APPLE_BUSINESS_ID, "destination-id": peer, id: sent[0]!.body.id });
    expect(JSON.stringify(sent[2]!.body)).not.toContain("some-id");
  });

  it("a customer who left answers typing with a permanent failure", async () => {
    expect(await appleBusiness.act({ type: "typing_on" }, newOpaqueId("GONE"), account())).toMatchObject({ kind: "failed" });
  });
});
