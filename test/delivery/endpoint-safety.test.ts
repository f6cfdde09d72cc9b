import { describe, expect, inject, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { addressProblem, hostProblem, resolvedHostProblem } from "../../src/transport/endpoint-safety";

describe("endpoint safety", () => {
  it("knows private, loopback, link-local and reserved addresses", () => {
    for (const a of ["10.0.0.1", "127.0.0.1", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1"]) {
      expect(addressProblem(a), a).not.toBeNull();
    }
    for (const a of ["93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::248", "::ffff:8.8.8.8"]) {
      expect(addressProblem(a), a).toBeNull();
    }
  });

  it("refuses local names and address literals when configuration loads", () => {
    for (const h of ["localhost", "api.localhost", "printer.local", "db.internal", "intranet", "10.0.0.1"]) {
      expect(hostProblem(h), h).not.toBeNull();
    }
    expect(hostProblem("hooks.example.com")).toBeNull();
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
    await expect(resolvedHostProblem("public2.test", `${inject("backendUrl")}/not-a-resolver`)).rejects.toThrow(/DNS resolver answered 405/);
  });
});
