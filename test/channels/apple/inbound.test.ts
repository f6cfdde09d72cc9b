import { describe, expect, it } from "vitest";
import { AppleAccount } from "../../../src/channels/apple/account";
import { parseAppleWebhook } from "../../../src/channels/apple/inbound";
import { decodeAttachmentRef } from "../../../src/channels/apple/media";
import type { ParsedEvent } from "../../../src/channels/types";
import { InboundContent } from "../../../src/model";
import { fixture, fixtures } from "../../support/fixtures";
import { APPLE_FIXTURE_PEER, testAccount } from "./account";
import { appleToken, gzip, routingHeaders } from "./kit";

const account = AppleAccount.parse(testAccount("http://127.0.0.1:9"));
/** Apple's token carries when it was sent: events take their timestamp from its `iat`. */
const IAT = 1_796_000_000;
const SENT_AT = "2026-11-30T00:53:20.000Z";

async function parse(json: string, extraHeaders: Record<string, string> = {}) {
  const headers = new Headers({ ...routingHeaders(json), authorization: `Bearer ${await appleToken({ iat: IAT })}`, ...extraHeaders });
  return parseAppleWebhook(await gzip(json), account, headers);
}
const parseFixture = (name: string) => parse(fixture("apple", name));

type Received = Extract<ParsedEvent, { type: "message.received" }>;
const contents = (events: ParsedEvent[]) => events.map((e) => (e as Received).message.content);

describe("Apple Messages for Business inbound", () => {
  it("parses every fixture into message events valid against the unified model", async () => {
    const all = fixtures("apple");
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(15);
    for (const [name, raw] of Object.entries(all)) {
      const { events } = await parse(raw);
      expect(events.length, name).toBeGreaterThan(0);
      for (const e of events) {
        expect(e.type, name).toBe("message.received");
        expect(InboundContent.safeParse((e as Received).message.content).success, name).toBe(true);
      }
    }
  });

  it("text: the customer's opaque id is the peer and the sender, the message id keys the event", async () => {
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
          sender: { id: APPLE_FIXTURE_PEER },
          content: { type: "text", text: "Hi! Is my order 4711 on its way?" },
        },
      },
    ]);
  });

  it("an image with words around its placeholder is a captioned image; the MMCS reference is its mediaId", async () => {
    const [e] = (await parseFixture("image")).events as Received[];
    const content = e!.message.content;
    expect(content).toEqual({
      type: "image",
      mediaId:
        '{"url":"https://p47-content.icloud.com/M16F0C4E2A9B3D8E1F7A5C6B4D2E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1",' +
        '"owner":"p47_10a1b2c3d4e5f60718293a4b5c6d7e8f9","signature":"AaGyw9Tl9gcYKTpLXG1+j5ChssPV",' +
        '"key":"009F3A6C1E77D04B2A8E5F1C0D3B6A9E4F21C8D7B6A5F4E3D2C1B0A99887766555","mimeType":"image/jpeg","name":"IMG_0042.jpeg"}',
      mimeType: "image/jpeg",
      filename: "IMG_0042.jpeg",
      caption: "Here is the damaged box",
    });
    // No URL here: Apple's download URLs need the MSP token; the relay adds its own signed URL.
    expect("url" in content).toBe(false);
  });

  it.each([
    ["video", { type: "video", mimeType: "video/quicktime", filename: "IMG_0043.MOV" }],
    ["audio", { type: "audio", mimeType: "audio/x-caf", filename: "Audio Message.caf" }],
    ["document", { type: "document", mimeType: "application/pdf", filename: "invoice-4711.pdf" }],
    // A shared contact is a vCard attachment: encrypted at Apple, so it arrives as a document to fetch.
    ["contact-card", { type: "document", mimeType: "text/vcard", filename: "Ada Lovelace.vcf" }],
  ])("%s attachment → %o without a caption", async (name, expected) => {
    const { events, problems } = await parseFixture(name);
    expect(problems).toEqual([]);
    expect(events).toHaveLength(1);
    const content = (events[0] as Received).message.content as Record<string, unknown>;
    expect(content).toMatchObject(expected);
    expect(content.caption).toBeUndefined();
    const ref = decodeAttachmentRef(String(content.mediaId));
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
    ["typing-start", "typing_start"],
    ["typing-end", "typing_end"],
    ["close", "close"],
    ["interactive-data-ref", "interactive"],
    ["unknown", "richLink"],
  ])("%s reaches the business as unsupported %s, with Apple's body", async (name, platformType) => {
    const { events, problems } = await parseFixture(name);
    expect(problems).toEqual([]);
    expect(contents(events)).toEqual([{ type: "unsupported", platformType, raw: JSON.parse(fixture("apple", name)) }]);
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
