import { describe, expect, inject, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config/load";

const valid = () => JSON.parse(inject("relayConfig")) as { tenants: Record<string, any>[]; sandbox?: boolean };

describe("configuration", () => {
  it("loads the test configuration and indexes accounts and keys", () => {
    const config = parseConfig(inject("relayConfig"));
    expect(config.account("wa-acme")?.tenant.id).toBe("acme");
    expect(config.account("wa-globex")?.tenant.id).toBe("globex");
    expect(config.tenant("nobody")).toBeUndefined();
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

  it("reports a missing or malformed RELAY_CONFIG", () => {
    expect(() => parseConfig(undefined)).toThrow(/not set/);
    expect(() => parseConfig("{oops")).toThrow(/not valid JSON/);
  });
});
