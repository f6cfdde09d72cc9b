import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hint, KeyringError, open, parseKeyring, seal, sealedWith } from "../../src/registry/seal";

const key = (fill: number) => btoa(String.fromCharCode(...new Uint8Array(32).fill(fill)));

describe("sealed secrets", () => {
  it("seal and open round-trip any text, never showing it, under the ring's current key (property)", async () => {
    const ring = await parseKeyring(`k2:${key(2)},k1:${key(1)}`);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 300 }), fc.string({ maxLength: 40 }), async (secret, context) => {
        const sealed = await seal(secret, context, ring);
        expect(sealedWith(sealed)).toBe("k2");
        if (secret.length >= 4) expect(sealed).not.toContain(secret);
        expect(await open(sealed, context, ring)).toBe(secret);
      }),
      { numRuns: 100 },
    );
  });

  it("a value sealed with a retired key opens while the ring still holds it, and not after", async () => {
    const old = await parseKeyring(`k1:${key(1)}`);
    const sealed = await seal("whsec_old", "tenant/acme/endpoint/e1/secret", old);
    const rotated = await parseKeyring(`k2:${key(2)},k1:${key(1)}`);
    expect(await open(sealed, "tenant/acme/endpoint/e1/secret", rotated)).toBe("whsec_old");
    expect(sealedWith(await seal("whsec_old", "tenant/acme/endpoint/e1/secret", rotated))).toBe("k2");
    await expect(open(sealed, "tenant/acme/endpoint/e1/secret", await parseKeyring(`k2:${key(2)}`))).rejects.toThrow(/sealed with key 'k1'/);
  });

  it("a sealed value moved to another field or tenant, or altered, does not open", async () => {
    const ring = await parseKeyring(`k1:${key(1)}`);
    const sealed = await seal("EAAG-token", "tenant/acme/account/wa/accessToken", ring);
    await expect(open(sealed, "tenant/globex/account/wa/accessToken", ring)).rejects.toBeInstanceOf(KeyringError);
    const flipped = sealed.slice(0, -2) + (sealed.endsWith("A") ? "B" : "A") + sealed.slice(-1);
    await expect(open(flipped, "tenant/acme/account/wa/accessToken", ring)).rejects.toBeInstanceOf(KeyringError);
    await expect(open("plain text", "x", ring)).rejects.toThrow(/not a sealed value/);
  });

  it("refuses a missing or malformed master key, naming the entry, never its value", async () => {
    await expect(parseKeyring(undefined)).rejects.toThrow(/RELAY_MASTER_KEY is not set/);
    for (const bad of ["nocolon", `k1:${btoa("short")}`, "k1:***", `bad id:${key(1)}`, `k1:${key(1)},k1:${key(2)}`]) {
      const error = await parseKeyring(bad).then(() => null, (e: Error) => e);
      expect(error, bad).toBeInstanceOf(KeyringError);
      expect(error!.message).not.toContain(key(1));
    }
  });

  it("shows at most the last four characters", () => {
    expect(hint("whsec_abcdefgh1234")).toBe("…1234");
  });
});
