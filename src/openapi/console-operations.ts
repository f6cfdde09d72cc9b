import * as z from "zod";
import { DeliveriesQuery, DeliveryList, Me, MessageList, MessagesQuery, OperatorMe, Stats, StatsQuery, TenantStatsPage, TenantStatsQuery } from "../api/console-schemas";
import { Slug } from "../model";
import type { Operation } from "./operation";

const badQuery = { 400: ["validation_failed"], 422: ["validation_failed"] } satisfies Operation["problems"];

/** What a console reads: messages and deliveries page by page, statistics, and who is signed in. */
export const CONSOLE_OPERATIONS: readonly Operation[] = [
  {
    method: "get",
    path: "/v1/messages",
    operationId: "listMessages",
    tag: "Messages",
    summary: "List messages, newest first",
    description:
      "Every message the tenant sent (from every account, or one), each as `GET /v1/messages/{id}` answers it, newest accepted first, " +
      "filtered by recipient, reference, current status and acceptance time. Page with `cursor`: a page may be short, even empty, when a filter matches " +
      "few messages, and `next` then goes on; the list ends when `next` is absent.",
    access: "messages:read",
    params: { query: MessagesQuery },
    responses: { 200: { description: "A page of messages; `next` is the cursor of the next page.", schema: MessageList } },
    problems: { ...badQuery, 422: ["validation_failed", "unknown_account"] },
  },
  {
    method: "get",
    path: "/v1/endpoints/{id}/deliveries",
    operationId: "listEndpointDeliveries",
    tag: "Endpoints",
    summary: "List an endpoint's latest delivery attempts",
    description: "Each attempt to deliver an event, newest first: its HTTP status (absent when the endpoint did not answer), latency and error. The newest 2,000 attempts of each of the endpoint's outbox shards are kept.",
    access: "endpoints:write",
    params: { path: z.object({ id: Slug.describe("The endpoint's id in your tenant.") }), query: DeliveriesQuery },
    responses: { 200: { description: "A page of attempts; `next` is the cursor of the next page.", schema: DeliveryList } },
    problems: { ...badQuery, 404: ["endpoint_not_found"] },
  },
  {
    method: "get",
    path: "/v1/stats",
    operationId: "getStats",
    tag: "Statistics",
    summary: "Read your traffic statistics",
    description:
      "Per minute of the last `minutes`: messages accepted, sent and failed, customer events received, and events delivered to endpoints; " +
      "failures by reason (messages) and kind (deliveries), by channel, the latency of delivery attempts, and what waits or failed now.",
    access: "messages:read",
    params: { query: StatsQuery },
    responses: { 200: { description: "The statistics.", schema: Stats } },
    problems: { 422: ["validation_failed"] },
  },
  {
    method: "get",
    path: "/v1/me",
    operationId: "whoAmI",
    tag: "Identity",
    summary: "Read which tenant a credential acts for",
    description: "The tenant, the credential's scopes, and how it authenticated (`operator` when an operator acts with `X-Relay-Tenant`).",
    access: "tenant",
    responses: { 200: { description: "The credential's tenant.", schema: Me } },
  },
  {
    method: "get",
    path: "/admin/v1/stats",
    operationId: "listTenantStats",
    tag: "Statistics",
    summary: "Read every tenant's statistics, a page of tenants at a time",
    description: "The statistics of `GET /v1/stats` for each tenant, in id order.",
    access: "operator",
    params: { query: TenantStatsQuery },
    responses: { 200: { description: "A page of tenants with their statistics.", schema: TenantStatsPage } },
    problems: { 422: ["validation_failed"] },
  },
  {
    method: "get",
    path: "/admin/v1/me",
    operationId: "whoAmIOperator",
    tag: "Identity",
    summary: "Check an operator credential",
    access: "operator",
    responses: { 200: { description: "The credential is an operator's.", schema: OperatorMe } },
  },
];
