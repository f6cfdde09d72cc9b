/**
 * Webhook signing (WebCrypto) against the Standard Webhooks reference library: whatever the id, body
 * and secrets, the library's verifier accepts what the relay signs, and refuses it once tampered with;
 * secrets decode to the same key as the library decodes them, or are refused as it refuses them.
 */
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { SIGNING_KEY_CACHE_SIZE, secretKeyBytes, signWebhook } from "../../src/delivery/signing";

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** A secret as endpoints hold them: `whsec_` and base64 of 3 to 64 random bytes (or the bare base64, or unpadded). */
const secret = fc
  .record({ key: fc.uint8Array({ minLength: 3, maxLength: 64 }), prefixed: fc.boolean(), padded: fc.boolean() })
  .map(({ key, prefixed, padded }) => `${prefixed ? "whsec_" : ""}${padded ? toBase64(key) : toBase64(key).replace(/=+$/, "")}`);
const id = fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), fc.constantFrom("evt_0123456789abcdef0123456789abcdef", "msg_p5jXN8AQM9LWM0D4loKWxJek"));
const body = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null"),
  fc.constantFrom("", "{}", "\ud800", "a\u0000b"),
);
/** Within the verifier's five minutes of tolerance. */
const now = fc.integer({ min: -240, max: 240 }).map((s) => new Date(Date.now() + s * 1000));

/** What the library's verifier says of a delivery: undefined when it accepts, its error message otherwise. */
function verdict(secretOf: string, payload: string, headers: Record<string, string>): string | undefined {
  try {
    new Webhook(secretOf).verify(payload, headers, { jsonParse: false });
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

describe("signWebhook", () => {
  it("signs the reference vector of Standard Webhooks", async () => {
    const headers = await signWebhook(
      ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      '{"test": 2432232314}',
      new Date(1614265330 * 1000),
    );
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("is what the library's verifier accepts, for one secret, and refuses once the body is changed", async () => {
    await fc.assert(
      fc.asyncProperty(secret, id, body, now, async (s, i, b, at) => {
        const headers = await signWebhook([s], i, b, at);
        expect(headers["webhook-id"]).toBe(i);
        expect(headers["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
        expect(headers["webhook-signature"]).toBe(new Webhook(s).sign(i, at, b));
        expect(verdict(s, b, headers)).toBeUndefined();
        expect(verdict(s, `${b} `, headers)).toBe("No matching signature found");
        expect(verdict(s, b.slice(0, -1), headers) === undefined).toBe(b === "");
      }),
      { numRuns: 300 },
    );
  });

  it("carries one signature per secret, each verifying on its own, and none for another secret", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(secret, { minLength: 3, maxLength: 3, selector: (s) => toBase64(secretKeyBytes(s)) }), id, body, now, async ([a, b, other], i, payload, at) => {
        const headers = await signWebhook([a!, b!], i, payload, at);
        expect(headers["webhook-signature"]).toBe(`${new Webhook(a!).sign(i, at, payload)} ${new Webhook(b!).sign(i, at, payload)}`);
        expect(verdict(a!, payload, headers)).toBeUndefined();
        expect(verdict(b!, payload, headers)).toBeUndefined();
        expect(verdict(other!, payload, headers)).toBe("No matching signature found");
        expect(verdict(a!, `${payload}x`, headers)).toBe("No matching signature found");
        expect(verdict(b!, `${payload}x`, headers)).toBe("No matching signature found");
      }),
      { numRuns: 150 },
    );
  });

  it("refuses a timestamp or an id other than the one signed", async () => {
    const s = "whsec_dGVzdC1lbmRwb2ludC1zZWNyZXQtMDEyMzQ1Njc4OQ==";
    const headers = await signWebhook([s], "evt_1", "{}");
    expect(verdict(s, "{}", headers)).toBeUndefined();
    expect(verdict(s, "{}", { ...headers, "webhook-id": "evt_2" })).toBe("No matching signature found");
    expect(verdict(s, "{}", { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 1) })).toBe("No matching signature found");
  });

  it("decodes a secret exactly as the library does, or refuses it as the library does", async () => {
    const table = [
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "whsec_AAAA",
      "whsec_AAAAA",
      "whsec_AAAA!",
      "whsec_AAAAA=",
      "whsec_AAAAAA=",
      "whsec_AB==",
      "whsec_QR==",
      "whsec_A===",
      "whsec_AA=A",
      "whsec_====",
      "whsec_AAA",
      "whsec_AA==",
      "whsec_",
      "",
      "whsec_whsec_AAAA",
      "WHSEC_AAAA",
      "whsec_AAAA AAAA",
      "whsec_-_-_",
      "whsec_AAAA\n",
      "whsec_\u00ff\u00ff\u00ff\u00ff",
    ];
    const alphabet = fc.constantFrom(..."AQgw+/=_-! \n\u00e9whsec".split(""));
    const arbitrarySecret = fc.oneof(fc.string({ unit: alphabet, maxLength: 12 }), fc.string({ unit: alphabet, maxLength: 12 }).map((s) => `whsec_${s}`));
    const check = async (s: string) => {
      const at = new Date(1_700_000_000_000);
      let expected: string;
      try {
        expected = new Webhook(s).sign("evt_1", at, "{}");
      } catch {
        await expect(signWebhook([s], "evt_1", "{}", at), JSON.stringify(s)).rejects.toThrow();
        expect(() => secretKeyBytes(s)).toThrow();
        return;
      }
      expect((await signWebhook([s], "evt_1", "{}", at))["webhook-signature"], JSON.stringify(s)).toBe(expected);
    };
    for (const s of table) await check(s);
    await fc.assert(fc.asyncProperty(arbitrarySecret, check), { numRuns: 500 });
  });

  it("signs with no secret as it did: an empty signature header", async () => {
    expect((await signWebhook([], "evt_1", "{}"))["webhook-signature"]).toBe("");
  });

  it("still signs right past its bound of cached keys, and again after a secret was evicted", async () => {
    const secrets = Array.from({ length: SIGNING_KEY_CACHE_SIZE * 2 + 1 }, (_, n) => `whsec_${toBase64(new TextEncoder().encode(`secret number ${n}`))}`);
    const at = new Date();
    for (const s of [...secrets, ...secrets.slice(0, 3)]) {
      expect((await signWebhook([s], "evt_1", "{}", at))["webhook-signature"]).toBe(new Webhook(s).sign("evt_1", at, "{}"));
    }
    const parallel = await Promise.all(secrets.slice(0, 20).map((s) => signWebhook([s, s], "evt_2", "[]", at)));
    parallel.forEach((h, n) => expect(h["webhook-signature"]).toBe(`${new Webhook(secrets[n]!).sign("evt_2", at, "[]")} ${new Webhook(secrets[n]!).sign("evt_2", at, "[]")}`));
  });
});
