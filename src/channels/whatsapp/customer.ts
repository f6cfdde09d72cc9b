/**
 * Who a WhatsApp customer is, from every id both dialects send: the phone number (`from`, `wa_id`), the
 * business-scoped user id (`user_id`, `from_user_id`, since 2026), the parent business-scoped user id of a
 * business portfolio (`parent_user_id`), and the profile's name and username. The relay reports each as an
 * identity; the conversation's peer is the phone number when there is one, else the business-scoped id.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/inbound
 */
import type { Customer, Identity } from "../../model";
import { isObj, list, type Obj, str } from "./json";

/** The ids an item names a customer by. */
export interface WhatsAppIds {
  phone?: string;
  bsuid?: string;
  parent?: string;
}

/** The `contacts` of one webhook value, found by any of their ids. */
export interface ContactIndex {
  byId: Map<string, Obj>;
  /** The only contact of a value whose items all come from one customer: it describes that customer. */
  only?: Obj;
}

/** The ids a message names its sender by. */
export function senderIds(m: Obj): WhatsAppIds {
  return { phone: str(m.from), bsuid: str(m.from_user_id), parent: str(m.from_parent_user_id) };
}

/**
 * Indexes a value's `contacts` by `wa_id` and `user_id`. Meta notes that a user's `wa_id` and phone number
 * may differ, so when a value has a single contact and its messages a single sender, that contact is
 * the sender's even when no id matches.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text/
 */
export function indexContacts(contacts: unknown, senders: number): ContactIndex {
  const all = list(contacts).filter(isObj);
  const byId = new Map<string, Obj>();
  for (const c of all) for (const id of [str(c.wa_id), str(c.user_id)]) if (id && !byId.has(id)) byId.set(id, c);
  return { byId, ...(all.length === 1 && senders <= 1 && { only: all[0] }) };
}

function contactOf(ids: WhatsAppIds, contacts: ContactIndex): Obj | undefined {
  return (ids.phone && contacts.byId.get(ids.phone)) || (ids.bsuid && contacts.byId.get(ids.bsuid)) || contacts.only;
}

/** Identities in order, each kind and value once. */
function unique(identities: (Identity | undefined)[]): Identity[] {
  const seen = new Set<string>();
  const kept: Identity[] = [];
  for (const i of identities) {
    if (!i || seen.has(`${i.kind}:${i.value}`)) continue;
    seen.add(`${i.kind}:${i.value}`);
    kept.push(i);
  }
  return kept;
}

const identity = (kind: Identity["kind"], value: string | undefined): Identity | undefined => (value ? { kind, value } : undefined);

/**
 * The customer an item names, completed from the value's `contacts`, with every identity known (and
 * `more`, e.g. the new number of a number change); undefined when it names nobody.
 */
export function customerOf(ids: WhatsAppIds, contacts: ContactIndex, more: Identity[] = []): Customer | undefined {
  const contact = contactOf(ids, contacts) ?? {};
  const profile = isObj(contact.profile) ? contact.profile : {};
  const waId = str(contact.wa_id);
  const phone = ids.phone ?? waId;
  const bsuid = ids.bsuid ?? str(contact.user_id);
  const parent = ids.parent ?? str(contact.parent_user_id);
  const name = str(profile.name);
  const username = str(profile.username);
  const id = phone ?? bsuid;
  if (!id) return undefined;
  return {
    id,
    ...(name && { name }),
    ...(username && { username }),
    ...(phone && { phone }),
    identities: unique([
      identity("phone", phone),
      identity("phone", waId),
      identity("business_scoped_id", bsuid),
      identity("parent_business_scoped_id", parent),
      identity("username", username),
      ...more,
    ]),
  };
}
