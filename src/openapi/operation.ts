import * as z from "zod";
import type { Scope } from "../config/schema";
import type { ProblemCode } from "../errors";

/** The groups of the reference, in the order it shows them, with what each is for. */
export const TAGS = {
  Messages: "Send messages in the unified model (or the seed's shape) and read their status.",
  Accounts: "A tenant's channel accounts (self-service): numbers, Pages, bots, with their secrets write-only.",
  Endpoints: "A tenant's webhook endpoints (self-service): filters, state, secrets shown once and rotated.",
  Conversations: "Customers, their identities and their messaging window.",
  "Dead letters": "Failed messages and undeliverable events, across endpoints or per endpoint.",
  "API keys": "A tenant's own API keys (self-service).",
  Media: "Files customers sent, streamed from their platform.",
  Statistics: "Traffic per minute, failures by reason, delivery latency and what waits: for the tenant, or for every tenant (operator).",
  Identity: "Who a credential is: the tenant it acts for (and how), or an operator.",
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
  /**
   * A client credential holding this scope, any client credential (`tenant`), an operator credential,
   * or none (the route authenticates otherwise). An operator acts on the client routes with `X-Relay-Tenant`.
   */
  access: Scope | "tenant" | "operator" | "none";
  params?: { path?: z.ZodObject; query?: z.ZodObject; header?: z.ZodObject };
  /** A JSON body; `optional` when an empty request means `{}`. */
  body?: { schema: z.ZodType; optional?: true } | { schema: z.ZodType; mediaType: string; description: string };
  responses: Record<number, Reply>;
  /** Problems this route answers beyond those of its access and body, which the document adds. */
  problems?: Partial<Record<number, ProblemCode[]>>;
}

/** The `Location` header of an answer that created something. */
export const Location = z.object({ Location: z.string().describe("Where the created resource is read.") });
