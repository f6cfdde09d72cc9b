import { z } from "zod";
import {
  ApiKeyList,
  CreateTenant,
  DeadLetterList,
  DeadLettersQuery,
  EnableEndpointRequest,
  EndpointEnabled,
  EndpointStatus,
  Health,
  IdempotencyKey,
  IssuedApiKey,
  IssueKeyRequest,
  Replayed,
  Tenant,
  TenantPage,
  TenantsQuery,
  TenantWithKeys,
  UpdateTenant,
  WebhookReceipt,
} from "../api/schemas";
import type { Scope } from "../config/schema";
import type { ProblemCode } from "../errors";
import { ChannelId, ChatV7Request, MessageRecord, SendAccepted, SendMessageRequest, Slug } from "../model";

/** The groups of the reference, in the order it shows them, with what each is for. */
export const TAGS = {
  Messages: "Send messages in the unified model (or the seed's shape) and read their status.",
  "Dead letters": "Failed messages and undeliverable events; the tenant's webhook endpoint.",
  "API keys": "A tenant's own API keys (self-service).",
  Media: "Files customers sent, streamed from their platform.",
  Operator: "Tenants and their keys, managed by the relay's operator at runtime.",
  "Platform webhooks": "Where each messaging platform delivers its events; authenticated by the platform's signature.",
  Service: "Health and this reference.",
} as const;

/** A success answer: its description, and the JSON (or other) body and headers when it has them. */
export interface Reply {
  description: string;
  schema?: z.ZodType;
  /** `application/json` when absent. */
  mediaType?: string;
  headers?: z.ZodObject;
}

/**
 * One route of the app, as the reference describes it. Adding a route to the app is adding one of
 * these; the coverage test fails until both agree.
 */
export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** In OpenAPI form: `/v1/messages/{id}`. */
  path: string;
  operationId: string;
  tag: keyof typeof TAGS;
  summary: string;
  description?: string;
  /** A client credential holding this scope, an operator credential, or none (the route authenticates otherwise). */
  access: Scope | "operator" | "none";
  params?: { path?: z.ZodObject; query?: z.ZodObject; header?: z.ZodObject };
  /** A JSON body; `optional` when an empty request means `{}`. */
  body?: { schema: z.ZodType; optional?: true } | { schema: z.ZodType; mediaType: string; description: string };
  responses: Record<number, Reply>;
  /** Problems this route answers beyond those of its access and body, which the document adds. */
  problems?: Partial<Record<number, ProblemCode[]>>;
}

const Location = z.object({ Location: z.string().describe("Where the created resource is read.") });
const sendProblems = {
  400: ["invalid_idempotency_key"],
  422: ["account_required", "unknown_account", "invalid_recipient", "url_refused", "unsupported_content", "content_refused", "idempotency_key_reused"],
} satisfies Operation["problems"];
const sendAccepted: Reply = {
  description: "Queued: the message is stored and will be sent in order.",
  schema: SendAccepted,
  headers: z.object({
    Location: z.string().describe("/v1/messages/{id}: its status."),
    "Idempotent-Replayed": z.literal("true").optional().describe("Present when this answers an earlier request with the same Idempotency-Key."),
  }),
};
const idempotency = z.object({ "Idempotency-Key": IdempotencyKey.optional() });

const tenantPath = z.object({ id: Slug.describe("The tenant's id.") });
const tenantNotFound = { 404: ["tenant_not_found"] } satisfies Operation["problems"];
const tenantChange = (summary: string, description: string): Omit<Operation, "method" | "path" | "operationId"> => ({
  tag: "Operator",
  summary,
  description,
  access: "operator",
  params: { path: tenantPath },
  responses: { 200: { description: "The tenant as it is now.", schema: Tenant } },
  problems: tenantNotFound,
});

const webhookPath = z.object({
  channel: ChannelId.describe("The platform."),
  accountId: Slug.describe("The channel account, as configured."),
});
const receiveWebhook: Omit<Operation, "path" | "operationId"> = {
  method: "post",
  tag: "Platform webhooks",
  summary: "Receive a platform's events",
  description:
    "Verified on the raw bytes with the platform's own signature, parsed into unified events and answered 200 only once every event is stored. Viber's `webhook` callback is answered here too.",
  access: "none",
  params: { path: webhookPath },
  body: { schema: z.unknown(), mediaType: "*/*", description: "The platform's own payload, exactly as it sends it." },
  responses: { 200: { description: "Every event is stored.", schema: WebhookReceipt } },
  problems: {
    401: ["invalid_signature"],
    404: ["unknown_webhook"],
    413: ["body_too_large"],
    422: ["json_too_deep"],
    503: ["storage_busy"],
  },
};

/**
 * Every public route. Request bodies, parameters and answers are the schemas the routes validate with
 * and type their answers with.
 */
export const OPERATIONS: readonly Operation[] = [
  {
    method: "post",
    path: "/v1/messages",
    operationId: "sendMessage",
    tag: "Messages",
    summary: "Queue a message",
    description: "A channel that lacks the content's kind gets it degraded (numbered choices, links) or refused up front.",
    access: "messages:send",
    params: { header: idempotency },
    body: { schema: SendMessageRequest },
    responses: { 202: sendAccepted },
    problems: sendProblems,
  },
  {
    method: "post",
    path: "/api/v7/chat",
    operationId: "sendChatV7",
    tag: "Messages",
    summary: "Queue a text in the seed's shape",
    description: "A text message from the tenant's default account.",
    access: "messages:send",
    params: { header: idempotency },
    body: { schema: ChatV7Request },
    responses: { 202: sendAccepted },
    problems: sendProblems,
  },
  {
    method: "get",
    path: "/v1/messages/{id}",
    operationId: "getMessage",
    tag: "Messages",
    summary: "Read a message's status and history",
    access: "messages:read",
    params: { path: z.object({ id: z.string().describe("The message id (msg_…) the send answered.") }) },
    responses: { 200: { description: "The message, with each status transition and its time.", schema: MessageRecord } },
    problems: { 404: ["message_not_found"] },
  },
  {
    method: "get",
    path: "/v1/dead-letters",
    operationId: "listDeadLetters",
    tag: "Dead letters",
    summary: "List failed messages and undeliverable events",
    description: "Events are listed while the endpoint is disabled.",
    access: "messages:read",
    params: { query: DeadLettersQuery },
    responses: { 200: { description: "Dead letters, oldest first.", schema: DeadLetterList } },
  },
  {
    method: "post",
    path: "/v1/dead-letters/{id}/replay",
    operationId: "replayDeadLetter",
    tag: "Dead letters",
    summary: "Queue a failed message again, or deliver an event again",
    access: "messages:send",
    params: { path: z.object({ id: z.string().describe("A message id (msg_…) or an event id.") }) },
    responses: { 202: { description: "Queued again.", schema: Replayed } },
    problems: { 404: ["dead_letter_not_found"], 409: ["endpoint_disabled"] },
  },
  {
    method: "get",
    path: "/v1/endpoint",
    operationId: "getEndpoint",
    tag: "Dead letters",
    summary: "Read the webhook endpoint's state",
    access: "messages:read",
    responses: { 200: { description: "Enabled or disabled (and why), with event counts.", schema: EndpointStatus } },
  },
  {
    method: "post",
    path: "/v1/endpoint/enable",
    operationId: "enableEndpoint",
    tag: "Dead letters",
    summary: "Enable the endpoint again",
    description: "With `since`, every event stored since then is delivered again.",
    access: "messages:send",
    body: { schema: EnableEndpointRequest, optional: true },
    responses: { 200: { description: "Enabled; deliveries resume.", schema: EndpointEnabled } },
  },
  {
    method: "post",
    path: "/v1/api-keys",
    operationId: "issueOwnApiKey",
    tag: "API keys",
    summary: "Issue a key of your tenant",
    description: "With at most the scopes of the key that asks. The key is in this answer only; the relay keeps its SHA-256.",
    access: "keys:write",
    body: { schema: IssueKeyRequest, optional: true },
    responses: { 201: { description: "Issued.", schema: IssuedApiKey } },
    problems: { 409: ["tenant_not_in_registry"] },
  },
  {
    method: "get",
    path: "/v1/api-keys",
    operationId: "listOwnApiKeys",
    tag: "API keys",
    summary: "List your tenant's keys",
    access: "keys:write",
    responses: { 200: { description: "Every key, revoked ones too.", schema: ApiKeyList } },
  },
  {
    method: "delete",
    path: "/v1/api-keys/{id}",
    operationId: "revokeOwnApiKey",
    tag: "API keys",
    summary: "Revoke a key of your tenant",
    description: "Refused everywhere within 30 seconds.",
    access: "keys:write",
    params: { path: z.object({ id: z.string().describe("The key's id (key_…).") }) },
    responses: { 204: { description: "Revoked." } },
    problems: { 404: ["api_key_not_found"] },
  },
  {
    method: "get",
    path: "/v1/media/{token}",
    operationId: "getMedia",
    tag: "Media",
    summary: "Stream a file a customer sent",
    description: "The signed token in the URL is the credential: it names one file and lasts an hour. Inbound events carry these URLs.",
    access: "none",
    params: { path: z.object({ token: z.string().describe("The token of an event's media URL.") }) },
    responses: { 200: { description: "The file, with the platform's content type.", schema: z.string(), mediaType: "*/*" } },
    problems: { 404: ["media_not_found"], 410: ["media_url_expired"], 502: ["media_unavailable"] },
  },
  {
    method: "post",
    path: "/admin/v1/tenants",
    operationId: "createTenant",
    tag: "Operator",
    summary: "Create a tenant",
    access: "operator",
    body: { schema: CreateTenant },
    responses: { 201: { description: "Created.", schema: Tenant, headers: Location } },
    problems: { 409: ["tenant_exists"] },
  },
  {
    method: "get",
    path: "/admin/v1/tenants",
    operationId: "listTenants",
    tag: "Operator",
    summary: "List tenants, a page at a time",
    access: "operator",
    params: { query: TenantsQuery },
    responses: { 200: { description: "Tenants in id order.", schema: TenantPage } },
  },
  {
    method: "get",
    path: "/admin/v1/tenants/{id}",
    operationId: "getTenant",
    tag: "Operator",
    summary: "Read a tenant with its keys",
    description: "Keys show their id, scopes and a hint, never the key or its hash.",
    access: "operator",
    params: { path: tenantPath },
    responses: { 200: { description: "The tenant.", schema: TenantWithKeys } },
    problems: tenantNotFound,
  },
  { method: "patch", path: "/admin/v1/tenants/{id}", operationId: "renameTenant", ...tenantChange("Rename a tenant", "Only `name` changes."), body: { schema: UpdateTenant } },
  {
    method: "post",
    path: "/admin/v1/tenants/{id}/suspend",
    operationId: "suspendTenant",
    ...tenantChange("Suspend a tenant", "Its sends get `403 tenant_suspended`; it still reads, and its webhooks are still stored."),
  },
  { method: "post", path: "/admin/v1/tenants/{id}/resume", operationId: "resumeTenant", ...tenantChange("Resume a tenant", "It sends again.") },
  {
    method: "delete",
    path: "/admin/v1/tenants/{id}",
    operationId: "deleteTenant",
    tag: "Operator",
    summary: "Delete a tenant with its keys",
    access: "operator",
    params: { path: tenantPath },
    responses: { 204: { description: "Deleted." } },
    problems: tenantNotFound,
  },
  {
    method: "post",
    path: "/admin/v1/tenants/{id}/api-keys",
    operationId: "issueApiKey",
    tag: "Operator",
    summary: "Issue a key for a tenant",
    description: "`messages:send` and `messages:read` when no scopes are given. The key is in this answer only.",
    access: "operator",
    params: { path: tenantPath },
    body: { schema: IssueKeyRequest, optional: true },
    responses: { 201: { description: "Issued.", schema: IssuedApiKey } },
    problems: tenantNotFound,
  },
  {
    method: "delete",
    path: "/admin/v1/tenants/{id}/api-keys/{keyId}",
    operationId: "revokeApiKey",
    tag: "Operator",
    summary: "Revoke a tenant's key",
    description: "Refused everywhere within 30 seconds.",
    access: "operator",
    params: { path: tenantPath.extend({ keyId: z.string().describe("The key's id (key_…).") }) },
    responses: { 204: { description: "Revoked." } },
    problems: { 404: ["api_key_not_found"] },
  },
  {
    method: "get",
    path: "/webhooks/{channel}/{accountId}",
    operationId: "webhookHandshake",
    tag: "Platform webhooks",
    summary: "Answer a platform's subscription handshake",
    description: "Meta (WhatsApp Cloud, Messenger) checks a new callback URL with `hub.challenge`; other platforms only POST.",
    access: "none",
    params: {
      path: webhookPath,
      query: z.object({
        "hub.mode": z.literal("subscribe").optional(),
        "hub.verify_token": z.string().optional().describe("The account's verify token."),
        "hub.challenge": z.string().optional().describe("Echoed when the verify token matches."),
      }),
    },
    responses: {
      200: { description: "The challenge, echoed.", schema: z.string(), mediaType: "text/plain" },
      403: { description: "The verify token does not match.", schema: z.string(), mediaType: "text/plain" },
    },
    problems: { 404: ["unknown_webhook"], 405: ["method_not_allowed"] },
  },
  { ...receiveWebhook, path: "/webhooks/{channel}/{accountId}", operationId: "receiveWebhook" },
  {
    ...receiveWebhook,
    path: "/webhooks/{channel}/{accountId}/{subpath}",
    operationId: "receiveWebhookBelow",
    summary: "Receive a platform's events below its URL",
    description: "For platforms that call a fixed path below the registered URL (Apple: `<URL>/message`); otherwise as above.",
    params: { path: webhookPath.extend({ subpath: z.string().describe("The platform's own path, e.g. message.") }) },
  },
  {
    method: "get",
    path: "/health",
    operationId: "health",
    tag: "Service",
    summary: "Liveness",
    access: "none",
    responses: { 200: { description: "The relay answers.", schema: Health } },
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openApiDocument",
    tag: "Service",
    summary: "This API as an OpenAPI 3.1 document",
    access: "none",
    responses: { 200: { description: "The document.", schema: z.looseObject({ openapi: z.string() }) } },
  },
  {
    method: "get",
    path: "/docs",
    operationId: "reference",
    tag: "Service",
    summary: "This API as a readable page",
    access: "none",
    responses: { 200: { description: "The reference, rendered from the document.", schema: z.string(), mediaType: "text/html" } },
  },
];
