import type { ParsedEvent, ParseResult } from "../types";
import { parseWhatsAppValue } from "../whatsapp/inbound";
import type { WhatsAppCloudAccount } from "./account";
import { peerFromCallbackData } from "./outbound";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The envelope's `object` for WhatsApp; Messenger and Instagram use the same envelope with other values. */
const WHATSAPP_OBJECT = "whatsapp_business_account";
/**
 * The change fields about customers: `messages` (messages and statuses) and `user_preferences` (marketing
 * messages stopped or resumed). Others (templates, quality, account) are not events here.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/
 */
const CUSTOMER_FIELDS: ReadonlySet<unknown> = new Set(["messages", "user_preferences"]);

/**
 * Parses one Cloud API webhook: `entry[].changes[].value` holds the same `contacts` / `messages` /
 * `statuses` / `errors` arrays as the On-Premises API (and `user_preferences`), so each value is parsed by
 * the shared WhatsApp parser. A change for another phone number of the same WhatsApp Business Account (one Meta app may
 * serve several) is not this account's, and is skipped as a problem. Every entry, change and item is
 * parsed on its own: one bad one never drops the rest.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 */
export function parseCloudWebhook(body: Uint8Array, account: WhatsAppCloudAccount): ParseResult {
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { events: [], problems: ["body is not JSON"] };
  }
  if (!isObj(payload)) return { events: [], problems: ["body is not a JSON object"] };
  if (payload.object !== WHATSAPP_OBJECT) {
    return { events: [], problems: [`object '${String(payload.object)}' is not ${WHATSAPP_OBJECT}`] };
  }
  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  let foreign = 0;
  list(payload.entry).forEach((entry, e) => {
    if (!isObj(entry)) return problems.push(`entry[${e}]: not an object`);
    list(entry.changes).forEach((change, c) => {
      const where = `entry[${e}].changes[${c}]`;
      try {
        if (!isObj(change) || !isObj(change.value)) throw new Error("no value");
        if (!CUSTOMER_FIELDS.has(change.field)) throw new Error(`field '${String(change.field)}' carries no messages`);
        const metadata = isObj(change.value.metadata) ? change.value.metadata : {};
        if (metadata.phone_number_id !== account.phoneNumberId) {
          foreign += 1;
          return;
        }
        const parsed = parseWhatsAppValue(change.value, { statusPeer: (s) => peerFromCallbackData(s.biz_opaque_callback_data) });
        events.push(...parsed.events);
        problems.push(...parsed.problems.map((p) => `${where}.value.${p}`));
      } catch (err) {
        problems.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  });
  return { events, problems, ...(foreign > 0 && { foreign }) };
}
