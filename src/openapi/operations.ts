import { z } from "zod";
import {
  Account,
  AccountList,
  ApiKeyList,
  CreateAccountRequest,
  CreateEndpointRequest,
  CreateTenant,
  DeadLetterList,
  DeadLettersQuery,
  EnableEndpointRequest,
  Endpoint,
  EndpointEnabled,
  EndpointList,
  EndpointWithSecret,
  EndpointWithState,
  Health,
  IdempotencyKey,
  IssuedApiKey,
  IssueKeyRequest,
  MasterKeyRotated,
  Replayed,
  Tenant,
  TenantPage,
  TenantsQuery,
  TenantWithKeys,
  UpdateAccountRequest,
  UpdateEndpointRequest,
  UpdateTenant,
  WebhookReceipt,
} from "../api/schemas";
import type { Scope } from "../config/schema";
import type { ProblemCode } from "../errors";
import { ChannelId, ChatV7Request, MessageRecord, SendAccepted, SendMessageRequest, Slug } from "../model";

/** The groups of the reference, in the order it shows them, with what each is for. */
export const TAGS = {
  Messages: "Send messages in the unified model (or the seed's shape) and read their status.",
  Accounts: "A tenant's channel accounts (self-service): numbers, Pages, bots, with their secrets write-only.",
  Endpoints: "A tenant's webhook endpoints (self-service): filters, state, secrets shown once and rotated.",
  "Dead letters": "Failed messages and undeliverable events, across endpoints or per endpoint.",
  "API keys": "A tenant's own API keys (self-service).",
  Media: "Files customers sent, streamed from their platform.",
  Operator: "Tenants and their keys, and the master key, managed by the relay's operator at runtime.",
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
const accountPath = z.object({ id: Slug.describe("The account's id.") });
const accountNotFound = { 404: ["account_not_found"] } satisfies Operation["problems"];
const endpointPath = z.object({ id: Slug.describe("The endpoint's id in your tenant.") });
const endpointNotFound = { 404: ["endpoint_not_found"] } satisfies Operation["problems"];
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
    method: "post",
    path: "/v1/accounts",
    operationId: "createAccount",
    tag: "Accounts",
    summary: "Connect a channel account",
    description:
      "Validated by its channel's schema. Secrets (tokens, app secrets, passwords) are sealed at rest and never answered again: answers show `secretHints`. Register the answer's `webhookUrl` on the platform.",
    access: "accounts:write",
    body: { schema: CreateAccountRequest },
    responses: { 201: { description: "Connected.", schema: Account, headers: Location } },
    problems: { 404: ["tenant_not_found"], 409: ["account_exists"] },
  },
  {
    method: "get",
    path: "/v1/accounts",
    operationId: "listAccounts",
    tag: "Accounts",
    summary: "List your channel accounts",
    access: "accounts:write",
    responses: { 200: { description: "Every account, without secrets.", schema: AccountList } },
  },
  {
    method: "get",
    path: "/v1/accounts/{id}",
    operationId: "getAccount",
    tag: "Accounts",
    summary: "Read a channel account",
    access: "accounts:write",
    params: { path: accountPath },
    responses: { 200: { description: "The account, without secrets.", schema: Account } },
    problems: accountNotFound,
  },
  {
    method: "patch",
    path: "/v1/accounts/{id}",
    operationId: "updateAccount",
    tag: "Accounts",
    summary: "Change a channel account",
    description: "A JSON merge patch: a secret given replaces the stored one, one left out stays. The result is validated by the channel's schema; `id` and `channel` cannot change.",
    access: "accounts:write",
    params: { path: accountPath },
    body: { schema: UpdateAccountRequest },
    responses: { 200: { description: "The account as it is now.", schema: Account } },
    problems: accountNotFound,
  },
  {
    method: "delete",
    path: "/v1/accounts/{id}",
    operationId: "deleteAccount",
    tag: "Accounts",
    summary: "Remove a channel account",
    description: "Its webhook URL stops answering and sends from it are refused.",
    access: "accounts:write",
    params: { path: accountPath },
    responses: { 204: { description: "Removed." } },
    problems: accountNotFound,
  },
  {
    method: "post",
    path: "/v1/endpoints",
    operationId: "createEndpoint",
    tag: "Endpoints",
    summary: "Create a webhook endpoint",
    description: "Each endpoint has its own outbox and state: a slow one never delays another. The signing secret is in this answer only.",
    access: "endpoints:write",
    body: { schema: CreateEndpointRequest },
    responses: { 201: { description: "Created.", schema: EndpointWithSecret, headers: Location } },
    problems: { 404: ["tenant_not_found"], 409: ["endpoint_exists"], 422: ["url_refused", "unknown_account", "endpoint_limit"] },
  },
  {
    method: "get",
    path: "/v1/endpoints",
    operationId: "listEndpoints",
    tag: "Endpoints",
    summary: "List your endpoints",
    access: "endpoints:write",
    responses: { 200: { description: "Every endpoint, without secrets.", schema: EndpointList } },
  },
  {
    method: "get",
    path: "/v1/endpoints/{id}",
    operationId: "getEndpoint",
    tag: "Endpoints",
    summary: "Read an endpoint with its delivery state",
    access: "endpoints:write",
    params: { path: endpointPath },
    responses: { 200: { description: "Enabled or disabled (and why), with event counts.", schema: EndpointWithState } },
    problems: endpointNotFound,
  },
  {
    method: "patch",
    path: "/v1/endpoints/{id}",
    operationId: "updateEndpoint",
    tag: "Endpoints",
    summary: "Change an endpoint",
    description: "A JSON merge patch of the settings; `null` removes a filter or the description.",
    access: "endpoints:write",
    params: { path: endpointPath },
    body: { schema: UpdateEndpointRequest },
    responses: { 200: { description: "The endpoint as it is now.", schema: Endpoint } },
    problems: { ...endpointNotFound, 422: ["url_refused", "unknown_account"] },
  },
  {
    method: "delete",
    path: "/v1/endpoints/{id}",
    operationId: "deleteEndpoint",
    tag: "Endpoints",
    summary: "Delete an endpoint with its outbox",
    access: "endpoints:write",
    params: { path: endpointPath },
    responses: { 204: { description: "Deleted, with the events it had not delivered." } },
    problems: endpointNotFound,
  },
  {
    method: "post",
    path: "/v1/endpoints/{id}/enable",
    operationId: "enableEndpoint",
    tag: "Endpoints",
    summary: "Enable an endpoint again",
    description: "After 410 Gone or days of failures. With `since`, every event stored since then is delivered again.",
    access: "endpoints:write",
    params: { path: endpointPath },
    body: { schema: EnableEndpointRequest, optional: true },
    responses: { 200: { description: "Enabled; deliveries resume.", schema: EndpointEnabled } },
    problems: endpointNotFound,
  },
  {
    method: "post",
    path: "/v1/endpoints/{id}/rotate-secret",
    operationId: "rotateEndpointSecret",
    tag: "Endpoints",
    summary: "Give an endpoint a new signing secret",
    description: "The new secret is in this answer only. For 24 hours deliveries carry a signature with each secret, so the receiver can switch without a gap.",
    access: "endpoints:write",
    params: { path: endpointPath },
    responses: { 200: { description: "Rotated.", schema: EndpointWithSecret } },
    problems: endpointNotFound,
  },
  {
    method: "get",
    path: "/v1/endpoints/{id}/dead-letters",
    operationId: "listEndpointDeadLetters",
    tag: "Dead letters",
    summary: "List one endpoint's dead letters",
    access: "messages:read",
    params: { path: endpointPath, query: DeadLettersQuery },
    responses: { 200: { description: "Dead letters, oldest first.", schema: DeadLetterList } },
    problems: endpointNotFound,
  },
  {
    method: "post",
    path: "/v1/endpoints/{id}/dead-letters/{letter}/replay",
    operationId: "replayEndpointDeadLetter",
    tag: "Dead letters",
    summary: "Replay a dead letter of one endpoint",
    access: "messages:send",
    params: { path: endpointPath.extend({ letter: z.string().describe("A message id (msg_…) or an event id.") }) },
    responses: { 202: { description: "Queued or due again.", schema: Replayed } },
    problems: { 404: ["endpoint_not_found", "dead_letter_not_found"], 409: ["endpoint_disabled"] },
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
    summary: "Delete a tenant with its keys, accounts and endpoints",
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
    method: "post",
    path: "/admin/v1/master-key/rotate",
    operationId: "rotateMasterKey",
    tag: "Operator",
    summary: "Seal every secret with the current master key",
    description: "After a new key is put first in RELAY_MASTER_KEY: when this answers, the older keys can be removed from the secret.",
    access: "operator",
    responses: { 200: { description: "Every secret is sealed with the first key.", schema: MasterKeyRotated } },
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
