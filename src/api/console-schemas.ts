/**
 * Parameters and answers of the routes a console reads: lists of messages and delivery attempts,
 * traffic statistics, and who a credential is. Routes validate with these schemas; the OpenAPI document
 * is generated from them.
 */
import * as z from "zod";
import { SCOPES } from "../config/schema";
import { MAX_STATS_MINUTES } from "../delivery/stats";
import { MessageRecord, MessageStatus, Slug } from "../model";

/** The largest page of a console list, and the page size when none is asked for. */
export const MAX_LIST_PAGE = 200;
const DEFAULT_LIST_PAGE = 50;
/** Tenants per page of the operator's statistics: each is read from every shard it has. */
export const MAX_TENANT_STATS_PAGE = 100;
const DEFAULT_TENANT_STATS_PAGE = 20;

const Timestamp = z.iso.datetime();
const limit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback).describe(`How many items to answer: 1 to ${max}, ${fallback} when absent.`);
const cursor = z.string().max(2048).optional().describe("`next` of the previous page, as it was given.");
const minutes = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_STATS_MINUTES)
  .default(60)
  .describe(`How many minutes back, the current one included: 1 to ${MAX_STATS_MINUTES}, 60 when absent.`);

/** The query of `GET /v1/messages`. */
export const MessagesQuery = z
  .object({
    account: Slug.optional().describe("Only this account's messages."),
    to: z.string().min(1).max(256).optional().describe("Only messages to this customer, as sends address them (normalized by each account's channel)."),
    reference: z.string().min(1).max(256).optional().describe("Only messages sent with this `reference`."),
    status: MessageStatus.optional().describe("Only messages in this status now."),
    since: z.iso.datetime().optional().describe("Only messages accepted at or after this time."),
    until: z.iso.datetime().optional().describe("Only messages accepted before this time."),
    limit: limit(MAX_LIST_PAGE, DEFAULT_LIST_PAGE),
    cursor,
  })
  .refine((q) => !q.since || !q.until || Date.parse(q.since) <= Date.parse(q.until), { message: "must not be after `until`", path: ["since"] });

/** `GET /v1/messages`: a page of messages, newest first. */
export const MessageList = z.object({
  items: z.array(MessageRecord),
  next: z.string().optional().describe("Present when there may be more: pass it as `cursor`. A page may be short (even empty) and still have a `next`."),
});
export type MessageList = z.infer<typeof MessageList>;

/** The query of `GET /v1/endpoints/{id}/deliveries`. */
export const DeliveriesQuery = z.object({ limit: limit(MAX_LIST_PAGE, DEFAULT_LIST_PAGE), cursor });

/** One attempt to deliver an event to an endpoint. */
export const Delivery = z.object({
  at: Timestamp.describe("When the attempt ended."),
  eventId: z.string(),
  attempt: z.number().int().describe("1 for the event's first attempt."),
  status: z.number().int().optional().describe("The HTTP status the endpoint answered; absent when it did not answer."),
  latencyMs: z.number().int(),
  error: z.string().optional().describe("Why the attempt failed (`HTTP 503`, a timeout...)."),
  delivered: z.boolean().describe("The endpoint acknowledged the event (2xx)."),
});
export type Delivery = z.infer<typeof Delivery>;

/** `GET /v1/endpoints/{id}/deliveries`: a page of attempts, newest first. */
export const DeliveryList = z.object({
  items: z.array(Delivery),
  next: z.string().optional().describe("Present when there may be more: pass it as `cursor`."),
});
export type DeliveryList = z.infer<typeof DeliveryList>;

/** The query of `GET /v1/stats`. */
export const StatsQuery = z.object({ minutes });

/** The query of `GET /admin/v1/stats`. */
export const TenantStatsQuery = z.object({
  minutes,
  limit: limit(MAX_TENANT_STATS_PAGE, DEFAULT_TENANT_STATS_PAGE),
  after: z.string().max(64).optional().describe("Answer the tenants after this id: the `next` of the previous page."),
});

const count = z.number().int();
const Counts = z.record(z.string(), count);

/** A tenant's traffic over the last minutes. */
export const Stats = z.object({
  from: Timestamp.describe("The window's start: the first minute's."),
  to: Timestamp.describe("The window's end (exclusive): the end of the current minute."),
  minutes: z
    .array(
      z.object({
        minute: Timestamp,
        messages: count.describe("Messages accepted."),
        sent: count.describe("Messages the platform accepted."),
        failed: count.describe("Messages that failed for good."),
        received: count.describe("Customer events stored (messages, edits, opt-ins...; not statuses)."),
        delivered: count.describe("Events the tenant's endpoints acknowledged."),
      }),
    )
    .describe("Every minute of the window, oldest first."),
  failuresByReason: Counts.describe("Failed messages by reason (window_closed, recipient_invalid...) and failed deliveries by kind (endpoint_http_5xx, endpoint_timeout...)."),
  deliveryLatencyMs: z
    .object({ p50: count.nullable(), p90: count.nullable(), p99: count.nullable() })
    .describe("How long delivery attempts in the window took, from the delivery log (its newest attempts); null when there were none."),
  totals: z
    .object({
      queued: count.describe("Messages and events waiting for their first attempt."),
      retrying: count.describe("Messages and events waiting after a failed attempt."),
      dead: count.describe("Failed messages, and events a disabled endpoint holds."),
    })
    .describe("Now, not over the window."),
  byChannel: z.record(z.string(), z.object({ messages: count, sent: count, failed: count, received: count })).describe("The window's counts by channel."),
});
export type Stats = z.infer<typeof Stats>;

/** `GET /admin/v1/stats`: a page of tenants in id order, each with its statistics. */
export const TenantStatsPage = z.object({
  tenants: z.array(Stats.extend({ tenant: z.string() })),
  next: z.string().optional().describe("Present when there may be more: pass it as `after`."),
});
export type TenantStatsPage = z.infer<typeof TenantStatsPage>;

/** `GET /v1/me`: the tenant a credential acts for, and how. */
export const Me = z.object({
  tenant: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  via: z.enum(["api_key", "jwt", "operator"]).describe("`operator`: an operator credential acting as the tenant (X-Relay-Tenant)."),
});
export type Me = z.infer<typeof Me>;

/** `GET /admin/v1/me`: the credential is an operator's. */
export const OperatorMe = z.object({ operator: z.literal(true) });
export type OperatorMe = z.infer<typeof OperatorMe>;
