/**
 * Bodies, parameters and answers of the HTTP routes beyond the unified model (`src/model`). The routes
 * validate with these schemas and type their answers with them; the OpenAPI document is generated from
 * the same objects, so neither can drift from the other.
 */
import * as z from "zod";
import { AccountConfig } from "../channels/registry";
import { DEFAULT_SCOPES, SCOPES } from "../config/schema";
import { AccountHealth, ConversationAddress, EventType, Slug } from "../model";

/** The largest page a list answers, and the page size when none is asked for. */
const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

/**
 * `?limit=`: a page size. Never refused: a value that is not a positive number means the default, and
 * one beyond the bounds is clamped, so that a client's guess still gets a page.
 */
const PageLimit = z
  .string()
  .optional()
  .transform((v) => Math.min(Math.max(Number(v ?? DEFAULT_PAGE) || DEFAULT_PAGE, 1), MAX_PAGE))
  .meta({
    description: `How many items to answer: 1 to ${MAX_PAGE} (clamped), ${DEFAULT_PAGE} when absent.`,
    // The query string carries text; what the route reads from it is a bounded integer.
    override: { type: "integer", minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
  });

/** The query of `GET /admin/v1/tenants`. */
export const TenantsQuery = z.object({
  limit: PageLimit,
  after: z.string().optional().describe("Answer the tenants after this id: the `next` of the previous page."),
});

/** Conversations answered per page at most. */
const MAX_CONVERSATION_PAGE = 200;

/** The query of `GET /v1/conversations`. */
export const ConversationsQuery = z.object({
  account: Slug.optional().describe("Only this account's conversations."),
  peer: z.string().min(1).max(256).optional().describe("Only the conversation with this customer (as messages are addressed; needs `account` when the tenant has several)."),
  updatedSince: z.iso.datetime().optional().describe("Only conversations updated at or after this time."),
  limit: z.coerce.number().int().min(1).max(MAX_CONVERSATION_PAGE).default(50),
  cursor: z.string().max(2048).optional().describe("`next` of the previous page."),
});

/** The query of `GET /v1/dead-letters`. */
export const DeadLettersQuery = z.object({ limit: PageLimit });

/** An `Idempotency-Key`: 1 to 255 visible ASCII characters. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/)
  .describe("Makes retries safe: the same key with the same body answers the original message for 48 hours.");

/** The body of `POST /admin/v1/tenants`. */
export const CreateTenant = z.object({
  id: Slug.describe("The tenant's id, chosen once: it names the tenant in credentials and JWT subjects."),
  name: z.string().trim().min(1).max(200),
});

/** The body of `PATCH /admin/v1/tenants/{id}`. */
export const UpdateTenant = z.object({ name: z.string().trim().min(1).max(200) }).strict();

/** The body of a key request: its scopes, sending and reading when absent. */
export const IssueKeyRequest = z
  .object({ scopes: z.array(z.enum(SCOPES)).min(1).default([...DEFAULT_SCOPES]).describe("What the key may do.") })
  .strict();

/** The body of `POST /v1/endpoints/{id}/enable`. */
export const EnableEndpointRequest = z
  .object({
    since: z.iso.datetime().optional().describe("Deliver again every event stored since this time (recovery after the backend lost data)."),
  })
  .strict();

/** An endpoint's settings: where events go, which of them, and how long a delivery may take. */
export const EndpointSettings = z
  .object({
    url: z.url({ protocol: /^https?$/ }).describe("Where events are POSTed: https, on a public host."),
    description: z.string().trim().max(500).optional(),
    eventTypes: z.array(EventType).min(1).optional().describe("Only these event types (all when absent)."),
    accounts: z.array(Slug).min(1).max(100).optional().describe("Only events of these channel accounts of the tenant (all when absent)."),
    timeoutMs: z.number().int().min(1000).max(60_000).default(15_000).describe("Every delivery is abandoned (and retried later) after this long."),
  })
  .strict();

/** The body of `POST /v1/endpoints`: the settings, and an id (one is made up when absent). */
export const CreateEndpointRequest = EndpointSettings.extend({ id: Slug.optional().describe("The endpoint's id in your tenant; ep_… when absent.") }).strict();

/** The body of `PATCH /v1/endpoints/{id}`: a JSON merge patch of the settings (`null` removes a filter or the description). */
export const UpdateEndpointRequest = z
  .object({
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()).nullable(),
    accounts: z.array(z.string()).nullable(),
    timeoutMs: z.number(),
  })
  .partial()
  .strict();

/** Whether an account is the one `/api/v7/chat` and `/v1/messages` without `account` send from. */
const DefaultFlag = z.object({ default: z.boolean().optional().describe("Make this the tenant's default account.") });

/** The body of `POST /v1/accounts`: a channel account, validated by its channel's schema. */
export const CreateAccountRequest = z.intersection(AccountConfig, DefaultFlag);

/**
 * The body of `PATCH /v1/accounts/{id}`: a JSON merge patch of the account (a secret given replaces the
 * stored one, one left out stays, `null` removes an optional field); the result is validated by the
 * channel's schema. `default` makes it (or stops it being) the tenant's default.
 */
export const UpdateAccountRequest = z.looseObject({
  default: z.boolean().optional().describe("Make this the tenant's default account, or stop it being."),
  id: z.never({ error: "an account's id cannot change; create another account" }).optional(),
  channel: z.never({ error: "an account's channel cannot change; create another account" }).optional(),
});

const Timestamp = z.iso.datetime();

/** A tenant of the registry. */
export const Tenant = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["active", "suspended"]).describe("A suspended tenant reads but cannot send."),
  defaultAccount: z.string().optional().describe("The account sends go out from when they name none."),
  source: z.enum(["config", "api"]).describe("Declared in RELAY_CONFIG (re-applied when it changes), or created through the API."),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Tenant = z.infer<typeof Tenant>;

/** An API key as the registry shows it: never the key nor its hash. */
export const ApiKey = z.object({
  id: z.string(),
  tenant: z.string(),
  scopes: z.array(z.string()),
  hint: z.string().optional().describe("The key's last four characters; the key itself is never stored (absent for keys RELAY_CONFIG declares by hash)."),
  source: z.enum(["config", "api"]),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.optional().describe("When the key last authenticated, to the minute."),
  revokedAt: Timestamp.optional(),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** A key just issued: the only answer that carries the key. */
export const IssuedApiKey = ApiKey.extend({ key: z.string().describe("The API key, shown this once: store it now.") });
export type IssuedApiKey = z.infer<typeof IssuedApiKey>;

/** `GET /admin/v1/tenants/{id}`: the tenant with its keys. */
export const TenantWithKeys = Tenant.extend({ apiKeys: z.array(ApiKey) });
export type TenantWithKeys = z.infer<typeof TenantWithKeys>;

/** A page of tenants in id order. */
export const TenantPage = z.object({
  items: z.array(Tenant),
  next: z.string().optional().describe("Present when there may be more: pass it as `after`."),
});
export type TenantPage = z.infer<typeof TenantPage>;

/** A tenant's API keys. */
export const ApiKeyList = z.object({ items: z.array(ApiKey) });
export type ApiKeyList = z.infer<typeof ApiKeyList>;

/** A failed outbound message, or an event a disabled endpoint could not take. */
export const DeadLetter = z.object({
  id: z.string(),
  kind: z.enum(["message", "event"]),
  endpoint: z.string().optional().describe("For an event: the endpoint that could not deliver it."),
  conversation: ConversationAddress,
  reason: z.string(),
  detail: z.string().optional(),
  attempts: z.number(),
  at: Timestamp,
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** `GET /v1/dead-letters`. */
export const DeadLetterList = z.object({ items: z.array(DeadLetter) });
export type DeadLetterList = z.infer<typeof DeadLetterList>;

/** A dead letter queued or made due again. */
export const Replayed = z.object({
  id: z.string(),
  replayed: z.literal(true),
  status: z.literal("queued").optional().describe("For a message: queued again."),
  endpoints: z.array(z.string()).optional().describe("For an event: the endpoints delivering it again."),
});
export type Replayed = z.infer<typeof Replayed>;

/** A webhook endpoint of the tenant, never its secret. */
export const Endpoint = z.object({
  id: z.string(),
  tenant: z.string(),
  url: z.string(),
  description: z.string().optional(),
  eventTypes: z.array(z.string()).optional(),
  accounts: z.array(z.string()).optional(),
  timeoutMs: z.number(),
  secretHint: z.string().describe("The signing secret's last four characters."),
  previousSecretExpiresAt: Timestamp.optional().describe("Until then, deliveries are signed with the secret before the last rotation too."),
  source: z.enum(["config", "api"]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Endpoint = z.infer<typeof Endpoint>;

/** `GET /v1/endpoints`. */
export const EndpointList = z.object({ items: z.array(Endpoint) });
export type EndpointList = z.infer<typeof EndpointList>;

/** An endpoint just created, or its secret just rotated: the only answers that carry the secret. */
export const EndpointWithSecret = Endpoint.extend({
  secret: z.string().describe("The Standard Webhooks signing secret (whsec_…), shown this once: store it now."),
});
export type EndpointWithSecret = z.infer<typeof EndpointWithSecret>;

/** An endpoint's delivery state: whether it receives deliveries, why not, and its events by state. */
export const EndpointStatus = z.object({
  state: z.enum(["enabled", "disabled"]),
  reason: z.string().optional(),
  disabledAt: Timestamp.optional(),
  failingSince: Timestamp.optional().describe("Start of the current run of failed deliveries."),
  events: z.record(z.string(), z.number()).describe("How many events are in each state (pending, delivered...)."),
});

/** `GET /v1/endpoints/{id}`: the endpoint with its delivery state. */
export const EndpointWithState = Endpoint.extend(EndpointStatus.shape);
export type EndpointWithState = z.infer<typeof EndpointWithState>;

/** The endpoint enabled again. */
export const EndpointEnabled = z.object({
  state: z.literal("enabled"),
  due: z.number().describe("How many events are due for delivery now."),
});
export type EndpointEnabled = z.infer<typeof EndpointEnabled>;

/**
 * A channel account as every answer shows it: its settings (as the channel's schema has them) without
 * secrets, a hint of each secret, and the URL to register as the platform's webhook.
 */
export const Account = z.looseObject({
  id: z.string(),
  channel: z.string(),
  default: z.boolean().describe("Sends that name no account go out from it."),
  secretHints: z.record(z.string(), z.string()).describe("The last four characters of each secret, by its path (container.password)."),
  webhookUrl: z.string().describe("Register this URL on the platform (Apple: as the base URL)."),
  source: z.enum(["config", "api"]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  warnings: z.array(z.string()).optional().describe("What still keeps the account from working, such as a missing endpoint."),
  health: AccountHealth.optional().describe("Whether the account can send: paused after its credentials were refused or it was disabled, until its settings change."),
});
export type Account = z.infer<typeof Account>;

/** `GET /v1/accounts`. */
export const AccountList = z.object({ items: z.array(Account) });
export type AccountList = z.infer<typeof AccountList>;

/** `POST /admin/v1/master-key/rotate`. */
export const MasterKeyRotated = z.object({
  key: z.string().describe("The id of the key everything is now sealed with: the first of RELAY_MASTER_KEY."),
  resealed: z.number().describe("Secrets sealed again with it now."),
  current: z.number().describe("Secrets that already were."),
});
export type MasterKeyRotated = z.infer<typeof MasterKeyRotated>;

/** What a platform's webhook delivery is answered once its events are stored. */
export const WebhookReceipt = z.object({
  received: z.number().describe("Events stored."),
  skipped: z.number().describe("Items the relay could not read (logged), acknowledged so the platform does not retry them."),
});
export type WebhookReceipt = z.infer<typeof WebhookReceipt>;

/** `GET /health`. */
export const Health = z.object({ ok: z.literal(true) });
export type Health = z.infer<typeof Health>;
