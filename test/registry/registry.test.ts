/**
 * The registry's own rules, on fresh Durable Objects: RELAY_CONFIG applied declaratively and idempotently
 * beside what the APIs created, and the master key rotated without losing a secret.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { accountContext, applyImport, planImport } from "../../src/registry/config-import";
import { Registry } from "../../src/registry/registry";
import { open, parseKeyring, sealedWith } from "../../src/registry/seal";
import { RegistryStore } from "../../src/registry/store";
import { MASTER_KEY } from "../support/constants";
import { send } from "../support/tenants";

const fresh = () => env.REGISTRY.get(env.REGISTRY.idFromName(`test-${crypto.randomUUID()}`));
const SECRET = "whsec_dGVzdC1lbmRwb2ludC1zZWNyZXQtMDEyMzQ1Njc4OQ==";
const telegram = (id: string, token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") => ({ id, channel: "telegram", botToken: `1:${token}`, secretToken: "telegram-secret-token-1234" });
const tenant = (id: string, accounts: object[], keys: object[] = []) => ({
  id,
  endpoint: { url: `https://${id}.example.com/hook`, secret: SECRET },
  accounts,
  apiKeys: keys,
});
const plan = async (tenants: object[], digest: string) =>
  planImport(parseConfig({ sandbox: false, tenants }).config, digest, await parseKeyring(MASTER_KEY));

describe("RELAY_CONFIG's import", () => {
  it("creates and updates what it declares, removes what it no longer declares, and leaves API rows alone", async () => {
    const first = await plan([tenant("t1", [telegram("a1")], [{ id: "k1", sha256: "1".repeat(64) }]), tenant("t2", [telegram("a2")])], "d1");
    const second = await plan([tenant("t1", [telegram("a1", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")])], "d2");
    await runInDurableObject(fresh(), async (_: Registry, state) => {
      const store = new RegistryStore(state.storage.sql);
      expect(applyImport(store, first, 1)).toEqual([]);
      store.createTenant("t3", "made by the API", 2);
      store.createAccount("t1", "a-api", { channel: "telegram", settings: {}, sealedSecrets: "x", hints: {} }, 2);
      store.createApiKey({ id: "k-api", tenant: "t1", sha256: "2".repeat(64), scopes: ["messages:send"], hint: "…abcd" }, 2);
      expect(store.snapshot(3).tenants.map((t) => [t.id, t.source])).toEqual([["t1", "config"], ["t2", "config"], ["t3", "api"]]);

      expect(applyImport(store, second, 4)).toEqual([]);
      const after = store.snapshot(5);
      expect(after.tenants.map((t) => t.id)).toEqual(["t1", "t3"]);
      expect(after.accounts.map((a) => [a.id, a.source]).sort()).toEqual([["a-api", "api"], ["a1", "config"]]);
      expect(after.keys.map((k) => k.id)).toEqual(["k-api"]);
      expect(after.endpoints.map((e) => `${e.tenant}/${e.id}`)).toEqual(["t1/default"]);
      expect(after.accounts.find((a) => a.id === "a1")?.secretHints.botToken).toBe("…BBBB");
      expect(store.importedDigest()).toBe("d2");
    });
  });

  it("runs once per declaration: an object started again with the same RELAY_CONFIG writes nothing", async () => {
    await runInDurableObject(fresh(), async (registry: Registry, state) => {
      const snapshot = await registry.snapshot();
      expect(snapshot).not.toBe("unchanged");
      const { version, tenants } = snapshot as Exclude<typeof snapshot, "unchanged">;
      expect(tenants.map((t) => t.id)).toEqual(["acme", "globex"]);
      const restarted = new Registry(state, env);
      await state.blockConcurrencyWhile(async () => {});
      expect(await restarted.snapshot(version)).toBe("unchanged");
    });
  });

  it("skips an account or key that another tenant holds, and says which", async () => {
    const taken = await plan([tenant("t9", [telegram("a-taken")], [{ id: "k", sha256: "3".repeat(64) }])], "d3");
    await runInDurableObject(fresh(), async (_: Registry, state) => {
      const store = new RegistryStore(state.storage.sql);
      store.createTenant("owner", "owner", 1);
      store.createAccount("owner", "a-taken", { channel: "telegram", settings: {}, sealedSecrets: "x", hints: {} }, 1);
      store.createApiKey({ id: "k", tenant: "owner", sha256: "3".repeat(64), scopes: [], hint: "" }, 1);
      expect(applyImport(store, taken, 2)).toEqual([
        "account 'a-taken' of tenant 't9' is taken by tenant 'owner'",
        "API key 'k' of tenant 't9' is already key 'k' of tenant 'owner'",
      ]);
      expect(store.account("owner", "a-taken")?.source).toBe("api");
    });
  });
});

describe("master key rotation", () => {
  it("seals every secret again with the new key, after which the old key can go", async () => {
    const next = `test2:${btoa("another-master-key-material-0123")}`;
    await runInDurableObject(fresh(), async (registry: Registry, state) => {
      await registry.createTenant("r1", "R");
      await registry.createAccount("r1", telegram("r-tg") as never, false);
      await registry.createEndpoint("r1", "e1", { url: "https://r1.example.com/hook", timeoutMs: 5000 }, 20);
      await registry.rotateEndpointSecret("r1", "e1");

      const store = new RegistryStore(state.storage.sql);
      // RELAY_CONFIG's accounts and endpoints, and r1's account, endpoint secret and the one it replaced.
      const total = store.sealedValues().length;
      expect(total).toBeGreaterThan(3);
      const rotating = new Registry(state, { ...env, RELAY_MASTER_KEY: `${next},${MASTER_KEY}` });
      expect(await rotating.rotateMasterKey()).toEqual({ resealed: total, current: 0, key: "test2" });
      expect(await rotating.rotateMasterKey()).toEqual({ resealed: 0, current: total, key: "test2" });

      for (const v of store.sealedValues()) expect(sealedWith(v.sealed)).toBe("test2");
      const account = store.account("r1", "r-tg")!;
      const onlyNext = await parseKeyring(next);
      expect(JSON.parse(await open(account.sealedSecrets, accountContext("r1", "r-tg"), onlyNext))).toMatchObject({ botToken: telegram("x").botToken });
      await expect(open(account.sealedSecrets, accountContext("r1", "r-tg"), await parseKeyring(MASTER_KEY))).rejects.toThrow(/sealed with key 'test2'/);
    });
  });

  it("is an operator route", async () => {
    const res = await send("/admin/v1/master-key/rotate", {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: "test1", resealed: 0 });
  });
});
