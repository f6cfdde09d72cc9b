import { planParts } from "../channels/degrade";
import { type AccountConfig, adapterFor } from "../channels/registry";
import { loadConfig } from "../config/load";
import { conversationShardId } from "../delivery/conversation-shards";
import type { QueuedMessage } from "../delivery/conversation-store";
import { ProblemError } from "../errors";
import type { ConversationAddress, SendMessageRequest } from "../model";
import { registryAccount, registryTenant, tenantAccounts } from "../registry/directory";
import { staticUrlProblem } from "../transport/guarded-fetch";
import type { AppContext } from "./context";
import { conversationOfMessage, newMessageId, RELAY_MESSAGE_PREFIX } from "./message-ids";

/** The account a send goes out from: the one named, else the tenant's default, else its only one. */
export async function sendingAccount(c: AppContext, tenant: string, named: string | undefined): Promise<AccountConfig> {
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
 * Checks one send against its account and the channel's capabilities, and resolves it to a message for
 * its conversation, with a new id. Throws the ProblemError a client gets for it.
 */
export function prepareSend(c: AppContext, account: AccountConfig, request: SendMessageRequest, bulk = false): QueuedMessage {
  const adapter = adapterFor(account.channel);
  const peer = adapter.normalizePeer(request.to);
  if (!peer) {
    const hint = account.channel.startsWith("whatsapp") ? " (use the international number, or a business-scoped user id)" : "";
    throw new ProblemError(422, "invalid_recipient", `'${request.to}' is not a ${account.channel} recipient${hint}.`);
  }
  const { content } = request;
  if ("url" in content) {
    const problem = staticUrlProblem(new URL(content.url), loadConfig(c.env).config);
    if (problem) throw new ProblemError(422, "url_refused", `content.url: ${problem}; give a public https URL.`);
  }
  // Refuse now what the platform can never render, rather than fail it later.
  const plan = planParts(content, adapter.capabilities);
  if ("refused" in plan) throw new ProblemError(422, "unsupported_content", `${account.channel}: ${plan.refused}`);
  const refusal = adapter.refuse?.(content, account);
  if (refusal) throw new ProblemError(422, "content_refused", refusal);
  if (request.tag && !adapter.capabilities.messageTags) {
    throw new ProblemError(422, "tag_unsupported", `Message tags are a Messenger feature; ${account.channel} sends have none: leave 'tag' out.`);
  }
  // A relay id must name a message the relay made; a platform's id goes to the platform as it is.
  if (request.replyTo?.startsWith(RELAY_MESSAGE_PREFIX) && !conversationOfMessage(c.env, request.replyTo)) {
    throw new ProblemError(422, "invalid_reply_to", `replyTo: '${request.replyTo.slice(0, 80)}' is not a message id of this relay.`);
  }

  const address: ConversationAddress = { tenant: c.get("principal").tenant, channel: account.channel, account: account.id, peer };
  return {
    address,
    id: newMessageId(conversationShardId(c.env, address)),
    content,
    ...(request.reference !== undefined && { reference: request.reference }),
    ...(bulk && { bulk }),
    // Passed on as given: the relay's id of a quoted message is resolved when the message is sent.
    ...(request.replyTo !== undefined && { replyTo: request.replyTo }),
    ...(request.tag !== undefined && { tag: request.tag }),
  };
}

/**
 * JSON with object keys sorted, so that the same body always has the same fingerprint. Recursive, but
 * only over bodies the API edge has bounded in depth (MAX_API_JSON_DEPTH).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
