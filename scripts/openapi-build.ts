import * as z from "zod";
import { createDocument, type oas31, type ZodOpenApiOperationObject, type ZodOpenApiResponseObject } from "zod-openapi";
import { version } from "../package.json";
import { CreateTenant, EnableEndpointRequest, IssueKeyRequest, IssuedApiKey, Tenant, TenantWithKeys, UpdateTenant } from "../src/api/schemas";
import { Problem, type ProblemCode } from "../src/errors";
import { ChatV7Request, ConversationAddress, InboundEvent, MessageRecord, OutboundContent, SendAccepted, SendMessageRequest } from "../src/model";
import { type Operation, type Reply, TAGS } from "../src/openapi/operation";
import { OPERATIONS } from "../src/openapi/operations";

/** Named in `components.schemas`, so that every use is a `$ref` and the reference shows each once. */
const SCHEMAS = {
  SendMessageRequest,
  ChatV7Request,
  SendAccepted,
  MessageRecord,
  OutboundContent,
  ConversationAddress,
  InboundEvent,
  CreateTenant,
  UpdateTenant,
  Tenant,
  TenantWithKeys,
  IssueKeyRequest,
  IssuedApiKey,
  EnableEndpointRequest,
  Problem,
};

const PROBLEM_JSON = "application/problem+json";

type Problems = NonNullable<Operation["problems"]>;

/** What every authenticated route answers when the credential fails (clients and operators alike). */
const AUTH_PROBLEMS: Problems = {
  401: ["missing_credentials", "invalid_authorization", "invalid_api_key", "invalid_token"],
};
/** What a route that needs a scope (or the operator's `admin`) answers to a credential without it. */
const SCOPE_PROBLEMS: Problems = { 403: ["insufficient_scope"] };
/** What a client route answers for `X-Relay-Tenant`: a tenant's credential naming another, a tenant that does not exist. */
const ACTING_PROBLEMS: Problems = { 403: ["operator_required"], 404: ["tenant_not_found"] };
/** A suspended tenant still reads, but nothing that needs `messages:send`. */
const SEND_PROBLEMS: Problems = { 403: ["tenant_suspended"] };
/** What every route with a JSON body answers when the body is wrong. */
const BODY_PROBLEMS: Problems = {
  400: ["invalid_json"],
  413: ["body_too_large"],
  415: ["unsupported_media_type"],
  422: ["validation_failed", "json_too_deep"],
};

/**
 * The security schemes: tenants' API keys and JWTs (each operation names its scope, which OpenAPI 3.1
 * lets non-OAuth requirements list), and the operator's credential. Webhooks carry none: each
 * platform signs its requests its own way.
 * @see https://spec.openapis.org/oas/v3.1.0#security-requirement-object
 */
const SECURITY_SCHEMES: Record<string, oas31.SecuritySchemeObject> = {
  bearer: {
    type: "http",
    scheme: "bearer",
    description: "A tenant's API key or JWT: `Authorization: Bearer <API key or JWT>`. Each operation names the scope it needs.",
  },
  apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key", description: "The same credential as `X-API-Key: <API key>`." },
  operator: {
    type: "http",
    scheme: "bearer",
    description: "An operator key (its SHA-256 listed in the `ADMIN_KEYS` secret) or a JWT whose scopes include `admin`.",
  },
  actingTenant: {
    type: "apiKey",
    in: "header",
    name: "X-Relay-Tenant",
    description:
      "With an operator credential, a client route acts as this tenant, with every scope (`404 tenant_not_found` when there is none). A tenant's own credential may name only its own tenant (`403 operator_required` otherwise).",
  },
};

/** The problems an operation answers, by status: those its access and body imply, then its own. */
function problemsOf(op: Operation): Map<number, ProblemCode[]> {
  const jsonBody = op.body && !("mediaType" in op.body);
  const sets: Problems[] = [
    op.access !== "none" ? AUTH_PROBLEMS : {},
    op.access !== "none" && op.access !== "tenant" ? SCOPE_PROBLEMS : {},
    op.access !== "none" && op.access !== "operator" ? ACTING_PROBLEMS : {},
    op.access === "messages:send" ? SEND_PROBLEMS : {},
    jsonBody ? BODY_PROBLEMS : {},
    op.problems ?? {},
  ];
  const merged = new Map<number, ProblemCode[]>();
  for (const set of sets) {
    for (const [status, codes = []] of Object.entries(set)) merged.set(Number(status), [...(merged.get(Number(status)) ?? []), ...codes]);
  }
  return merged;
}

const reply = ({ description, schema, mediaType = "application/json", headers }: Reply): ZodOpenApiResponseObject => ({
  description,
  ...(schema && { content: { [mediaType]: { schema } } }),
  ...(headers && { headers }),
});

/**
 * One operation: the table's entry with the problems its access and body imply, its security, and its
 * scope both in words and as `x-required-scope`.
 * @see https://spec.openapis.org/oas/v3.1.0#operation-object
 */
function operation(op: Operation): ZodOpenApiOperationObject {
  const scoped = op.access !== "none" && op.access !== "operator" && op.access !== "tenant" ? op.access : undefined;
  const client = scoped !== undefined || op.access === "tenant";
  const notes = [
    op.description,
    scoped && `Requires the \`${scoped}\` scope.`,
    op.access === "tenant" && "Any valid client credential.",
    op.access === "operator" && "Requires an operator credential.",
  ];
  const clientScopes = scoped ? [scoped] : [];
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, r] of Object.entries(op.responses)) responses[status] = reply(r);
  for (const [status, codes] of problemsOf(op)) {
    responses[status] = { description: `Problem: ${codes.join(", ")}.`, content: { [PROBLEM_JSON]: { schema: Problem } } };
  }
  const body = op.body;
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(notes.some(Boolean) && { description: notes.filter(Boolean).join(" ") }),
    ...(scoped && { "x-required-scope": scoped }),
    security: client
      ? [{ bearer: clientScopes }, { apiKeyHeader: clientScopes }, { operator: [], actingTenant: [] }]
      : op.access === "operator"
        ? [{ operator: [] }]
        : [],
    ...(op.params && { requestParams: op.params }),
    ...(body && {
      requestBody:
        "mediaType" in body
          ? { required: true, description: body.description, content: { [body.mediaType]: { schema: body.schema } } }
          : { required: !body.optional, content: { "application/json": { schema: body.schema } } },
    }),
    // Status codes are integer-like keys: an object lists them in ascending order.
    responses,
  };
}

/**
 * The document from the operations table and the zod schemas the routes use, without `servers` (the
 * Worker adds the origin it is asked at). Built by `npm run openapi` into openapi.json, which the Worker
 * serves; `npm test` fails when that file differs from what this builds.
 * @see https://spec.openapis.org/oas/v3.1.0
 */
export function buildDocument(): oas31.OpenAPIObject {
  const paths: Record<string, Record<string, ZodOpenApiOperationObject>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return createDocument({
    openapi: "3.1.1",
    info: {
      title: "Messenger Relay",
      version,
      description:
        "One HTTPS API for a business to talk to its customers on every messenger, and one signed webhook format for everything they send back. Errors are `application/problem+json` (RFC 9457) with a stable `code`.",
    },
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    webhooks: {
      event: {
        post: {
          operationId: "event",
          summary: "An event, POSTed to the tenant's endpoint",
          description:
            "Signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the endpoint's `whsec_` secret; retried until the endpoint answers 2xx. A redelivery keeps its `webhook-id`.",
          requestParams: {
            header: z.object({
              "webhook-id": z.string().describe("The event's id: the same on every delivery of it."),
              "webhook-timestamp": z.string().describe("Seconds since the epoch."),
              "webhook-signature": z.string().describe("v1,<base64 HMAC-SHA256>, space-separated when several."),
            }),
          },
          requestBody: { required: true, content: { "application/json": { schema: InboundEvent } } },
          responses: {
            200: { description: "Any 2xx acknowledges the event." },
            410: { description: "Disables the endpoint; its events are kept for replay." },
          },
        },
      },
    },
    components: { schemas: SCHEMAS, securitySchemes: SECURITY_SCHEMES },
  });
}
