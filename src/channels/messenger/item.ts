import type { Customer, Identity } from "../../model";
import { fingerprint } from "../http";

/** A JSON object as read from a webhook body. */
export type Obj = Record<string, unknown>;

/** Whether a value is a JSON object (not an array, not null). */
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** A non-empty string, else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
/** An array, else an empty one. */
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A positive integer, given as a number or a numeric string (Meta documents some numbers as strings). */
export const int = (v: unknown): number | undefined => {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};
/** An id Meta may send as a string or a number (`ad_id`, `post_id`). */
export const idString = (v: unknown): string | undefined => str(v) ?? (int(v) !== undefined ? String(v) : undefined);

/**
 * Messenger timestamps are epoch milliseconds, but some events (referrals) have been seen in seconds
 * (courier `handlers/meta/testdata/fba/referral_seconds.json`): anything below this is taken as seconds.
 */
const SECONDS_BELOW = 100_000_000_000;
/** The latest time a JavaScript Date can hold (ms): later values are malformed, not dates. */
const MAX_DATE_MS = 8.64e15;

/** An epoch time in ms (or seconds, see above) as ISO; undefined when absent or malformed. */
export function epochIso(value: unknown): string | undefined {
  const n = int(value);
  if (n === undefined) return undefined;
  const ms = n < SECONDS_BELOW ? n * 1000 : n;
  return ms <= MAX_DATE_MS ? new Date(ms).toISOString() : undefined;
}

/** An epoch time as ISO, or `fallback` (ms) when absent or malformed. */
export const epochToIso = (value: unknown, fallback: number): string => epochIso(value) ?? new Date(fallback).toISOString();

/**
 * One entry's messaging item, with what every kind needs.
 * @see https://developers.facebook.com/docs/messenger-platform/webhooks#event-notifications
 */
export interface Item {
  raw: Obj;
  /** The customer (absent on page-level events such as policy enforcement). */
  customer?: Customer;
  /** ISO time of the event. */
  timestamp: string;
  /** The raw timestamp, for keys of events without an id. */
  at: string;
}

/**
 * The customer an item is about: the Page-scoped id (PSID) in `sender.id`, and the `user_ref` the chat
 * and checkbox plugins give instead (an opaque reference the Page can answer within the plugin's window).
 * The PSID is the peer when both are sent.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_optins
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_referrals
 */
export function customerOf(sender: unknown, userRef?: string): Customer | undefined {
  const s = isObj(sender) ? sender : {};
  const psid = str(s.id);
  const ref = str(s.user_ref) ?? userRef;
  const id = psid ?? ref;
  if (!id) return undefined;
  const identities: Identity[] = [
    ...(psid ? [{ kind: "page_scoped_id" as const, value: psid }] : []),
    ...(ref ? [{ kind: "opaque_id" as const, value: ref }] : []),
  ];
  return { id, identities };
}

/** The customer of an item that must have one. */
export function customerOrThrow(item: Item, kind: string): Customer {
  if (!item.customer) throw new Error(`${kind} without sender`);
  return item.customer;
}

/** A key for an event without a platform id of its own: its kind, customer, time and a fingerprint. */
export const syntheticKey = (item: Item, kind: string, key = fingerprint(JSON.stringify(item.raw))): string =>
  `${kind}:${item.customer?.id ?? "-"}:${item.at}:${key}`;
