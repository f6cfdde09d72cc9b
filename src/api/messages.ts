import { Hono } from "hono";
import { planParts } from "../channels/degrade";
import { type AccountConfig, adapterFor } from "../channels/registry";
import { registryAccount, registryTenant, tenantAccounts } from "../registry/directory";
import { loadConfig } from "../config/load";
import { sha256Hex } from "../crypto";
import { ProblemError } from "../errors";
import { staticUrlProblem } from "../transport/guarded-fetch";
import { ChatV7Request, conversationKey, SendMessageRequest, type ConversationAddress, type SendAccepted } from "../model";
import { limitBody, MAX_API_BODY_BYTES, readJsonBody } from "./body";
import type { AppContext, AppEnv } from "./context";
import { conversationOfMessage, newMessageId } from "./message-ids";
import { requireAuth } from "./middleware";
import { IdempotencyKey } from "./schemas";

/**
 * JSON with object keys sorted, so that the same body always has the same fingerprint. Recursive, but
 * only over bodies the API edge has bounded in depth (MAX_API_JSON_DEPTH).
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The account a send goes out from: the one named, else the tenant's default, else its only one. */
async function sendingAccount(c: AppContext, tenant: string, named: string | undefined): Promise<AccountConfig> {
  const accountId = named ?? (await registryTenant(c.env, tenant))?.defaultAccount ?? (await soleAccount(c, tenant));
  const found = await registryAccount(c.env, accountId);
  if (!found || found.tenant !== tenant) throw new ProblemError(422, "unknown_account", `There is no account '${accountId}' in your tenant.`);
  return found.account;
}

async function soleAccount(c: AppContext, tenant: string): Promise<string> {
  const accounts = await tenantAccounts(c.env, tenant);
  if (accounts.length === 1) return accounts[0]!.id;
  throw new ProblemError(
    422,
    "account_required",
    accounts.length === 0
      ? "This tenant has no channel account yet: connect one with POST /v1/accounts before sending."
      : "This tenant has several accounts and no default: set 'account', or make one the default.",
  );
}

/**
 * Validates a send against the tenant's accounts and the channel's capabilities, then queues it — once
 * per `Idempotency-Key` when the client sends one.
 */
async function acceptSend(c: AppContext, request: SendMessageRequest, route: string): Promise<Response> {
  const principal = c.get("principal");
  const account = await sendingAccount(c, principal.tenant, request.account);
  const adapter = adapterFor(account.channel);
  const peer = adapter.normalizePeer(request.to);
  if (!peer) {
    const hint = account.channel.startsWith("whatsapp") ? " (use the international number, or a business-scoped user id)" : "";
    throw new ProblemError(422, "invalid_recipient", `'${request.to}' is not a ${account.channel} recipient${hint}.`);
  }
  const { content } = request;
  const config = loadConfig(c.env).config;
  if ("url" in content) {
    const problem = staticUrlProblem(new URL(content.url), config);
    if (problem) throw new ProblemError(422, "url_refused", `content.url: ${problem}; give a public https URL.`);
  }
  // Refuse now what the platform can never render, rather than fail it later.
  const plan = planParts(content, adapter.capabilities);
  if ("refused" in plan) throw new ProblemError(422, "unsupported_content", `${account.channel}: ${plan.refused}`);
  const refusal = adapter.refuse?.(content, account);
  if (refusal) throw new ProblemError(422, "content_refused", refusal);

  const address: ConversationAddress = { tenant: principal.tenant, channel: account.channel, account: account.id, peer };
  const doId = c.env.CONVERSATIONS.idFromName(conversationKey(address));
  const candidateId = newMessageId(doId);
  const key = c.req.header("idempotency-key");
  if (key === undefined) {
    await c.env.CONVERSATIONS.get(doId).enqueue(address, candidateId, content, request.reference);
    const body: SendAccepted = { id: candidateId, status: "queued", conversation: address };
    return c.json(body, 202, { location: `/v1/messages/${candidateId}` });
  }
  if (!IdempotencyKey.safeParse(key).success) {
    throw new ProblemError(400, "invalid_idempotency_key", "An Idempotency-Key is 1 to 255 visible ASCII characters.");
  }
  const fingerprint = await sha256Hex(`${route}\n${canonicalJson(request)}`);
  const record = c.env.IDEMPOTENCY.get(c.env.IDEMPOTENCY.idFromName(JSON.stringify([principal.tenant, key])));
  const outcome = await record.accept({ fingerprint, candidateId, address, content, reference: request.reference });
  if (outcome.kind === "mismatch") {
    throw new ProblemError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request body; use a new key.");
  }
  const id = outcome.response.id;
  return c.json(outcome.response, 202, {
    location: `/v1/messages/${id}`,
    ...(outcome.replayed && { "idempotent-replayed": "true" }),
  });
}

/** The client API: send messages, read their status. */
export const messagesApi = new Hono<AppEnv>()
  .post("/v1/messages", requireAuth("messages:send"), limitBody(MAX_API_BODY_BYTES), async (c) =>
    acceptSend(c, await readJsonBody(c, SendMessageRequest), "messages"),
  )
  /** The seed's API: `{"id": "49123123456", "message": "Hello world!"}` on the tenant's default account. */
  .post("/api/v7/chat", requireAuth("messages:send"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const chat = await readJsonBody(c, ChatV7Request);
    return acceptSend(c, { to: chat.id, content: { type: "text", text: chat.message } }, "chat-v7");
  })
  .get("/v1/messages/:id", requireAuth("messages:read"), async (c) => {
    const id = c.req.param("id");
    const notFound = () => new ProblemError(404, "message_not_found", `There is no message '${id}' in your tenant.`);
    const conversation = conversationOfMessage(c.env, id);
    if (!conversation) throw notFound();
    const record = await conversation.message(id, c.get("principal").tenant);
    if (!record) throw notFound();
    return c.json(record);
  });
