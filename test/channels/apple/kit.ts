import { SignJWT } from "jose";
import { fixtures } from "../../support/fixtures";
import type { ChannelKit, PlatformRequest } from "../kit";
import { APPLE_ACCOUNT_ID, APPLE_MSP_ID, APPLE_MSP_SECRET } from "./account";

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
};
