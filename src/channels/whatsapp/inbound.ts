/**
 * What both WhatsApp dialects share when receiving: a webhook `value` (messages, statuses, errors) as
 * the container and the Cloud API both post it, parsed into unified events.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/components
 */
import type { InboundContent } from "../../model";
import { fingerprint, unixSecondsToIso } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import { firstError, toStatusError } from "./errors";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const MEDIA_TYPES = ["image", "audio", "video", "document", "sticker", "voice"] as const;
const STATUSES = ["sent", "delivered", "read", "failed"] as const;

/**
 * The content of one WhatsApp message object. Shared by the On-Premises and Cloud dialects, which use
 * the same message objects.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/inbound
 */
export function whatsappContent(m: Obj): InboundContent {
  const type = str(m.type) ?? "unknown";
  const body = isObj(m[type]) ? (m[type] as Obj) : {};
  if (type === "text") return { type: "text", text: str(body.body) ?? "" };
  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    return {
      type: type === "voice" ? "audio" : (type as Exclude<(typeof MEDIA_TYPES)[number], "voice">),
      ...(str(body.id) && { mediaId: str(body.id) }),
      ...(str(body.link) && { url: str(body.link) }),
      ...(str(body.mime_type) && { mimeType: str(body.mime_type) }),
      ...(str(body.sha256) && { sha256: str(body.sha256) }),
      ...(str(body.caption) && { caption: str(body.caption) }),
      ...(str(body.filename) && { filename: str(body.filename) }),
      ...((type === "voice" || body.voice === true) && { voice: true }),
    };
  }
  if (type === "location" && typeof body.latitude === "number" && typeof body.longitude === "number") {
    return {
      type: "location",
      latitude: body.latitude,
      longitude: body.longitude,
      ...(str(body.name) && { name: str(body.name) }),
      ...(str(body.address) && { address: str(body.address) }),
      ...(str(body.url) && { url: str(body.url) }),
    };
  }
  if (type === "contacts" && Array.isArray(m.contacts)) {
    return {
      type: "contacts",
      contacts: m.contacts.filter(isObj).map((c) => ({
        name: isObj(c.name) ? str(c.name.formatted_name) : undefined,
        phones: list(c.phones).filter(isObj).map((p) => str(p.phone) ?? str(p.wa_id) ?? "").filter(Boolean),
        emails: list(c.emails).filter(isObj).map((e) => str(e.email) ?? "").filter(Boolean),
      })),
    };
  }
  if (type === "button" && str(body.text)) {
    return { type: "reply", id: str(body.payload), title: str(body.text)!, source: "template_button" };
  }
  if (type === "interactive") {
    const reply = isObj(body.button_reply) ? body.button_reply : isObj(body.list_reply) ? body.list_reply : undefined;
    if (reply && str(reply.title)) {
      const source = isObj(body.button_reply) ? "button" : "list";
      return { type: "reply", id: str(reply.id), title: str(reply.title)!, source };
    }
    // e.g. a WhatsApp Flow's answer (`nfm_reply`): named precisely so the business can pick it from `raw`.
    if (str(body.type)) return { type: "unsupported", platformType: `interactive.${str(body.type)}`, raw: m };
  }
  if (type === "reaction" && str(body.emoji)) {
    return { type: "reaction", emoji: str(body.emoji)!, platformMessageId: str(body.message_id) };
  }
  return { type: "unsupported", platformType: type, raw: m };
}

/** The sender of a WhatsApp message: a phone number, or a business-scoped user id (2026+). */
function senderOf(m: Obj): string | undefined {
  return str(m.from) ?? str(m.from_user_id);
}

function parseMessage(m: Obj, names: Map<string, string>): ParsedEvent {
  const id = str(m.id);
  const from = senderOf(m);
  if (!id || !from) throw new Error("message without id or sender");
  const name = names.get(from);
  const inReplyTo = isObj(m.context) ? str(m.context.id) : undefined;
  return {
    type: "message.received",
    peer: from,
    dedupeKey: `message:${id}`,
    message: {
      platformMessageId: id,
      timestamp: unixSecondsToIso(m.timestamp),
      sender: { id: from, ...(name && { name }) },
      content: whatsappContent(m),
      ...(inReplyTo && { inReplyTo }),
    },
  };
}

function parseStatus(s: Obj, peerOf: (s: Obj) => string | undefined): ParsedEvent {
  const id = str(s.id);
  const peer = peerOf(s) ?? str(s.recipient_id) ?? str(s.recipient_user_id);
  const status = STATUSES.find((x) => x === s.status);
  if (!id || !peer) throw new Error("status without id or recipient");
  if (!status) throw new Error(`status '${String(s.status)}' is not one the relay tracks`);
  const error = firstError(s);
  return {
    type: "message.status",
    peer,
    dedupeKey: `status:${id}:${status}`,
    status: {
      platformMessageId: id,
      status,
      timestamp: unixSecondsToIso(s.timestamp),
      ...(status === "failed" && { error: error ? toStatusError(error) : { reason: "platform_error" } }),
    },
  };
}

/** How a dialect adjusts the shared parsing. */
export interface WhatsAppValueOptions {
  /**
   * The peer of a status when the dialect knows better than `recipient_id` (the Cloud API echoes what
   * the relay put in `biz_opaque_callback_data`, i.e. the exact peer a message was sent to).
   */
  statusPeer?: (status: Obj) => string | undefined;
}

/**
 * Parses the WhatsApp `contacts` / `messages` / `statuses` / `errors` arrays (the On-Premises envelope,
 * and the `value` object of a Cloud API change). Each item is parsed on its own so one bad item never
 * drops the rest.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/components
 */
export function parseWhatsAppValue(value: Obj, options: WhatsAppValueOptions = {}): ParseResult {
  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  const names = new Map<string, string>();
  for (const c of list(value.contacts).filter(isObj)) {
    const name = isObj(c.profile) ? str(c.profile.name) : undefined;
    // Cloud contacts may carry a phone number (`wa_id`), a business-scoped user id (`user_id`), or both.
    for (const id of [str(c.wa_id), str(c.user_id)]) if (id && name) names.set(id, name);
  }
  const each = (items: unknown, kind: string, parse: (o: Obj) => ParsedEvent) =>
    list(items).forEach((item, i) => {
      try {
        if (!isObj(item)) throw new Error("not an object");
        events.push(parse(item));
      } catch (e) {
        problems.push(`${kind}[${i}]: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  each(value.messages, "messages", (m) => parseMessage(m, names));
  const statusPeer = options.statusPeer ?? (() => undefined);
  each(value.statuses, "statuses", (s) => parseStatus(s, statusPeer));
  each(value.errors, "errors", (e) => {
    const error = firstError({ errors: [e] })!;
    return {
      type: "channel.error",
      dedupeKey: `error:${fingerprint(JSON.stringify(value))}:${fingerprint(JSON.stringify(e))}`,
      error: {
        ...(error.code !== undefined && { code: String(error.code) }),
        title: error.title ?? "WhatsApp error",
        ...(error.details && { detail: error.details }),
      },
    };
  });
  return { events, problems };
}
