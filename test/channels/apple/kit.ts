import { SignJWT } from "jose";
import { expect } from "vitest";
import { classifySendResponse } from "../../../src/channels/apple/errors";
import { fixtures } from "../../support/fixtures";
import type { ChannelKit, PlatformRequest } from "../kit";
import { APPLE_ACCOUNT_ID, APPLE_FIXTURE_PEER, APPLE_MSP_ID, APPLE_MSP_SECRET } from "./account";

/** Apple posts to `<registered URL>/message`. */
export const APPLE_WEBHOOK_PATH = `/webhooks/apple/${APPLE_ACCOUNT_ID}/message`;

const keyOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
/** Another MSP's secret (base64 of 32 bytes), for wrongly signed requests. */
const OTHER_SECRET = btoa("another-msp-secret-0123456789abc");

/** A token as Apple mints one per call: HS256, `aud` = the MSP id, issued now (or at `iat`). */
export function appleToken(options: { secret?: string; audience?: string; iat?: number } = {}): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setAudience(options.audience ?? APPLE_MSP_ID)
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000));
  return jwt.sign(keyOf(options.secret ?? APPLE_MSP_SECRET));
}

/** Gzips a body, as Apple sends every one. */
export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Response(text).body!.pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The routing headers Apple sends with a message, taken from its body. */
export function routingHeaders(json: string): Record<string, string> {
  let m: { id?: unknown; sourceId?: unknown; destinationId?: unknown } = {};
  try {
    m = (JSON.parse(json) as typeof m | null) ?? {};
  } catch {
    // not JSON (property tests send anything): no routing headers
  }
  const header = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return {
    ...(header(m.id) && { id: header(m.id)! }),
    ...(header(m.sourceId) && { "source-id": header(m.sourceId)! }),
    ...(header(m.destinationId) && { "destination-id": header(m.destinationId)! }),
    "device-agent": "iPhone OS",
    "capability-list": "QUICK,LIST,TIME,AUTH,AUTH2,FORM",
  };
}

/** Apple's request for a JSON body: gzipped, with a bearer token made by `token`. */
export async function appleRequest(json: string, token: string | null): Promise<PlatformRequest> {
  return {
    path: APPLE_WEBHOOK_PATH,
    headers: {
      ...routingHeaders(json),
      "content-type": "application/octet-stream",
      ...(token !== null && { authorization: `Bearer ${token}` }),
    },
    body: await gzip(json),
  };
}

const PEER = APPLE_FIXTURE_PEER;
const CUSTOMER = { id: PEER, language: "en_US", identities: [{ kind: "opaque_id", value: PEER }] };
const received = (id: string, content: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "message.received",
  peer: PEER,
  message: { platformMessageId: id, sender: CUSTOMER, content, ...extra },
});
/** A sealed MMCS reference: never the attachment's url, owner, signature or key in the clear. */
const SEALED = expect.stringMatching(/^mmcs1\.[\w-]+$/);
const lifecycle = (type: string, id: string, appleType: string) => [
  { type, peer: PEER, dedupeKey: `${appleType}:${id}`, customer: { id: PEER, identities: [{ kind: "opaque_id", value: PEER }] } },
];

/** What each fixture must yield (shapes from Apple's MSP REST API docs and sample code). */
const facts: ChannelKit["facts"] = {
  text: [
    received("3ef7a1c2-4b6d-4e8f-9a0b-1c2d3e4f5a60", { type: "text", text: "Hi! Is my order 4711 on its way?" }, { referral: { ref: "order-status", source: "support" } }),
  ],
  image: [
    received("b2c7e8d1-0a3f-4c5e-8d9b-6a7f8e9d0c1b", {
      type: "image",
      mediaId: SEALED,
      mimeType: "image/jpeg",
      filename: "IMG_0042.jpeg",
      size: 184213,
      caption: "Here is the damaged box",
    }),
  ],
  video: [received("c3d8f9e2-1b4a-4d6f-9eac-7b8a9fae1d2c", { type: "video", mediaId: SEALED, mimeType: "video/quicktime", size: 2849123 })],
  audio: [received("d4e9a0f3-2c5b-4e7a-8fbd-8c9bab0f2e3d", { type: "audio", mediaId: SEALED, mimeType: "audio/x-caf", size: 41872 })],
  document: [received("e5fab104-3d6c-4f8b-9ace-9dacbc1a3f4e", { type: "document", mediaId: SEALED, filename: "invoice-4711.pdf", size: 91344 })],
  "contact-card": [received("f60bc215-4e7d-4a9c-8bdf-aebdcd2b4a5f", { type: "document", mimeType: "text/vcard", size: 612 })],
  location: [received("071cd326-5f8e-4bad-9ce0-bfcede3c5b60", { type: "location", latitude: 52.520008, longitude: 13.404954, name: "Alexanderplatz" })],
  "quick-reply": [
    received("293ef548-7b0a-4dcf-9e02-d1e0f05e7d82", { type: "reply", id: "return", title: "Return an item", source: "quick_reply" }, { inReplyTo: "6a1f4c7e-2b3d-5e8f-9a0b-c1d2e3f4a5b6" }),
  ],
  "list-picker": [
    received("3a40a659-8c1b-4ed0-8f13-e2f1a16f8e93", { type: "reply", id: "1", title: "Apple", source: "list" }),
    received("3a40a659-8c1b-4ed0-8f13-e2f1a16f8e93", { type: "reply", id: "3", title: "Lettuce", source: "list" }),
  ],
  "time-picker": [received("4b51b76a-9d2c-4fe1-9024-f3a2b2709fa4", { type: "reply", id: "slot-2", title: "2026-12-01T15:00+0000", source: "list" })],
  "typing-start": lifecycle("typing.started", "6d73d98c-bf4e-4b13-9246-15c4d492b1c6", "typing_start"),
  "typing-end": lifecycle("typing.stopped", "7e84ea9d-c05f-4c24-8357-26d5e5a3c2d7", "typing_end"),
  close: lifecycle("conversation.closed", "8f95fbae-d16a-4d35-9468-37e6f6b4d3e8", "close"),
  "interactive-data-ref": [
    received("5c62c87b-ae3d-4a02-8135-04b3c381a0b5", { type: "unsupported", platformType: "interactive", raw: { interactiveDataRef: { size: 48211 } } }),
  ],
  unknown: [received("90a60cbf-e27b-4e46-8579-48f707c5e4f9", { type: "unsupported", platformType: "richLink" })],
};

/** The id the relay sent its message under (Apple answers 200 with an empty body). */
const SENT_ID = "5f0c0a38-6a3c-4e55-9d8e-0d5a4ab0a001";

/**
 * Apple authenticates with a bearer JWT (HS256, base64-decoded MSP secret, `aud` = MSP id) that is not
 * bound to the body: the tampered request is a valid signature over a token for another MSP's audience.
 */
export const appleKit: ChannelKit = {
  channel: "apple",
  accountId: APPLE_ACCOUNT_ID,
  fixtures: fixtures("apple"),
  signed: async (json) => appleRequest(json, await appleToken()),
  // The body must be sync here: send it uncompressed (parse accepts both), without a token.
  unsigned: (json) => ({ path: APPLE_WEBHOOK_PATH, headers: { ...routingHeaders(json), "content-type": "application/json" }, body: json }),
  wronglySigned: async (json) => appleRequest(json, await appleToken({ secret: OTHER_SECRET })),
  tampered: async (json) => appleRequest(json, await appleToken({ audience: "another-msp-id" })),
  facts,
  // Apple sends no delivery or read receipts.
  documentedEvents: ["message.received", "typing.started", "typing.stopped", "conversation.closed"],
  classify: (res, body) => classifySendResponse(res, body, SENT_ID),
  classification: [
    { name: "accepted", status: 200, body: "", expect: { kind: "ok" } },
    { name: "401, a token Apple does not accept", status: 401, body: "", expect: { kind: "failed", reason: "auth_failed" } },
    { name: "403, not this MSP's business", status: 403, body: "", expect: { kind: "failed", reason: "auth_failed" } },
    { name: "404, an opaque id Apple does not know", status: 404, body: "", expect: { kind: "failed", reason: "recipient_invalid" } },
    { name: "410, the customer deleted the conversation", status: 410, body: "", expect: { kind: "failed", reason: "recipient_blocked" } },
    { name: "400, a payload Apple refuses", status: 400, body: "bad request", expect: { kind: "failed", reason: "content_rejected" } },
    { name: "429 with Retry-After", status: 429, headers: { "retry-after": "5" }, body: "", expect: { kind: "retry", afterSeconds: 5 } },
    { name: "503 with Retry-After", status: 503, headers: { "retry-after": "30" }, body: "Service Unavailable", expect: { kind: "retry", afterSeconds: 30 } },
    { name: "an unexpected 418", status: 418, body: "", expect: { kind: "failed", reason: "platform_error" } },
  ],
};
