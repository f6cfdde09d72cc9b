import { describe, expect, it } from "vitest";
import { CONVERSATION_SHARDS, shardOf } from "../../src/delivery/shards";
import { control, eventually, newPeer, relay } from "../support/http";

interface ContainerState {
  messages: { id: string; receivedAt: string; body: { to: string; type: string; text?: { body: string }; template?: Record<string, unknown> } }[];
}
interface BatchAnswer {
  accepted: number;
  failed: number;
  results: ({ index: number; id: string; status: string } | { index: number; error: { status: number; code: string; detail: string } })[];
}

const batch = (body: unknown, headers: Record<string, string> = {}) => relay("/v1/messages/batch", { method: "POST", body: JSON.stringify(body), headers });
const containerMessages = async () => (await control<ContainerState>("containerUrl", "/_sandbox/state")).messages;
const text = (t: string) => ({ type: "text", text: t });

describe("POST /v1/messages/batch", () => {
  it("queues the good items, answers each bad one's problem by index (207), and keeps each conversation's order", async () => {
    const [a, b] = [newPeer(), newPeer()];
    const res = await batch({
      messages: [
        { to: a, content: text("a first") },
        { to: "not a number", content: text("nowhere") },
        { to: b, content: text("b only") },
        { to: a, content: { type: "text", text: "" } },
        { to: a, content: text("a second"), reference: "ref-a2" },
      ],
    });
    expect(res.status).toBe(207);
    const answer = (await res.json()) as BatchAnswer;
    expect(answer).toMatchObject({ accepted: 3, failed: 2 });
    expect(answer.results.map((r) => ("id" in r ? "queued" : r.error.code))).toEqual(["queued", "invalid_recipient", "queued", "validation_failed", "queued"]);
    expect(answer.results[3]).toMatchObject({ error: { status: 422, detail: expect.stringContaining("messages[3]") } });
    const toA = await eventually(async () => {
      const got = (await containerMessages()).filter((m) => m.body.to === a);
      return got.length === 2 ? got : undefined;
    }, 15_000, "both messages to a");
    expect(toA.map((m) => m.body.text?.body)).toEqual(["a first", "a second"]);
    const second = answer.results[4] as { id: string };
    const record = (await (await relay(`/v1/messages/${second.id}`)).json()) as { reference: string; content: unknown };
    expect(record).toMatchObject({ reference: "ref-a2", content: text("a second") });
  });

  it("sends one content to many recipients, each with its own parameters", async () => {
    const [a, b] = [newPeer(), newPeer()];
    const res = await batch({
      content: { type: "text", text: "Hello {{1}}, your code is {{2}}." },
      recipients: [
        { to: a, parameters: ["Ann", "1234"] },
        { to: b, parameters: ["Bob"] },
      ],
    });
    expect(res.status).toBe(207);
    const answer = (await res.json()) as BatchAnswer;
    expect(answer.results[1]).toMatchObject({ error: { code: "validation_failed", detail: expect.stringContaining("{{2}}") } });
    const sent = await eventually(async () => (await containerMessages()).find((m) => m.body.to === a), 15_000, "the filled text");
    expect(sent.body.text?.body).toBe("Hello Ann, your code is 1234.");

    const template = await batch({
      content: { type: "template", name: "order_update", language: "en" },
      recipients: [{ to: b, parameters: ["Bob", "shipped"] }],
    });
    expect(template.status).toBe(202);
    const id = ((await template.json()) as BatchAnswer).results[0] as { id: string };
    const record = (await (await relay(`/v1/messages/${id.id}`)).json()) as { content: unknown };
    expect(record.content).toMatchObject({ type: "template", name: "order_update", parameters: ["Bob", "shipped"] });
  });

  it("refuses a malformed batch as a whole", async () => {
    const cases: unknown[] = [
      { messages: [] },
      { messages: Array.from({ length: 1001 }, () => ({ to: "491", content: text("x") })) },
      { messages: [{ to: "491", content: text("x") }], content: text("x"), recipients: [{ to: "491" }] },
      { content: { type: "nope" }, recipients: [{ to: "491" }] },
      { recipients: [{ to: "491" }] },
      [],
    ];
    for (const body of cases) {
      const res = await batch(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(((await res.json()) as { code: string }).code).toBe("validation_failed");
    }
  });

  it("one Idempotency-Key covers the batch: a retry answers the same and queues nothing twice", async () => {
    const peers = [newPeer(), newPeer(), newPeer()];
    const body = { messages: peers.map((to) => ({ to, content: text(`once to ${to}`) })) };
    const key = crypto.randomUUID();
    const first = await batch(body, { "idempotency-key": key });
    const again = await batch(body, { "idempotency-key": key });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    const other = await batch({ messages: [{ to: peers[0], content: text("different") }] }, { "idempotency-key": key });
    expect(other.status).toBe(422);
    await eventually(async () => ((await containerMessages()).filter((m) => peers.includes(m.body.to)).length >= 3 ? true : undefined), 15_000, "the batch");
    await new Promise((r) => setTimeout(r, 500));
    expect((await containerMessages()).filter((m) => peers.includes(m.body.to))).toHaveLength(3);
  });

  it("a one-to-one message overtakes a broadcast on the same account, which goes at the account's rate", async () => {
    const reply = newPeer();
    const shard = shardOf(reply, CONVERSATION_SHARDS);
    // Customers of the reply's own shard: the broadcast and the reply compete for the same sends.
    const customers: string[] = [];
    for (let n = 1_700_000_000 + Math.floor(Math.random() * 1e8); customers.length < 60; n++) {
      if (shardOf(`49${n}`, CONVERSATION_SHARDS) === shard) customers.push(`49${n}`);
    }
    const res = await batch({ content: text("Sale today"), recipients: customers.map((to) => ({ to })) });
    expect(res.status).toBe(202);
    expect((await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to: reply, content: text("your answer") }) })).status).toBe(202);
    const arrived = await eventually(async () => {
      const mine = (await containerMessages()).filter((m) => m.body.to === reply || customers.includes(m.body.to));
      return mine.length === customers.length + 1 ? mine : undefined;
    }, 30_000, "the broadcast and the reply");
    // The reply went before most of the broadcast, though it was queued after all of it.
    expect(arrived.findIndex((m) => m.body.to === reply)).toBeLessThan(customers.length / 2);
    // The shard's share of the account's rate (WhatsApp On-Premises: 250/s over 16 shards) spreads the broadcast out.
    const times = arrived.map((m) => Date.parse(m.receivedAt));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1_500);
  }, 60_000);
});
