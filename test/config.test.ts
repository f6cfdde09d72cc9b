import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config/load";
import { registryAccount, registryTenant } from "../src/registry/directory";

const valid = () => JSON.parse(inject("relayConfig")) as { tenants: Record<string, any>[]; sandbox?: boolean };

describe("configuration", () => {
  it("is imported into the registry: tenants with their accounts, secrets opened only where they are used", async () => {
    expect((await registryAccount(env, "wa-acme"))?.tenant).toBe("acme");
    expect((await registryAccount(env, "wa-globex"))?.tenant).toBe("globex");
    expect((await registryTenant(env, "acme"))?.defaultAccount).toBe("wa-acme");
    expect(await registryTenant(env, "nobody")).toBeUndefined();
  });

  it("fails loudly with the path of the bad field, never its value", () => {
    const c = valid();
    c.tenants[0]!.accounts[0].container.origin = "not a url";
    c.tenants[1]!.endpoint.secret = "hunter2";
    expect(() => parseConfig(c)).toThrow(ConfigError);
    try {
      parseConfig(c);
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain("tenants[0].accounts[0].container.origin");
      expect(message).toContain("tenants[1].endpoint.secret");
      expect(message).not.toContain("hunter2");
    }
  });

  it("refuses account ids used twice, a default account that does not exist, and http endpoints outside the sandbox", () => {
    const c = valid();
    c.tenants[1]!.accounts[0].id = "wa-acme";
    c.tenants[0]!.defaultAccount = "wa-nowhere";
    c.sandbox = false;
    const message = (() => {
      try {
        parseConfig(c);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toContain("tenants[1].accounts[0].id: account id 'wa-acme' is already used by tenant 'acme'");
    expect(message).toContain("tenants[0].defaultAccount");
    expect(message).toContain("tenants[0].endpoint.url: must be https");
  });

  it("is optional: without it every setting has its default and there are no tenants to import; malformed, it is reported", () => {
    for (const none of [undefined, "", " "]) {
      expect(parseConfig(none).config).toMatchObject({ sandbox: false, tenants: [], auth: {}, dnsResolverUrl: "https://cloudflare-dns.com/dns-query" });
    }
    expect(() => parseConfig("{oops")).toThrow(/not valid JSON/);
  });
});
