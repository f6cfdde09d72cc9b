/**
 * The contract every channel adapter must honour, run over every registered channel's kit.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { planParts } from "../../src/channels/degrade";
import { CHANNEL_ADAPTERS, adapterFor } from "../../src/channels/registry";
import { toInboundEvent } from "../../src/delivery/events";
import { InboundEvent, MessageStatusEvent, type OutboundContent } from "../../src/model";
import { registryAccount } from "../../src/registry/directory";
import type { PlatformRequest } from "./kit";
import { KITS } from "./kits";
import { endpointTotal } from "../support/outboxes";

const send = (r: PlatformRequest) =>
  SELF.fetch(`https://relay.test${r.path}`, { method: r.method ?? "POST", headers: r.headers, body: r.body });

const storedEvents = () => endpointTotal("acme");

/** Content that pushes every limit a platform can declare. */
const DEMANDING: OutboundContent[] = [
  { type: "text", text: "word ".repeat(4000).trim() },
  { type: "buttons", text: "Pick one", buttons: Array.from({ length: 12 }, (_, i) => ({ id: `b${i}`, title: `Option number ${i}` })) },
  { type: "list", text: "Menu", button: "Open", sections: [{ title: "All", rows: Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}`, description: "details" })) }] },
  { type: "image", url: "https://example.com/a.jpg", caption: "c".repeat(3000) },
  { type: "document", url: "https://example.com/a.pdf", filename: "a.pdf" },
  { type: "audio", url: "https://example.com/a.ogg" },
  { type: "video", url: "https://example.com/a.mp4" },
  { type: "location", latitude: 52.52, longitude: 13.405, name: "Berlin" },
];

it("every registered channel has a kit, and every kit's account is in the registry", async () => {
  expect(KITS.map((k) => k.channel).sort()).toEqual(Object.keys(CHANNEL_ADAPTERS).sort());
  for (const kit of KITS) expect((await registryAccount(env, kit.accountId))?.account.channel, kit.accountId).toBe(kit.channel);
});

describe.each(KITS.map((k) => [k.channel, k] as const))("%s adapter contract", (_, kit) => {
  const adapter = adapterFor(kit.channel);
  const sample = Object.values(kit.fixtures)[0]!;

  it("has fixtures, one per event kind", () => {
    expect(Object.keys(kit.fixtures).length).toBeGreaterThanOrEqual(5);
  });

  const handshake = kit.handshake;
  if (handshake) {
    it("answers the platform's handshake, and refuses a bad one", async () => {
      const ok = await send(handshake.valid);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe(handshake.expect);
      const bad = await send(handshake.invalid);
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(bad.status).toBeLessThan(500);
    });
  }

  it("refuses unsigned, wrongly signed and tampered requests with 401, and stores nothing", async () => {
    const before = await storedEvents();
    for (const [what, request] of [
      ["unsigned", kit.unsigned(sample)],
      ["wrongly signed", await kit.wronglySigned(sample)],
      ["tampered", await kit.tampered(sample)],
    ] as const) {
      const res = await send(request);
      expect(res.status, what).toBe(401);
      expect(res.headers.get("content-type"), what).toBe("application/problem+json");
    }
    expect(await storedEvents()).toBe(before);
  });

  it("accepts every fixture, properly signed, with a 2xx", async () => {
    for (const [name, body] of Object.entries(kit.fixtures)) {
      const res = await send(await kit.signed(body));
      expect(res.status, name).toBeLessThan(300);
      await res.body?.cancel();
    }
  });

  it("parses every fixture into events valid against the unified schema", async () => {
    const account = (await registryAccount(env, kit.accountId))!.account;
    const base = { tenant: "acme", channel: kit.channel, account: kit.accountId };
    for (const [name, body] of Object.entries(kit.fixtures)) {
      const signed = await kit.signed(body);
      const raw = new Uint8Array(await new Response(signed.body).arrayBuffer());
      const { events } = await adapter.parse(raw, account, new Headers(signed.headers));
      expect(events.length, name).toBeGreaterThan(0);
      for (const e of events) {
        if (e.type === "message.status") {
          const status = MessageStatusEvent.shape.status.safeParse(e.status);
          expect(status.success, `${name}: ${JSON.stringify(status.error?.issues)}`).toBe(true);
        } else {
          const event = InboundEvent.safeParse(toInboundEvent(e, base));
          expect(event.success, `${name}: ${JSON.stringify(event.error?.issues)}`).toBe(true);
        }
      }
    }
  });

  it("yields the documented facts of each fixture", async () => {
    const account = (await registryAccount(env, kit.accountId))!.account;
    for (const [name, expected] of Object.entries(kit.facts)) {
      const body = kit.fixtures[name];
      expect(body, `fixture ${name}`).toBeDefined();
      const signed = await kit.signed(body!);
      const raw = new Uint8Array(await new Response(signed.body).arrayBuffer());
      const { events, problems } = await adapter.parse(raw, account, new Headers(signed.headers));
      expect(problems, name).toEqual([]);
      expect(events.length, name).toBe(expected.length);
      expected.forEach((facts, i) => expect(events[i], `${name} #${i}`).toMatchObject(facts));
    }
  });

  it("has a fixture for every event type the platform documents", () => {
    const covered = new Set(Object.values(kit.facts).flatMap((events) => events.map((e) => e.type)));
    for (const type of kit.documentedEvents) expect(covered.has(type), `${type} has no fixture in facts`).toBe(true);
  });

  it("classifies the platform's answers to a send as its table says", async () => {
    expect(kit.classification.length).toBeGreaterThanOrEqual(5);
    for (const row of kit.classification) {
      const result = await kit.classify(new Response(row.body || null, { status: row.status, headers: row.headers }), row.body);
      expect(result.kind, row.name).toBe(row.expect.kind);
      if (row.expect.reason) expect(result.kind === "failed" && result.error.reason, row.name).toBe(row.expect.reason);
      if (row.expect.afterSeconds !== undefined) expect(result.kind === "retry" && result.afterSeconds, row.name).toBe(row.expect.afterSeconds);
    }
  });

  it("plans outbound content within its declared limits", () => {
    const caps = adapter.capabilities;
    for (const content of DEMANDING) {
      const plan = planParts(content, caps);
      if ("refused" in plan) continue;
      for (const part of plan.parts) {
        expect(caps.contentTypes, `${content.type} → ${part.type}`).toContain(part.type);
        if (part.type === "text") expect([...part.text].length).toBeLessThanOrEqual(caps.maxTextLength);
        if (part.type === "buttons") {
          expect(part.buttons.length).toBeLessThanOrEqual(caps.buttons!.max);
          for (const b of part.buttons) expect(b.title.length).toBeLessThanOrEqual(caps.buttons!.maxTitleLength);
        }
        if (part.type === "list") {
          expect(part.sections.flatMap((s) => s.rows).length).toBeLessThanOrEqual(caps.list!.maxRows);
        }
        if ("caption" in part && part.caption && caps.maxCaptionLength) {
          expect(part.caption.length).toBeLessThanOrEqual(caps.maxCaptionLength);
        }
      }
    }
  });
});
