/**
 * Bodies, parameters and answers of the HTTP routes beyond the unified model (`src/model`). The routes
 * validate with these schemas and type their answers with them; the OpenAPI document is generated from
 * the same objects, so neither can drift from the other.
 */
import { z } from "zod";
import { DEFAULT_SCOPES, SCOPES } from "../config/schema";
import { ConversationAddress, Slug } from "../model";

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

/** The body of `POST /v1/endpoint/enable`. */
export const EnableEndpointRequest = z.object({
  since: z.iso.datetime().optional().describe("Deliver again every event stored since this time (recovery after the backend lost data)."),
});

const Timestamp = z.iso.datetime();

/** A tenant of the registry. */
export const Tenant = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["active", "suspended"]).describe("A suspended tenant reads but cannot send."),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Tenant = z.infer<typeof Tenant>;

/** An API key as the registry shows it: never the key nor its hash. */
export const ApiKey = z.object({
  id: z.string(),
  tenant: z.string(),
  scopes: z.array(z.string()),
  hint: z.string().describe("The key's last four characters; the key itself is never stored."),
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

/** A failed outbound message, or an event the disabled endpoint could not take. */
export const DeadLetter = z.object({
  id: z.string(),
  kind: z.enum(["message", "event"]),
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
});
export type Replayed = z.infer<typeof Replayed>;

/** The tenant's webhook endpoint: whether it receives deliveries, why not, and its events by state. */
export const EndpointStatus = z.object({
  state: z.enum(["enabled", "disabled"]),
  reason: z.string().optional(),
  disabledAt: Timestamp.optional(),
  failingSince: Timestamp.optional().describe("Start of the current run of failed deliveries."),
  events: z.record(z.string(), z.number()).describe("How many events are in each state (pending, delivered...)."),
});
export type EndpointStatus = z.infer<typeof EndpointStatus>;

/** The endpoint enabled again. */
export const EndpointEnabled = z.object({
  state: z.literal("enabled"),
  due: z.number().describe("How many events are due for delivery now."),
});
export type EndpointEnabled = z.infer<typeof EndpointEnabled>;

/** What a platform's webhook delivery is answered once its events are stored. */
export const WebhookReceipt = z.object({
  received: z.number().describe("Events stored."),
  skipped: z.number().describe("Items the relay could not read (logged), acknowledged so the platform does not retry them."),
});
export type WebhookReceipt = z.infer<typeof WebhookReceipt>;

/** `GET /health`. */
export const Health = z.object({ ok: z.literal(true) });
export type Health = z.infer<typeof Health>;
