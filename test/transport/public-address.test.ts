import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { addressProblem, hostProblem, isLoopback, parseIpv6, resolvedHostProblem } from "../../src/transport/public-address";

/** Every spelling an attacker might give a host, as the URL parser sees it. */
const hostnameOf = (spelling: string) => new URL(`https://${spelling}/`).hostname;

describe("public addresses", () => {
  it("knows private, loopback, link-local, shared, documentation and reserved addresses", () => {
    const notPublic = [
      "10.0.0.1", "127.0.0.1", "127.255.255.254", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.168.1.1",
      "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.0.8", "192.0.2.1", "198.18.0.1",
      "198.51.100.7", "203.0.113.9", "::1", "::", "fd00::1", "fe80::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:a9fe:a9fe",
      "::ffff:7f00:1", "::7f00:1", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "2001:db8::1", "2001::1", "100::1", "fec0::1",
      "[::1]", "[fe80::1%25eth0]",
    ];
    for (const a of notPublic) expect(addressProblem(a), a).not.toBeNull();
    for (const a of ["93.184.216.34", "172.32.0.1", "100.128.0.1", "8.8.8.8", "2606:2800:220:1::248", "64:ff9b::808:808", "2002:808:808::1"]) {
      expect(addressProblem(a), a).toBeNull();
    }
  });

  it("sees through every spelling of an internal address the URL parser accepts", () => {
    for (const spelling of [
      "169.254.169.254", "0xa9.0xfe.0xa9.0xfe", "2852039166", "0251.0376.0251.0376", "169.254.43518", "[::ffff:169.254.169.254]",
      "[::ffff:a9fe:a9fe]", "[0:0:0:0:0:ffff:a9fe:a9fe]", "127.1", "0x7f000001", "[::]", "[0::1]", "localhost.", "LOCALHOST",
      "metadata.google.internal", "metadata.google.internal.", "printer.local", "api.localhost", "intranet", "db.corp",
    ]) {
      expect(hostProblem(hostnameOf(spelling)), spelling).not.toBeNull();
    }
    expect(hostProblem(hostnameOf("hooks.example.com"))).toBeNull();
  });

  it("refuses any IPv4 address in a special-purpose block, however it is written (property)", () => {
    const blocks: [number, number][] = [[0x0a000000, 8], [0x7f000000, 8], [0xa9fe0000, 16], [0xac100000, 12], [0xc0a80000, 16], [0x64400000, 10], [0xe0000000, 3]];
    fc.assert(
      fc.property(fc.constantFrom(...blocks), fc.nat(), fc.constantFrom("dotted", "decimal", "hex", "mapped"), ([base, bits], r, form) => {
        const n = base + (r % 2 ** (32 - bits));
        const octets = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
        const spelling =
          form === "dotted" ? octets.join(".") : form === "decimal" ? String(n) : form === "hex" ? `0x${n.toString(16)}` : `[::ffff:${octets.join(".")}]`;
        expect(hostProblem(hostnameOf(spelling)), spelling).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("parses every textual form of an IPv6 address to the same groups (property)", () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const groups = parseIpv6(address);
        expect(groups, address).not.toBeNull();
        expect(parseIpv6(hostnameOf(`[${address}]`)), address).toEqual(groups);
      }),
      { numRuns: 300 },
    );
  });

  it("knows loopback in its spellings (the sandbox allows it)", () => {
    for (const h of ["localhost", "127.0.0.1", "127.9.9.9", "[::1]", "api.localhost", "localhost."]) expect(isLoopback(h), h).toBe(true);
    for (const h of ["10.0.0.1", "example.com", "[::2]", "localhost.example.com"]) expect(isLoopback(h), h).toBe(false);
  });

  it("refuses local names and address literals when configuration loads", () => {
    const config = JSON.parse(inject("relayConfig"));
    config.sandbox = false;
    config.tenants[0].endpoint.url = "https://10.0.0.8/hooks";
    config.tenants[1].endpoint.url = "https://localhost/hooks";
    expect(() => parseConfig(config)).toThrow(/tenants\[0\]\.endpoint\.url: 10\.0\.0\.8 is not a public address[\s\S]*tenants\[1\]\.endpoint\.url: localhost is a local name/);
  });

  it("resolves host names over DNS-over-HTTPS and refuses any private answer", async () => {
    const resolver = inject("dnsResolverUrl");
    expect(await resolvedHostProblem("public.test", resolver)).toBeNull();
    expect(await resolvedHostProblem("private.test", resolver)).toBe("private.test resolves to 10.1.2.3, not a public address");
    expect(await resolvedHostProblem("metadata.test", resolver)).toMatch(/169\.254\.169\.254/);
    expect(await resolvedHostProblem("nowhere.test", resolver)).toBe("nowhere.test does not resolve");
    await expect(resolvedHostProblem("public2.test", `${inject("backendUrl")}/not-a-resolver`)).rejects.toThrow(/could not resolve public2\.test: answered 405/);
  });
});
