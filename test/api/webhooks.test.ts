import { SELF } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { WEBHOOK_SECRET } from "../support/constants";
import { whatsappCloudKit } from "../channels/whatsapp-cloud/kit";
import { fixture } from "../support/fixtures";
import { endpointRows, endpointTotal } from "../support/outboxes";

const BASE = "https://relay.test";
const stored = (tenant: string) => endpointTotal(tenant);

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return SELF.fetch(BASE + path, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
}

/** A text message with a fresh id, so that each test's event is new. */
function freshText(): string {
  return fixture("whatsapp", "text").replace("ABGGFlA5FpafAgo6EhgL0gHNV4SSgP9a2mjh", `ABGG${crypto.randomUUID()}`);
}

describe("WhatsApp On-Premises webhook authentication", () => {
  it("stores the events of an authenticated request, then answers 200", async () => {
    const before = await stored("acme");
    const res = await post(`/webhooks/whatsapp/wa-acme?secret=${WEBHOOK_SECRET}`, freshText());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 1, skipped: 0 });
    expect(await stored("acme")).toBe(before + 1);
  });

  it("accepts the secret as a bearer token too", async () => {
    const res = await post("/webhooks/whatsapp/wa-acme", freshText(), { authorization: `Bearer ${WEBHOOK_SECRET}` });
    expect(res.status).toBe(200);
  });

  it("refuses a missing or wrong secret with 401 and stores nothing", async () => {
    const before = await stored("acme");
    for (const path of ["/webhooks/whatsapp/wa-acme", `/webhooks/whatsapp/wa-acme?secret=${WEBHOOK_SECRET}x`, "/webhooks/whatsapp/wa-acme?secret="]) {
      const res = await post(path, freshText());
      expect(res.status, path).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await stored("acme")).toBe(before);
  });

  it("does not let one tenant's secret open another tenant's account", async () => {
    // Both test tenants use the same secret value; the account in the path decides the tenant.
    const before = await stored("globex");
    const res = await post(`/webhooks/whatsapp/wa-globex?secret=${WEBHOOK_SECRET}`, freshText());
    expect(res.status).toBe(200);
    expect(await stored("globex")).toBe(before + 1);
  });

  it("requires a valid Cloudflare Access assertion where the account says so", async () => {
    const path = `/webhooks/whatsapp/wa-acme-access?secret=${WEBHOOK_SECRET}`;
    const before = await stored("acme");
    expect((await post(path, freshText())).status).toBe(401);
    expect((await post(path, freshText(), { "cf-access-jwt-assertion": inject("accessAssertionWrongAudience") })).status).toBe(401);
    expect((await post(path, freshText(), { "cf-access-jwt-assertion": "e30.e30.sig" })).status).toBe(401);
    expect(await stored("acme")).toBe(before);
    const ok = await post(path, freshText(), { "cf-access-jwt-assertion": inject("accessAssertion") });
    expect(ok.status).toBe(200);
    expect(await stored("acme")).toBe(before + 1);
  });

  it("answers 404 for unknown channels and accounts, and for an account of another channel path", async () => {
    expect((await post(`/webhooks/whatsapp/nope?secret=${WEBHOOK_SECRET}`, freshText())).status).toBe(404);
    expect((await post(`/webhooks/carrier-pigeon/wa-acme?secret=${WEBHOOK_SECRET}`, freshText())).status).toBe(404);
  });

  it("acknowledges a redelivered message without storing it twice", async () => {
    const body = freshText();
    expect((await post(`/webhooks/whatsapp/wa-acme?secret=${WEBHOOK_SECRET}`, body)).status).toBe(200);
    const after = await stored("acme");
    expect((await post(`/webhooks/whatsapp/wa-acme?secret=${WEBHOOK_SECRET}`, body)).status).toBe(200);
    expect(await stored("acme")).toBe(after);
  });

  it("stores a message once when two copies arrive at the same time", async () => {
    const body = freshText();
    const before = await stored("acme");
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(`/webhooks/whatsapp/wa-acme?secret=${WEBHOOK_SECRET}`, body)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await stored("acme")).toBe(before + 1);
  });

  it("stores a status once however often it is redelivered, batched or not", async () => {
    const status = JSON.stringify({
      statuses: [{ id: `gBEG${crypto.randomUUID()}`, recipient_id: "4915100000042", status: "delivered", timestamp: "1700000000" }],
    });
    const before = await stored("acme");
    await Promise.all([1, 2, 3].map(() => post(`/webhooks/whatsapp/wa-acme?secret=${WEBHOOK_SECRET}`, status)));
    expect(await stored("acme")).toBe(before + 1);
  });

  it("keeps every valid item of a batch and acknowledges it", async () => {
    const before = await stored("acme");
    const res = await post(`/webhooks/whatsapp/wa-acme?secret=${WEBHOOK_SECRET}`, fixture("whatsapp", "batch").replaceAll("ABGGSW", `ABGG${Date.now()}`));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 4, skipped: 2 });
    // Two messages directly, two statuses through their conversations.
    expect(await stored("acme")).toBe(before + 4);
  });
});

describe("one callback URL for several accounts of a platform app", () => {
  it("gives each account of the tenant the changes for its own number, when the request authenticates for it", async () => {
    const body = fixture("whatsapp-cloud", "batch").replaceAll("wamid.", `wamid.${crypto.randomUUID()}.`);
    const signed = await whatsappCloudKit.signed(body);
    const res = await SELF.fetch(`${BASE}${signed.path}`, { method: "POST", headers: signed.headers, body: signed.body });
    expect(res.status).toBe(200);
    // Four events of the first number, and the other number's one message.
    expect(await res.json()).toMatchObject({ received: 5 });
    await stored("acme");
    const other = (await endpointRows<{ body: string }>("acme", "SELECT body FROM events WHERE body LIKE '%not for this account%'")).map(
      (r) => JSON.parse(r.body) as { conversation: { account: string } },
    );
    expect(other.at(-1)?.conversation.account).toBe("whatsapp-cloud-test-2");
  });
});
