import { describe, expect, it } from "vitest";
import { WhatsAppCloudAccount } from "../../../src/channels/whatsapp-cloud/account";
import { parseCloudWebhook } from "../../../src/channels/whatsapp-cloud/inbound";
import { peerFromCallbackData } from "../../../src/channels/whatsapp-cloud/outbound";
import type { ParsedEvent } from "../../../src/channels/types";
import { type Customer, InboundContent } from "../../../src/model";
import { fixture, fixtures } from "../../support/fixtures";
import { testAccount } from "./account";

const account = WhatsAppCloudAccount.parse(testAccount("http://127.0.0.1:9"));
const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (name: string) => parseCloudWebhook(bytes(fixture("whatsapp-cloud", name)), account);

const PHONE = "16505551234";
const BSUID = "US.13491208655302741918";
const AT = "2025-06-08T20:59:43.000Z";
const QUOTED = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";
const SENT = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI2QjRGOTM3RTYwQUEyRjE5NkQA";

/** The first message object of a fixture, as `raw` carries it for unsupported kinds. */
const rawMessage = (name: string): unknown => {
  const body = JSON.parse(fixture("whatsapp-cloud", name)) as {
    entry: { changes: { value: { messages: unknown[] } }[] }[];
  };
  return body.entry[0]!.changes[0]!.value.messages[0];
};

/** Kerry as most fixtures name her: a phone number, a business-scoped user id and a profile name. */
const KERRY: Customer = {
  id: PHONE,
  name: "Kerry Fisher",
  phone: PHONE,
  identities: [
    { kind: "phone", value: PHONE },
    { kind: "business_scoped_id", value: BSUID },
  ],
};

function received(
  id: string,
  content: InboundContent,
  more: { sender?: Customer; name?: string; inReplyTo?: string; message?: Record<string, unknown> } = {},
): ParsedEvent {
  const sender = more.sender ?? { ...KERRY, ...(more.name && { name: more.name }) };
  return {
    type: "message.received",
    peer: sender.id,
    dedupeKey: `message:${id}`,
    message: {
      platformMessageId: id,
      timestamp: AT,
      sender,
      content,
      ...(more.inReplyTo && { inReplyTo: more.inReplyTo }),
      ...more.message,
    },
  };
}

/** What per-message pricing says of a free customer-service message. */
const FREE_SERVICE = { billable: true, model: "PMP", category: "service", type: "free_customer_service" };
const SERVICE_CONVERSATION = { id: "8e4ad5d1b6c2e1f30ba1c1d7b5d3a9e0", category: "service", expiresAt: "2025-06-09T20:59:43.000Z" };

function status(id: string, s: "sent" | "delivered" | "read" | "failed", peer = PHONE, more: object = {}): ParsedEvent {
  return {
    type: "message.status",
    peer,
    dedupeKey: `status:${id}:${s}`,
    status: { platformMessageId: id, status: s, timestamp: AT, ...more },
  } as ParsedEvent;
}

const CASES: [string, ParsedEvent[]][] = [
  ["text", [received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUZBQjQ0QkE5RjM5NzlENTQ3RQA=", { type: "text", text: "Hello World" })]],
  [
    "text-unicode-escaped",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTc5QjJGMDE3RjY2QzJFQjAxMgA=",
        { type: "text", text: "Grüße aus Köln – schön! 😀" },
        { name: "Jürgen Weiß" },
      ),
    ],
  ],
  [
    "text-bsuid",
    [
      received(
        "wamid.HBgVVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgASGBQzQUNFRDkxRTQ1OUM0NjJBMDE1NwA=",
        { type: "text", text: "Hi, I only have a username" },
        {
          sender: {
            id: BSUID,
            name: "Kerry Fisher",
            username: "@kfisher",
            identities: [
              { kind: "business_scoped_id", value: BSUID },
              { kind: "parent_business_scoped_id", value: "US.ENT.11815799212886844830" },
              { kind: "username", value: "@kfisher" },
            ],
          },
        },
      ),
    ],
  ],
  [
    "text-referral",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTBDNEE4RDM5NzU2NEI5MkU0RgA=",
        { type: "text", text: "Is this still available?" },
        {
          message: {
            referral: {
              source: "ad",
              type: "image",
              sourceId: "120226305854810726",
              url: "https://fb.me/3cr4Wqqkv",
              headline: "Chat with us",
              body: "Summer sale: 30% off",
              mediaUrl: "https://scontent.xx.fbcdn.net/v/t45.1600-4/518949649_n.jpg",
              clickId: "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-ZABDrf2Mt1rc_hTr0l8Sr5x-vC_FzIRg",
            },
          },
        },
      ),
    ],
  ],
  [
    "text-forwarded",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTFEOUI0MDI4QjVCMUM1OUM2OQA=",
        { type: "text", text: "Pass this on to ten friends!" },
        { message: { forwarded: true } },
      ),
    ],
  ],
  [
    "text-product-inquiry",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTg4RjJGQ0M3NEUzQzYxMDY4RQA=",
        { type: "text", text: "Does it come in another color?" },
        { inReplyTo: QUOTED, message: { referredProduct: { catalogId: "194836987003835", productId: "di9ozbzfi4" } } },
      ),
    ],
  ],
  [
    "image",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUE3RTIxMjhGRDc3OEJCM0QwRgA=", {
        type: "image",
        mediaId: "1003383421387256",
        mimeType: "image/jpeg",
        sha256: "dIW7vRsHrKjCQB3GHiC3/cn4NykwlLhlMsCNjplG7VY=",
        caption: "Check out my new phone!",
      }),
    ],
  ],
  [
    "video",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUQ1NjkwQUI3ODZGOEY1RTUxOAA=", {
        type: "video",
        mediaId: "1280742689882310",
        mimeType: "video/mp4",
        sha256: "8bjL2Ywtkqhxl+9sJh9pVKPXQP0EG0FxATzTGmuMYm8=",
        caption: "Unboxing",
      }),
    ],
  ],
  [
    "audio",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTk4QUVCQjM1N0U2Rjc0NUFBMwA=", {
        type: "audio",
        mediaId: "1492813488401347",
        mimeType: "audio/mpeg",
        sha256: "Qm1sJ3ZnVSWvYl0G3BRT0H8mMPVwIC1ulLfjdBpTGN4=",
        voice: false,
      }),
    ],
  ],
  [
    "voice",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTY0QkQ2Qzk2QTFCN0RGQjlFNQA=", {
        type: "audio",
        mediaId: "2138517026638413",
        mimeType: "audio/ogg; codecs=opus",
        sha256: "E8vOHp3PsS8hMUQ2XcIJbNv9nPU9MCFbBE6ztTyfx/8=",
        voice: true,
      }),
    ],
  ],
  [
    "document",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUYzRDZDQjI0RjQ3RjlCMUFFMQA=", {
        type: "document",
        mediaId: "1187349716105613",
        mimeType: "application/pdf",
        sha256: "pMIcL9Dz7RhSEPMWHPB6v3Z0RjVfM7WXcBuV0Yx1XjI=",
        caption: "My invoice",
        filename: "invoice-2025-06.pdf",
      }),
    ],
  ],
  [
    "sticker",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUJEQzE0NzMyMDMyNEMxMTFBMwA=", {
        type: "sticker",
        mediaId: "1095637418925812",
        mimeType: "image/webp",
        sha256: "Rf6TCCNlIkEb6iUq9B6UkZ0fZk2rR1Ue6T5qCK6Fdik=",
        animated: false,
      }),
    ],
  ],
  [
    "location",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTE5QkY0NjA3MkNDNDM4MkMwQwA=", {
        type: "location",
        latitude: 37.483307,
        longitude: -122.148981,
        name: "Meta Headquarters",
        address: "1 Hacker Way, Menlo Park, CA 94025",
        url: "https://www.meta.com",
      }),
    ],
  ],
  [
    "contacts",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUM4NzY3ODlGMDRBOUNGMEI1MgA=", {
        type: "contacts",
        contacts: [{ name: "John Smith", phones: ["+1 (940) 555-1234", "+1 (650) 555-1234"], emails: ["test@fb.com"] }],
      }),
    ],
  ],
  [
    "button",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUQwNjMyQTNCNjhFQjZGRjVGRQA=",
        { type: "reply", id: "STOP_PROMOTIONS", title: "Stop promotions", source: "template_button" },
        { inReplyTo: QUOTED },
      ),
    ],
  ],
  [
    "interactive-button-reply",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUIxRTk1RDkyQTQ2QjY2MjM3OQA=",
        { type: "reply", id: "confirm-order-42", title: "Confirm", source: "button" },
        { inReplyTo: QUOTED },
      ),
    ],
  ],
  [
    "interactive-list-reply",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTNFNjQ5MjgzQUNFRkU2NjNCNAA=",
        { type: "reply", id: "slot-tue-10", title: "Tuesday 10:00", source: "list" },
        { inReplyTo: QUOTED },
      ),
    ],
  ],
  [
    "interactive-nfm-reply",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTk3RUY2RkE4QkM5NDBDN0Y1OAA=",
        { type: "unsupported", platformType: "interactive.nfm_reply", raw: rawMessage("interactive-nfm-reply") },
        { inReplyTo: QUOTED },
      ),
    ],
  ],
  ["reaction", [received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTJGMzM4QkM5NkY5Q0FGRjVGOQA=", { type: "reaction", emoji: "👍", platformMessageId: QUOTED })]],
  [
    "reaction-removed",
    [
      // No emoji: the customer took their reaction back.
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTVDMzdFQjY1QTNFRTJGRDM0NwA=", {
        type: "reaction",
        emoji: "",
        platformMessageId: QUOTED,
        removed: true,
      }),
    ],
  ],
  [
    "order",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTcwOUQ1RkM4MkNBNTFCNjJCOQA=", {
        type: "unsupported",
        platformType: "order",
        raw: rawMessage("order"),
      }),
    ],
  ],
  [
    "system",
    [
      received(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTZBQjY4RTEyNjg1OUMwNjVFQQA=",
        { type: "unsupported", platformType: "system.user_changed_number", raw: rawMessage("system") },
        // No contacts in a system message; the new number is reported beside the old one, which stays the peer.
        {
          sender: {
            id: PHONE,
            phone: PHONE,
            identities: [
              { kind: "phone", value: PHONE },
              { kind: "phone", value: "16505559876" },
            ],
          },
        },
      ),
    ],
  ],
  [
    "unsupported",
    [
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUE0RjJCNTY5QjNGRTE1OTM3NwA=", {
        type: "unsupported",
        platformType: "unsupported",
        raw: rawMessage("unsupported"),
      }),
    ],
  ],
  ["status-sent", [status(SENT, "sent", PHONE, { pricing: FREE_SERVICE, platformConversation: SERVICE_CONVERSATION })]],
  ["status-delivered", [status(SENT, "delivered", PHONE, { pricing: FREE_SERVICE, platformConversation: SERVICE_CONVERSATION })]],
  ["status-read", [status(SENT, "read")]],
  [
    "status-failed",
    [
      status("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI4RDhDQjQ5RTcxRDI4RkFCOTUA", "failed", PHONE, {
        error: {
          reason: "window_closed",
          code: "131047",
          detail:
            "Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        },
      }),
    ],
  ],
  // The callback data names the peer the relay sent to, though the status also carries a phone number.
  ["status-bsuid", [status("wamid.HBgVVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgARGBJBMjA0NEQyQzQzQ0U5MzA2MQA=", "delivered", BSUID, { pricing: FREE_SERVICE })]],
  [
    "edit",
    [
      {
        type: "message.edited",
        peer: PHONE,
        dedupeKey: "message:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUVDNzE0NkE4RjE5QzJCMkZFQwA=",
        // The edited message's id; the media URL Meta adds needs the token, so only the id is passed on.
        message: {
          platformMessageId: "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUE3RTIxMjhGRDc3OEJCM0QwRgA=",
          timestamp: "2025-06-08T21:01:41.000Z",
          sender: KERRY,
          content: {
            type: "image",
            mediaId: "1003383421387256",
            mimeType: "image/jpeg",
            sha256: "dIW7vRsHrKjCQB3GHiC3/cn4NykwlLhlMsCNjplG7VY=",
            caption: "Check out my new phone! (the blue one)",
          },
        },
      },
    ],
  ],
  [
    "revoke",
    [
      {
        type: "message.deleted",
        peer: PHONE,
        dedupeKey: "message:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTQ2OTBEQjQ1MUFGNTAwNEQzNwA=",
        message: { platformMessageId: "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUZBQjQ0QkE5RjM5NzlENTQ3RQA=", timestamp: "2025-06-08T21:03:22.000Z", sender: KERRY },
      },
    ],
  ],
  [
    "request-welcome",
    [
      {
        type: "conversation.started",
        peer: PHONE,
        dedupeKey: "message:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUI3MjY0RTA0QTg2QTIzRDFERgA=",
        timestamp: AT,
        customer: KERRY,
        trigger: "request_welcome",
      },
    ],
  ],
  [
    "user-preferences-stop",
    [
      {
        type: "contact.unsubscribed",
        peer: PHONE,
        dedupeKey: "preference:16505551234:marketing_messages:stop:1731705721",
        timestamp: "2024-11-15T21:22:01.000Z",
        customer: { id: PHONE, phone: PHONE, identities: [{ kind: "phone", value: PHONE }] },
        topic: "marketing",
        reason: "User requested to stop marketing messages",
      },
    ],
  ],
  [
    "user-preferences-resume",
    [
      {
        type: "contact.subscribed",
        peer: PHONE,
        dedupeKey: "preference:16505551234:marketing_messages:resume:1731792121",
        timestamp: "2024-11-16T21:22:01.000Z",
        customer: { id: PHONE, phone: PHONE, identities: [{ kind: "phone", value: PHONE }] },
        topic: "marketing",
      },
    ],
  ],
  [
    "errors",
    [
      {
        type: "channel.error",
        dedupeKey: expect.stringMatching(/^error:[0-9a-f]{8}:[0-9a-f]{8}$/) as unknown as string,
        error: {
          code: "131000",
          title: "Something went wrong",
          detail: "Unable to deliver the webhook for messages because of an internal error.",
        },
      },
    ],
  ],
];

describe("WhatsApp Cloud inbound", () => {
  it("has a case for every fixture but the batch", () => {
    expect(Object.keys(fixtures("whatsapp-cloud")).sort()).toEqual([...CASES.map(([name]) => name), "batch"].sort());
  });

  it.each(CASES)("%s", (name, expected) => {
    const { events, problems } = parse(name);
    expect(problems).toEqual([]);
    expect(events).toEqual(expected);
  });

  it("a batch gives every good item, each bad item is one problem, and another number's change is counted as foreign", () => {
    const { events, problems, foreign } = parse("batch");
    expect(events.map((e) => [e.dedupeKey, e.type === "message.status" || e.type === "message.received" ? e.peer : "-"])).toEqual([
      ["message:wamid.BATCH1", PHONE],
      ["message:wamid.BATCH3", "4915112345678"],
      ["status:wamid.BATCHS1:sent", PHONE],
      ["status:wamid.BATCHS3:delivered", PHONE],
    ]);
    expect(events[1]).toMatchObject({
      message: {
        sender: {
          id: "4915112345678",
          name: "Ada",
          identities: [
            { kind: "phone", value: "4915112345678" },
            { kind: "business_scoped_id", value: "DE.88273451277612" },
          ],
        },
        content: { type: "image", mediaId: "1555000000000003" },
      },
    });
    expect(problems).toEqual([
      "entry[0].changes[0].value.messages[1]: message without id or sender",
      "entry[0].changes[1].value.statuses[1]: status 'warning' is not one the relay tracks",
      "entry[0].changes[2]: field 'message_template_status_update' carries no messages",
    ]);
    expect(foreign).toBe(1);
  });

  it("a change for another phone number of the app is not this account's", () => {
    const other = { ...account, phoneNumberId: "123" };
    expect(parseCloudWebhook(bytes(fixture("whatsapp-cloud", "text")), other)).toEqual({ events: [], problems: [], foreign: 1 });
  });

  it("bodies that are not WhatsApp webhooks yield problems, never a throw", () => {
    expect(parseCloudWebhook(bytes("<html>"), account)).toEqual({ events: [], problems: ["body is not JSON"] });
    expect(parseCloudWebhook(bytes("[1]"), account)).toEqual({ events: [], problems: ["body is not a JSON object"] });
    expect(parseCloudWebhook(bytes('{"object":"page","entry":[]}'), account)).toEqual({
      events: [],
      problems: ["object 'page' is not whatsapp_business_account"],
    });
    const broken = '{"object":"whatsapp_business_account","entry":[7,{"changes":[null,{"field":"messages"}]}]}';
    expect(parseCloudWebhook(bytes(broken), account).problems).toEqual([
      "entry[0]: not an object",
      "entry[1].changes[0]: no value",
      "entry[1].changes[1]: no value",
    ]);
  });

  it("trusts only its own, well-formed callback data as a status's peer", () => {
    expect(peerFromCallbackData(`relay-peer:${BSUID}`)).toBe(BSUID);
    expect(peerFromCallbackData("relay-peer:4915112345678")).toBe("4915112345678");
    expect(peerFromCallbackData("campaign-42")).toBeUndefined();
    expect(peerFromCallbackData("relay-peer:+49 151")).toBeUndefined();
    expect(peerFromCallbackData(42)).toBeUndefined();
    const foreign = fixture("whatsapp-cloud", "status-bsuid").replace(`relay-peer:${BSUID}`, "campaign-42");
    expect(parseCloudWebhook(bytes(foreign), account).events[0]).toMatchObject({ peer: PHONE });
  });

  /** A webhook of this account's number carrying one `value` of `field`. */
  const webhook = (value: object, field = "messages") =>
    bytes(
      JSON.stringify({
        object: "whatsapp_business_account",
        entry: [{ id: "1", changes: [{ field, value: { messaging_product: "whatsapp", metadata: { phone_number_id: account.phoneNumberId }, ...value } }] }],
      }),
    );
  const from = { from: PHONE, timestamp: "1749416383" };

  it("an empty emoji takes a reaction back too; edits and revokes without the original's id are problems", () => {
    const { events, problems } = parseCloudWebhook(
      webhook({
        messages: [
          { ...from, id: "wamid.R", type: "reaction", reaction: { message_id: QUOTED, emoji: "" } },
          { ...from, id: "wamid.E", type: "edit", edit: { message: { type: "text", text: { body: "x" } } } },
          { ...from, id: "wamid.V", type: "revoke", revoke: {} },
        ],
      }),
      account,
    );
    expect(events).toMatchObject([{ message: { content: { type: "reaction", emoji: "", removed: true, platformMessageId: QUOTED } } }]);
    expect(problems).toEqual([
      "entry[0].changes[0].value.messages[1]: edit without original_message_id",
      "entry[0].changes[0].value.messages[2]: revoke without original_message_id",
    ]);
  });

  it("a welcome request from an ad keeps the ad; a user preference of another category keeps its name", () => {
    const welcome = parseCloudWebhook(
      webhook({ messages: [{ ...from, id: "wamid.W", type: "request_welcome", referral: { source_type: "ad", source_id: "42", ctwa_clid: "clid" } }] }),
      account,
    );
    expect(welcome.events).toMatchObject([{ type: "conversation.started", referral: { source: "ad", sourceId: "42", clickId: "clid" } }]);
    const preference = parseCloudWebhook(
      webhook({ user_preferences: [{ wa_id: PHONE, category: "utility_messages", value: "stop", timestamp: 1731705721 }] }, "user_preferences"),
      account,
    );
    expect(preference.events).toMatchObject([{ type: "contact.unsubscribed", peer: PHONE, topic: "utility_messages" }]);
  });

  it("every received content is valid against the unified model", () => {
    for (const [name, raw] of Object.entries(fixtures("whatsapp-cloud"))) {
      for (const e of parseCloudWebhook(bytes(raw), account).events) {
        if (e.type === "message.received") expect(InboundContent.safeParse(e.message.content).success, name).toBe(true);
      }
    }
  });
});
