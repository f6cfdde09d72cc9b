import { fixtures } from "../../support/fixtures";
import type { ChannelKit, PlatformRequest } from "../kit";
import { VIBER_ACCOUNT_ID, VIBER_AUTH_TOKEN } from "./account";

export const VIBER_WEBHOOK_PATH = `/webhooks/viber/${VIBER_ACCOUNT_ID}`;
const json = { "content-type": "application/json" };

/** Lowercase hex HMAC-SHA256 of the body under the bot token, as Viber signs (computed here on its own). */
export async function viberSignature(body: string, token = VIBER_AUTH_TOKEN): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(token), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(body));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The fixture as Viber would send it now: the relay refuses callbacks older than a day as replays, so
 * the (signed) `timestamp` is moved to the present; everything else stays byte for byte.
 */
export function freshViberBody(body: string, now = Date.now()): string {
  return body.replace(/("timestamp"\s*:\s*)\d+/, `$1${now}`);
}

/** A Viber user id (base64 of 16 random bytes, like Viber's) nobody else in the test run uses. */
export function newViberUser(prefix = ""): string {
  return prefix + btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/** A callback signed with `token`, as Viber POSTs it. */
export async function signedViberRequest(body: string, token = VIBER_AUTH_TOKEN): Promise<PlatformRequest> {
  return { path: VIBER_WEBHOOK_PATH, headers: { ...json, "x-viber-content-signature": await viberSignature(body, token) }, body };
}

const all = fixtures("viber");
/** The `webhook` handshake yields no event: the contract's per-fixture checks use every other kind. */
const { webhook: handshakeFixture, ...eventFixtures } = all;

/** Viber signs each callback with HMAC-SHA256 of the raw body, keyed with the bot's auth token. */
export const viberKit: ChannelKit = {
  channel: "viber",
  accountId: VIBER_ACCOUNT_ID,
  fixtures: eventFixtures,
  signed: (body) => signedViberRequest(freshViberBody(body)),
  unsigned: (body) => ({ path: VIBER_WEBHOOK_PATH, headers: json, body: freshViberBody(body) }),
  wronglySigned: (body) => signedViberRequest(freshViberBody(body), `${VIBER_AUTH_TOKEN.slice(0, -1)}0`),
  // Signed, then one byte of the body changed on the way.
  tampered: async (body) => {
    const fresh = freshViberBody(body);
    const request = await signedViberRequest(fresh);
    return { ...request, body: fresh.replace(/"timestamp"\s*:\s*(\d+)/, (_, ts: string) => `"timestamp":${Number(ts) + 1}`) };
  },
  handshake: {
    valid: await signedViberRequest(freshViberBody(handshakeFixture!)),
    expect: "",
    invalid: await signedViberRequest(freshViberBody(handshakeFixture!), "not-the-bot-token-0123456789"),
  },
};
