import { describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { signMediaToken } from "../../../src/api/media-tokens";
import { AppleAccount } from "../../../src/channels/apple/account";
import { openAttachmentRef } from "../../../src/channels/apple/attachment-ref";
import { parseAppleWebhook } from "../../../src/channels/apple/inbound";
import type { ParsedEvent } from "../../../src/channels/types";
import { toInboundEvent } from "../../../src/delivery/events";
import { InboundEvent } from "../../../src/model";
import { fixture, fixtures } from "../../support/fixtures";
import { APPLE_FIXTURE_PEER, testAccount } from "./account";
import { appleToken, gzip, routingHeaders } from "./kit";

const account = AppleAccount.parse(testAccount("http://127.0.0.1:9"));
/** Apple's token carries when it was sent: events take their timestamp from its `iat`. */
const IAT = 1_796_000_000;
const SENT_AT = "2026-11-30T00:53:20.000Z";
const BASE = { tenant: "acme", channel: "apple" as const, account: account.id };
/** The fixtures' customer: opaque id, and the device's locale. */
const CUSTOMER = { id: APPLE_FIXTURE_PEER, language: "en_US", identities: [{ kind: "opaque_id", value: APPLE_FIXTURE_PEER }] };

async function parse(json: string, extraHeaders: Record<string, string> = {}) {
  const headers = new Headers({ ...routingHeaders(json), authorization: `Bearer ${await appleToken({ iat: IAT })}`, ...extraHeaders });
  return parseAppleWebhook(await gzip(json), account, headers);
}
const parseFixture = (name: string) => parse(fixture("apple", name));

type Received = Extract<ParsedEvent, { type: "message.received" }>;
const contents = (events: ParsedEvent[]) => events.map((e) => (e as Received).message.content);

describe("Apple Messages for Business inbound", () => {
  it("parses every fixture into events valid against the unified model", async () => {
    const all = fixtures("apple");
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(15);
    for (const [name, raw] of Object.entries(all)) {
      const { events } = await parse(raw);
      expect(events.length, name).toBeGreaterThan(0);
      for (const e of events) {
        const event = InboundEvent.safeParse(toInboundEvent(e as Exclude<ParsedEvent, { type: "message.status" }>, BASE));
        expect(event.success, `${name}: ${JSON.stringify(event.error?.issues)}`).toBe(true);
      }
    }
  });

  it("text: the customer's opaque id is the peer and an identity, the locale their language, the entry point's intent and group the referral", async () => {
    const { events, problems } = await parseFixture("text");
    expect(problems).toEqual([]);
    expect(events).toEqual([
      {
        type: "message.received",
        peer: APPLE_FIXTURE_PEER,
        dedupeKey: "message:3ef7a1c2-4b6d-4e8f-9a0b-1c2d3e4f5a60",
        message: {
          platformMessageId: "3ef7a1c2-4b6d-4e8f-9a0b-1c2d3e4f5a60",
          timestamp: SENT_AT,
          sender: CUSTOMER,
          content: { type: "text", text: "Hi! Is my order 4711 on its way?" },
          referral: { ref: "order-status", source: "support" },
        },
      },
    ]);
  });

  it("intent, group and locale are read from headers when the body lacks them; no entry point, no referral", async () => {
    const body = JSON.parse(fixture("apple", "text"));
    delete body.intent;
    delete body.group;
    delete body.locale;
    const [plain] = (await parse(JSON.stringify(body))).events as Received[];
    expect(plain!.message.referral).toBeUndefined();
    expect(plain!.message.sender).toEqual({ id: APPLE_FIXTURE_PEER, identities: [{ kind: "opaque_id", value: APPLE_FIXTURE_PEER }] });
    const [headed] = (await parse(JSON.stringify(body), { intent: "billing", locale: "fr_FR" })).events as Received[];
    expect(headed!.message.referral).toEqual({ ref: "billing" });
    expect(headed!.message.sender.language).toBe("fr_FR");
  });

  it("an image with words around its placeholder is a captioned image; its MMCS reference is sealed in its mediaId", async () => {
    const [e] = (await parseFixture("image")).events as Received[];
    const content = e!.message.content as Record<string, unknown>;
    expect(content).toEqual({
      type: "image",
      mediaId: expect.stringMatching(/^mmcs1\.[\w-]+$/),
      mimeType: "image/jpeg",
      filename: "IMG_0042.jpeg",
      size: 184213,
      caption: "Here is the damaged box",
    });
    // No URL here: Apple's download URLs need the MSP token; the relay adds its own signed URL.
    expect("url" in content).toBe(false);
    expect(await openAttachmentRef(String(content.mediaId), account)).toEqual({
      url: "https://p47-content.icloud.com/M16F0C4E2A9B3D8E1F7A5C6B4D2E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1",
      owner: "p47_10a1b2c3d4e5f60718293a4b5c6d7e8f9",
      signature: "AaGyw9Tl9gcYKTpLXG1+j5ChssPV",
      key: "009F3A6C1E77D04B2A8E5F1C0D3B6A9E4F21C8D7B6A5F4E3D2C1B0A99887766555",
      mimeType: "image/jpeg",
      name: "IMG_0042.jpeg",
    });
  });

  it.each([
    ["video", { type: "video", mimeType: "video/quicktime", filename: "IMG_0043.MOV", size: 2849123 }],
    ["audio", { type: "audio", mimeType: "audio/x-caf", filename: "Audio Message.caf", size: 41872 }],
    ["document", { type: "document", mimeType: "application/pdf", filename: "invoice-4711.pdf", size: 91344 }],
    // A shared contact is a vCard attachment: encrypted at Apple, so it arrives as a document to fetch.
    ["contact-card", { type: "document", mimeType: "text/vcard", filename: "Ada Lovelace.vcf", size: 612 }],
  ])("%s attachment → %o without a caption", async (name, expected) => {
    const { events, problems } = await parseFixture(name);
    expect(problems).toEqual([]);
    expect(events).toHaveLength(1);
    const content = (events[0] as Received).message.content as Record<string, unknown>;
    expect(content).toMatchObject(expected);
    expect(content.caption).toBeUndefined();
    const ref = await openAttachmentRef(String(content.mediaId), account);
    expect(ref).toMatchObject({ mimeType: expected.mimeType, name: expected.filename });
    expect(ref?.key).toMatch(/^00[0-9A-F]{64}$/);
  });

  it("a bare Apple Maps link is a location", async () => {
    const [e] = (await parseFixture("location")).events as Received[];
    expect(e!.message.content).toEqual({
      type: "location",
      latitude: 52.520008,
      longitude: 13.404954,
      name: "Alexanderplatz",
      url: "https://maps.apple.com/?ll=52.520008,13.404954&q=Alexanderplatz",
    });
  });

  it("several attachments: the text first, then each attachment; one bad attachment never drops the rest", async () => {
    const { events, problems } = await parseFixture("attachments-batch");
    const id = "182de437-6a9f-4cbe-8df1-c0dfef4d6c71";
    expect(events.map((e) => e.dedupeKey)).toEqual([`message:${id}`, `message:${id}:1`, `message:${id}:3`]);
    expect(contents(events)).toMatchObject([
      { type: "text", text: "Three photos of the delivery" },
      { type: "image", filename: "IMG_0050.jpeg" },
      { type: "image", mimeType: "image/png", filename: "IMG_0052.png" },
    ]);
    expect(problems).toEqual([`message ${id} item 2: attachment without url, owner, key or signature`]);
  });

  it.each([
    [
      "quick-reply",
      [{ type: "reply", id: "return", title: "Return an item", source: "quick_reply" }],
      "6a1f4c7e-2b3d-5e8f-9a0b-c1d2e3f4a5b6",
    ],
    [
      "list-picker",
      [
        { type: "reply", id: "1", title: "Apple", source: "list" },
        { type: "reply", id: "3", title: "Lettuce", source: "list" },
      ],
      "7b2a5d8f-3c4e-5f9a-8b1c-d2e3f4a5b6c7",
    ],
    ["time-picker", [{ type: "reply", id: "slot-2", title: "2026-12-01T15:00+0000", source: "list" }], "8c3b6e9a-4d5f-5a0b-9c2d-e3f4a5b6c7d8"],
  ])("%s answers become replies to the message that asked (its requestIdentifier)", async (name, expected, requestId) => {
    const { events, problems } = await parseFixture(name);
    expect(problems).toEqual([]);
    expect(contents(events)).toEqual(expected);
    for (const e of events as Received[]) expect(e.message.inReplyTo).toBe(requestId);
    expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(events.length);
  });

  it("a quick-reply answer naming only the identifier keeps it as the title", async () => {
    const body = JSON.parse(fixture("apple", "quick-reply"));
    body.interactiveData.data["quick-reply"] = { selectedIdentifier: "agent", selectedIndex: 2 };
    const { events } = await parse(JSON.stringify(body));
    expect(contents(events)).toEqual([{ type: "reply", id: "agent", title: "agent", source: "quick_reply" }]);
  });

  it.each([
    ["typing-start", "typing.started", "6d73d98c-bf4e-4b13-9246-15c4d492b1c6"],
    ["typing-end", "typing.stopped", "7e84ea9d-c05f-4c24-8357-26d5e5a3c2d7"],
    ["close", "conversation.closed", "8f95fbae-d16a-4d35-9468-37e6f6b4d3e8"],
  ])("%s is a %s event of the customer, keyed by Apple's id", async (name, type, id) => {
    const { events, problems } = await parseFixture(name);
    expect(problems).toEqual([]);
    const apple = JSON.parse(fixture("apple", name)) as { type: string };
    expect(events).toEqual([
      {
        type,
        peer: APPLE_FIXTURE_PEER,
        dedupeKey: `${apple.type}:${id}`,
        timestamp: SENT_AT,
        customer: { id: APPLE_FIXTURE_PEER, identities: [{ kind: "opaque_id", value: APPLE_FIXTURE_PEER }] },
      },
    ]);
  });

  it("an unknown type reaches the business as unsupported, with Apple's body", async () => {
    const { events, problems } = await parseFixture("unknown");
    expect(problems).toEqual([]);
    expect(contents(events)).toEqual([{ type: "unsupported", platformType: "richLink", raw: JSON.parse(fixture("apple", "unknown")) }]);
  });

  it("an interactive payload too large to inline is unsupported, its MMCS reference stripped of what fetches or decrypts it", async () => {
    const { events, problems } = await parseFixture("interactive-data-ref");
    expect(problems).toEqual([]);
    const { interactiveDataRef, ...rest } = JSON.parse(fixture("apple", "interactive-data-ref"));
    expect(contents(events)).toEqual([
      { type: "unsupported", platformType: "interactive", raw: { ...rest, interactiveDataRef: { bid: interactiveDataRef.bid, size: 48211 } } },
    ]);
  });

  it("reads an uncompressed body too, and the body's routing fields when the headers lack them", async () => {
    const json = fixture("apple", "text");
    const { events } = await parseAppleWebhook(new TextEncoder().encode(json), account, new Headers());
    expect(events).toMatchObject([{ peer: APPLE_FIXTURE_PEER, dedupeKey: "message:3ef7a1c2-4b6d-4e8f-9a0b-1c2d3e4f5a60" }]);
  });

  it("skips a message for another business, and a body that is not JSON, with a problem and no throw", async () => {
    const other = await parse(fixture("apple", "text"), { "destination-id": "another-business" });
    expect(other.events).toEqual([]);
    expect(other.problems[0]).toMatch(/another-business/);
    const junk = await parseAppleWebhook(await gzip("<html>"), account, new Headers());
    expect(junk.events).toEqual([]);
    expect(junk.problems[0]).toMatch(/not \(gzip-compressed\) JSON/);
    const broken = await parseAppleWebhook(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), account, new Headers());
    expect(broken.events).toEqual([]);
    expect(broken.problems).toHaveLength(1);
  });
});

describe("Apple attachments keep their decryption material in the relay", () => {
  /** Every MMCS secret in an Apple body: each url, owner, signature (hex and base64) and key of its references. */
  function mmcsSecrets(value: unknown, found: string[] = []): string[] {
    if (Array.isArray(value)) value.forEach((v) => mmcsSecrets(v, found));
    else if (typeof value === "object" && value !== null) {
      const o = value as Record<string, unknown>;
      if ("owner" in o) {
        for (const f of ["url", "owner", "key", "signature", "signature-base64"]) if (typeof o[f] === "string") found.push(o[f] as string);
        if (typeof o.signature === "string") found.push(btoa(String.fromCharCode(...o.signature.match(/../g)!.map((h) => parseInt(h, 16)))));
        // The key's hex without Apple's "00" prefix: what a decryptor would need.
        if (typeof o.key === "string") found.push(o.key.slice(2));
      }
      Object.values(o).forEach((v) => mmcsSecrets(v, found));
    }
    return found;
  }

  it("no event, and no relay media URL built from one, contains any url, owner, signature or key of Apple's", async () => {
    let checked = 0;
    for (const [name, raw] of Object.entries(fixtures("apple"))) {
      const secrets = mmcsSecrets(JSON.parse(raw));
      if (secrets.length === 0) continue;
      const { events } = await parse(raw);
      for (const e of events) {
        const event = toInboundEvent(e as Exclude<ParsedEvent, { type: "message.status" }>, BASE);
        // As the webhook route does: a signed relay URL whose token names the mediaId.
        const content = event.type === "message.received" ? (event.message.content as { mediaId?: string; url?: string }) : {};
        if (content.mediaId) content.url = `https://relay.test/v1/media/${await signMediaToken("media-secret", { account: account.id, mediaId: content.mediaId })}`;
        const token = content.url ? decodeJwt(content.url.split("/").pop()!) : {};
        const visible = `${JSON.stringify(event)}\n${JSON.stringify(token)}`.toLowerCase();
        for (const secret of secrets) expect(visible.includes(secret.toLowerCase()), `${name}: ${secret}`).toBe(false);
        checked++;
      }
    }
    // Every attachment fixture and the interactive data reference were looked at.
    expect(checked).toBeGreaterThanOrEqual(9);
  });

  it("a sealed mediaId is the same on every delivery, opens only for the business and secret that sealed it, and not once altered", async () => {
    const mediaIdOf = async () => ((await parseFixture("document")).events[0] as Received).message.content as { mediaId: string };
    const { mediaId } = await mediaIdOf();
    expect((await mediaIdOf()).mediaId).toBe(mediaId);
    expect(await openAttachmentRef(mediaId, account)).toMatchObject({ name: "invoice-4711.pdf" });

    const sameMspOtherBusiness = AppleAccount.parse({ ...testAccount("http://127.0.0.1:9"), businessId: "another-business" });
    const otherSecret = AppleAccount.parse({ ...testAccount("http://127.0.0.1:9"), mspSecret: btoa("another-msp-secret-0123456789abc") });
    expect(await openAttachmentRef(mediaId, sameMspOtherBusiness)).toBeNull();
    expect(await openAttachmentRef(mediaId, otherSecret)).toBeNull();
    const flipped = `${mediaId.slice(0, -2)}${mediaId.endsWith("AA") ? "AB" : "AA"}`;
    expect(await openAttachmentRef(flipped, account)).toBeNull();
    for (const junk of ["", "mmcs1.", "mmcs1.!!!", "mmcs1.AAAA", '{"url":"https://p47-content.icloud.com/x","owner":"o","signature":"s","key":"00","mimeType":"a/b","name":"n"}']) {
      expect(await openAttachmentRef(junk, account), junk).toBeNull();
    }
  });
});
