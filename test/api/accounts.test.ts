/**
 * The tenant's channel accounts (`/v1/accounts`): every channel validated by its own schema, secrets sealed
 * at rest and never shown again, changes taking effect for sends and webhooks, tenants kept apart.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { registryAccount } from "../../src/registry/directory";
import { TEST_KEYS } from "../support/constants";
import { call, newTenant, send, whatsappAccount } from "../support/tenants";

const telegram = (id: string) => ({ id, channel: "telegram", botToken: "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-secret", secretToken: "telegram-secret-token-1234" });

describe("channel accounts", () => {
  it("need accounts:write", async () => {
    const { key } = await newTenant(["messages:send", "messages:read"]);
    for (const res of [await call("/v1/accounts", { key }), await send("/v1/accounts", telegram("tg-none"), key)]) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "insufficient_scope", requiredScope: "accounts:write" });
    }
  });

  it("are created per channel schema, answered with their webhook URL and secret hints, never a secret", async () => {
    const { id: tenant, key } = await newTenant();
    const wa = whatsappAccount(`wa-${tenant}`, "whatsapp-webhook-secret-abcd");
    const created = await send("/v1/accounts", { ...wa, default: true }, key);
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/v1/accounts/${wa.id}`);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: wa.id,
      channel: "whatsapp",
      default: true,
      source: "api",
      webhookUrl: `https://relay.test/webhooks/whatsapp/${wa.id}`,
      secretHints: { "container.password": `…${wa.container.password.slice(-4)}`, "webhook.secret": "…abcd", "container.transport.clientSecret": expect.stringMatching(/^…/) },
      container: { origin: wa.container.origin, username: wa.container.username, transport: { type: "access", clientId: wa.container.transport.clientId } },
      // No endpoint yet: its events would have nowhere to go, and it is told so.
      warnings: [expect.stringContaining("no endpoint")],
    });
    expect((await send("/v1/accounts", telegram(`tg-${tenant}`), key)).status).toBe(201);

    const listed = await (await call("/v1/accounts", { key })).text();
    const one = await (await call(`/v1/accounts/${wa.id}`, { key })).text();
    for (const text of [JSON.stringify(body), listed, one]) {
      for (const secret of [wa.container.password, wa.webhook.secret, wa.container.transport.clientSecret, telegram("x").botToken, telegram("x").secretToken]) {
        expect(text).not.toContain(secret);
      }
    }
    expect((JSON.parse(listed) as { items: { id: string }[] }).items.map((a) => a.id).sort()).toEqual([`tg-${tenant}`, wa.id].sort());
    // Sealed at rest: the registry's copy opens to the very values given.
    const opened = await registryAccount(env, wa.id);
    expect(opened).toMatchObject({ tenant, account: { container: { password: wa.container.password }, webhook: { secret: wa.webhook.secret } } });
  });

  it("refuse a bad account with every bad field by path, a taken id with 409, an unknown one with 404", async () => {
    const { id: tenant, key } = await newTenant();
    const bad = await send("/v1/accounts", { id: "Bad Id", channel: "telegram", botToken: "nope", secretToken: "short" }, key);
    expect(bad.status).toBe(422);
    const problem = (await bad.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors.map((e) => e.path)).toEqual(expect.arrayContaining(["id", "botToken", "secretToken"]));
    expect((await send("/v1/accounts", { id: "x", channel: "carrier-pigeon" }, key)).status).toBe(422);
    const slow = await send("/v1/accounts", { ...telegram(`tg-rate-${tenant}`), rate: { perSecond: 0 } }, key);
    expect(slow.status).toBe(422);
    expect(((await slow.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain("rate.perSecond");
    const fast = await send("/v1/accounts", { ...telegram(`tg-rate-${tenant}`), rate: { perSecond: 100, perConversationPerSecond: 2 } }, key);
    expect(fast.status).toBe(201);
    expect(await fast.json()).toMatchObject({ rate: { perSecond: 100, perConversationPerSecond: 2 } });

    expect((await send("/v1/accounts", telegram(`tg-${tenant}`), key)).status).toBe(201);
    const taken = await send("/v1/accounts", telegram(`tg-${tenant}`), key);
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ code: "account_exists" });
    // Account ids are global (webhook URLs name them alone): another tenant's id is taken too.
    expect((await send("/v1/accounts", telegram("wa-acme"), key)).status).toBe(409);
    for (const res of [await call("/v1/accounts/nope", { key }), await send("/v1/accounts/nope", {}, key, "PATCH"), await call("/v1/accounts/nope", { key, method: "DELETE" })]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: "account_not_found" });
    }
  });

  it("are patched as JSON merge patches: a secret left out stays, one given replaces it, the result is validated", async () => {
    const { key } = await newTenant();
    const account = telegram(`tg-${crypto.randomUUID().slice(0, 6)}`);
    await send("/v1/accounts", account, key);
    const renamed = await send(`/v1/accounts/${account.id}`, { timeoutMs: 5000 }, key, "PATCH");
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ timeoutMs: 5000, secretHints: { botToken: "…cret" } });
    expect((await registryAccount(env, account.id))?.account).toMatchObject({ botToken: account.botToken, timeoutMs: 5000 });

    const rotated = await send(`/v1/accounts/${account.id}`, { botToken: "123456:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB-new1" }, key, "PATCH");
    expect(await rotated.json()).toMatchObject({ secretHints: { botToken: "…new1", secretToken: "…1234" } });
    expect((await registryAccount(env, account.id))?.account).toMatchObject({ botToken: "123456:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB-new1" });

    const invalid = await send(`/v1/accounts/${account.id}`, { botToken: "nope", timeoutMs: "soon" }, key, "PATCH");
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(["botToken", "timeoutMs"]);
    expect((await send(`/v1/accounts/${account.id}`, { channel: "viber" }, key, "PATCH")).status).toBe(422);
    // Nothing of a refused patch was applied.
    expect((await registryAccount(env, account.id))?.account).toMatchObject({ botToken: "123456:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB-new1", timeoutMs: 5000 });
  });

  it("send from the default account, and an account deleted stops sending and receiving", async () => {
    const { key } = await newTenant();
    const noAccount = await send("/api/v7/chat", { id: "49123123456", message: "Hello world!" }, key);
    expect(noAccount.status).toBe(422);
    expect(await noAccount.json()).toMatchObject({ code: "account_required" });

    const wa = whatsappAccount(`wa-${crypto.randomUUID().slice(0, 6)}`);
    await send("/v1/accounts", wa, key);
    const sent = await send("/api/v7/chat", { id: "49123123456", message: "Hello world!" }, key);
    expect(sent.status).toBe(202);
    expect(await sent.json()).toMatchObject({ conversation: { account: wa.id, channel: "whatsapp" } });

    expect((await call(`/v1/accounts/${wa.id}`, { key, method: "DELETE" })).status).toBe(204);
    expect((await send("/api/v7/chat", { id: "49123123456", message: "again" }, key)).status).toBe(422);
    expect((await call(`/webhooks/whatsapp/${wa.id}?secret=${wa.webhook.secret}`, { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("of another tenant are neither seen nor touched", async () => {
    const { key } = await newTenant();
    for (const res of [
      await call("/v1/accounts/wa-acme", { key }),
      await send("/v1/accounts/wa-acme", { phoneNumber: "+1" }, key, "PATCH"),
      await call("/v1/accounts/wa-acme", { key, method: "DELETE" }),
    ]) {
      expect(res.status).toBe(404);
    }
    const theirs = await send("/v1/messages", { to: "49123123456", account: "wa-acme", content: { type: "text", text: "hi" } }, key);
    expect(theirs.status).toBe(422);
    expect(await theirs.json()).toMatchObject({ code: "unknown_account" });
    // acme's own account is intact.
    expect((await call("/v1/accounts/wa-acme", { key: TEST_KEYS.acmeManager })).status).toBe(200);
  });
});
