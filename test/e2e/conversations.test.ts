import { describe, expect, it } from "vitest";
import { conversationId } from "../../src/model";
import { TEST_KEYS, WEBHOOK_SECRET } from "../support/constants";
import { eventually, newPeer, relay } from "../support/http";

/** The container's webhook for the account that enforces the messaging window. */
async function customerWrites(from: string, body: Record<string, unknown>, at = Math.floor(Date.now() / 1000)): Promise<void> {
  await containerPosts({
    contacts: [{ profile: { name: "Grace" }, wa_id: from }],
    messages: [{ from, id: `wamid.${crypto.randomUUID()}`, timestamp: String(at), type: "text", text: { body: "Hello" }, ...body }],
  });
}

async function containerPosts(webhook: unknown): Promise<void> {
  const res = await relay(`/webhooks/whatsapp/wa-window?secret=${WEBHOOK_SECRET}`, { method: "POST", key: null, body: JSON.stringify(webhook) });
  expect(res.status).toBe(200);
}

const send = (to: string, content: unknown, account = "wa-window") => relay("/v1/messages", { method: "POST", body: JSON.stringify({ to, account, content }) });
const text = { type: "text", text: "Your order shipped" };
const template = { type: "template", name: "order_update", language: "en" };

describe("the messaging window", () => {
  it("refuses a free-form message before the customer wrote, says what is allowed, and queues nothing", async () => {
    const peer = newPeer();
    const res = await send(peer, text);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await res.json()) as { code: string; detail: string; window: { open: boolean; allowed: string[] } };
    expect(problem.code).toBe("window_closed");
    expect(problem.window).toEqual({ open: false, allowed: ["template"] });
    expect(problem.detail).toMatch(/template/);
    // Nothing was queued: the relay has no conversation with the customer.
    const list = (await (await relay(`/v1/conversations?account=wa-window&peer=${peer}`)).json()) as { conversations: unknown[] };
    expect(list.conversations).toEqual([]);
  });

  it("lets a template through whatever the window", async () => {
    expect((await send(newPeer(), template)).status).toBe(202);
  });

  it("opens for 24 hours after the customer's message, and shows the conversation", async () => {
    const peer = newPeer();
    const wroteAt = Math.floor(Date.now() / 1000) - 60;
    await customerWrites(peer, {}, wroteAt);
    const res = await send(peer, text);
    expect(res.status).toBe(202);
    expect(await res.json()).not.toHaveProperty("warnings");

    const id = conversationId("wa-window", peer);
    const one = (await (await relay(`/v1/conversations/${id}`)).json()) as Record<string, unknown>;
    expect(one).toMatchObject({
      id,
      account: "wa-window",
      channel: "whatsapp",
      peer,
      customer: { id: peer, name: "Grace" },
      lastInboundAt: new Date(wroteAt * 1000).toISOString(),
      window: { open: true, expiresAt: new Date(wroteAt * 1000 + 24 * 3600_000).toISOString(), allowed: ["any"] },
    });
    const sentAt = await eventually(async () => {
      const view = (await (await relay(`/v1/conversations/${id}`)).json()) as { lastOutboundAt?: string };
      return view.lastOutboundAt;
    }, 10_000, "the message handed to the container");
    expect(Date.parse(sentAt)).toBeGreaterThan(wroteAt * 1000);
  });

  it("closes 24 hours after the customer's last message", async () => {
    const peer = newPeer();
    const wroteAt = Math.floor(Date.now() / 1000) - 25 * 3600;
    await customerWrites(peer, {}, wroteAt);
    const res = await send(peer, text);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { window: { closedAt: string } };
    expect(problem.window.closedAt).toBe(new Date((wroteAt + 24 * 3600) * 1000).toISOString());
  });

  it("queues with a warning where the account's policy is advise", async () => {
    const res = await send(newPeer(), text, "wa-acme");
    expect(res.status).toBe(202);
    const body = (await res.json()) as { warnings?: { code: string; detail: string }[] };
    expect(body.warnings?.map((w) => w.code)).toEqual(["window_closed"]);
  });

  it("answers a batch item by item: a closed window fails its item only", async () => {
    const open = newPeer();
    await customerWrites(open, {});
    const closed = newPeer();
    const res = await relay("/v1/messages/batch", {
      method: "POST",
      body: JSON.stringify({ messages: [{ to: open, account: "wa-window", content: text }, { to: closed, account: "wa-window", content: text }] }),
    });
    expect(res.status).toBe(207);
    const body = (await res.json()) as { accepted: number; results: { index: number; id?: string; error?: { code: string } }[] };
    expect(body.accepted).toBe(1);
    expect(body.results[0]?.id).toMatch(/^msg_/);
    expect(body.results[1]?.error?.code).toBe("window_closed");
  });
});

describe("GET /v1/conversations", () => {
  it("pages through the conversations in order of update, without repeating or skipping any", async () => {
    const peers = [newPeer(), newPeer(), newPeer()];
    const since = new Date().toISOString();
    for (const p of peers) await customerWrites(p, {});
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await (
        await relay(`/v1/conversations?account=wa-window&updatedSince=${since}&limit=1${cursor ? `&cursor=${cursor}` : ""}`)
      ).json()) as { conversations: { peer: string }[]; next?: string };
      expect(page.conversations.length).toBeLessThanOrEqual(1);
      seen.push(...page.conversations.map((c) => c.peer));
      cursor = page.next;
    } while (cursor);
    expect(seen.filter((p) => peers.includes(p)).sort()).toEqual([...peers].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("keeps tenants apart and refuses a malformed id or cursor with a problem", async () => {
    const peer = newPeer();
    await customerWrites(peer, {});
    const id = conversationId("wa-window", peer);
    expect((await relay(`/v1/conversations/${id}`, { key: TEST_KEYS.globex })).status).toBe(404);
    const globexList = (await (await relay("/v1/conversations?account=wa-window", { key: TEST_KEYS.globex })).json()) as { code?: string };
    expect(globexList.code).toBe("unknown_account");
    const bad = await relay("/v1/conversations/cnv_%%%");
    expect(bad.status).toBe(404);
    expect((await bad.json()) as { code: string }).toMatchObject({ code: "conversation_not_found" });
    const badCursor = await relay("/v1/conversations?cursor=nonsense");
    expect(badCursor.status).toBe(400);
    expect((await relay("/v1/conversations?limit=0")).status).toBe(422);
  });
});

describe("one customer, one conversation", () => {
  it("keeps a customer who moves from their phone number to their business-scoped id in the conversation they had", async () => {
    const phone = newPeer();
    const bsuid = `US.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const first = Math.floor(Date.now() / 1000) - 120;
    await containerPosts({
      contacts: [{ profile: { name: "Kerry" }, wa_id: phone, user_id: bsuid }],
      messages: [{ from: phone, id: `wamid.${crypto.randomUUID()}`, timestamp: String(first), type: "text", text: { body: "Hi" } }],
    });
    // Later the customer hides their number behind a username: only the business-scoped id comes.
    const later = first + 60;
    await containerPosts({
      contacts: [{ profile: { name: "Kerry", username: "kfisher" }, user_id: bsuid }],
      messages: [{ from_user_id: bsuid, id: `wamid.${crypto.randomUUID()}`, timestamp: String(later), type: "text", text: { body: "Still me" } }],
    });
    const view = (await (await relay(`/v1/conversations/${conversationId("wa-window", phone)}`)).json()) as {
      lastInboundAt: string;
      customer: { id: string; username?: string; identities: { kind: string; value: string }[] };
    };
    expect(view.lastInboundAt).toBe(new Date(later * 1000).toISOString());
    expect(view.customer.id).toBe(phone);
    expect(view.customer.username).toBe("kfisher");
    expect(view.customer.identities).toEqual(expect.arrayContaining([{ kind: "phone", value: phone }, { kind: "business_scoped_id", value: bsuid }]));
    expect((await relay(`/v1/conversations/${conversationId("wa-window", bsuid)}`)).status).toBe(404);

    // A send addressed to the business-scoped id joins the same conversation, and its window.
    const res = await send(bsuid, text);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { conversation: { peer: string } }).conversation.peer).toBe(phone);
  });
});
