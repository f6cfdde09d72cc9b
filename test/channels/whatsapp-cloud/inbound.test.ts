import { describe, expect, it } from "vitest";
import { WhatsAppCloudAccount } from "../../../src/channels/whatsapp-cloud/account";
import { parseCloudWebhook } from "../../../src/channels/whatsapp-cloud/inbound";
import { peerFromCallbackData } from "../../../src/channels/whatsapp-cloud/outbound";
import type { ParsedEvent } from "../../../src/channels/types";
import { InboundContent } from "../../../src/model";
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

function received(
  id: string,
  content: InboundContent,
  more: { peer?: string; name?: string | null; inReplyTo?: string } = {},
): ParsedEvent {
  const peer = more.peer ?? PHONE;
  const name = more.name === undefined ? "Kerry Fisher" : more.name;
  return {
    type: "message.received",
    peer,
    dedupeKey: `message:${id}`,
    message: {
      platformMessageId: id,
      timestamp: AT,
      sender: { id: peer, ...(name !== null && { name }) },
      content,
      ...(more.inReplyTo && { inReplyTo: more.inReplyTo }),
    },
  };
}

function status(id: string, s: "sent" | "delivered" | "read" | "failed", peer = PHONE, error?: object): ParsedEvent {
  return {
    type: "message.status",
    peer,
    dedupeKey: `status:${id}:${s}`,
    status: { platformMessageId: id, status: s, timestamp: AT, ...(error && { error }) },
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
        { peer: BSUID },
      ),
    ],
  ],
  ["text-referral", [received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTBDNEE4RDM5NzU2NEI5MkU0RgA=", { type: "text", text: "Is this still available?" })]],
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
      received("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTVDMzdFQjY1QTNFRTJGRDM0NwA=", {
        type: "unsupported",
        platformType: "reaction",
        raw: rawMessage("reaction-removed"),
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
        { type: "unsupported", platformType: "system", raw: rawMessage("system") },
        { name: null },
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
  ["status-sent", [status(SENT, "sent")]],
  ["status-delivered", [status(SENT, "delivered")]],
  ["status-read", [status(SENT, "read")]],
  [
    "status-failed",
    [
      status("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI4RDhDQjQ5RTcxRDI4RkFCOTUA", "failed", PHONE, {
        reason: "window_closed",
        code: "131047",
        detail:
          "Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
      }),
    ],
  ],
  // The callback data names the peer the relay sent to, though the status also carries a phone number.
  ["status-bsuid", [status("wamid.HBgVVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgARGBJBMjA0NEQyQzQzQ0U5MzA2MQA=", "delivered", BSUID)]],
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
    expect(events[1]).toMatchObject({ message: { sender: { id: "4915112345678", name: "Ada" }, content: { type: "image", mediaId: "1555000000000003" } } });
    expect(problems).toEqual([
      "entry[0].changes[0].value.messages[1]: message without id or sender",
      "entry[0].changes[1].value.statuses[1]: status 'deleted' is not one the relay tracks",
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

  it("every received content is valid against the unified model", () => {
    for (const [name, raw] of Object.entries(fixtures("whatsapp-cloud"))) {
      for (const e of parseCloudWebhook(bytes(raw), account).events) {
        if (e.type === "message.received") expect(InboundContent.safeParse(e.message.content).success, name).toBe(true);
      }
    }
  });
});
