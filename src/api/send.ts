import { planParts } from "../channels/degrade";
import { type AccountConfig, adapterFor } from "../channels/registry";
import { loadConfig } from "../config/load";
import { WINDOW_RULES, windowPermits } from "../channels/window";
import { conversationShardId, queueMessages, type WindowCheck } from "../delivery/conversation-shards";
import { conversationFacts, conversationWindow, factsKey, peerForRecipient } from "../delivery/customers";
import type { QueuedMessage } from "../delivery/conversation-tables";
import { ProblemError } from "../errors";
import type { ConversationAddress, MessagingWindow, SendMessageRequest, SendWarning } from "../model";
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
export async function prepareSend(c: AppContext, account: AccountConfig, request: SendMessageRequest, bulk = false): Promise<QueuedMessage> {
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

  const to: ConversationAddress = { tenant: c.get("principal").tenant, channel: account.channel, account: account.id, peer };
  // A customer who first wrote with another identity keeps that conversation.
  const address = { ...to, peer: await peerForRecipient(c.env, to) };
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

/** A send the window forbids: refused (`enforce`) or queued with a warning (`advise`). */
export type WindowVerdict = ProblemError | SendWarning | undefined;

/** How a message is checked against its window; none for a template where templates always go. */
function windowCheckOf(message: QueuedMessage, account: AccountConfig): WindowCheck | undefined {
  if (message.content.type === "template" && WINDOW_RULES[message.address.channel].outside.templates === true) return undefined;
  const accountTag = "tag" in account && typeof account.tag === "string" ? account.tag : undefined;
  const tag = message.tag ?? accountTag;
  return { ...(tag !== undefined && { tag }), advise: account.windowPolicy === "advise" };
}

/** What a client is answered for a message whose window did not permit it (none: permitted). */
function verdictOf(account: AccountConfig, closed: MessagingWindow | null | undefined): WindowVerdict {
  if (!closed) return undefined;
  const detail = windowClosedDetail(account.channel, closed);
  if (account.windowPolicy === "advise") return { code: "window_closed", detail };
  return new ProblemError(422, "window_closed", detail, { window: closed });
}

/**
 * Checks each message against its conversation's messaging window before anything is queued (for a
 * request whose messages an idempotency record fixes first).
 */
export async function checkWindows(c: AppContext, items: readonly { message: QueuedMessage; account: AccountConfig }[]): Promise<WindowVerdict[]> {
  const checks = items.map(({ message, account }) => windowCheckOf(message, account));
  const checked = items.filter((_, i) => checks[i] !== undefined);
  if (checked.length === 0) return items.map(() => undefined);
  const facts = await conversationFacts(c.env, checked.map((i) => i.message.address));
  const now = Date.now();
  return items.map(({ message, account }, i) => {
    const check = checks[i];
    if (!check) return undefined;
    const window = conversationWindow(account.channel, facts.get(factsKey(message.address)), now);
    return verdictOf(account, windowPermits(window, message.content, check.tag) ? null : window);
  });
}

/**
 * Checks each message against its window and queues those it permits (or advises on), in one call per
 * outbox shard, where the window's facts are: durable once it resolves.
 */
export async function queueChecked(c: AppContext, items: readonly { message: QueuedMessage; account: AccountConfig }[]): Promise<WindowVerdict[]> {
  const closed = await queueMessages(
    c.env,
    items.map((i) => i.message),
    items.map(({ message, account }) => windowCheckOf(message, account)),
  );
  return items.map(({ account }, i) => verdictOf(account, closed[i]));
}

/** Why a send is outside the window, and what may still go. */
function windowClosedDetail(channel: string, window: MessagingWindow): string {
  const why = window.closedAt
    ? `The messaging window with this customer on ${channel} closed at ${window.closedAt}.`
    : `The customer has not written to this ${channel} account yet (or the relay has not seen it), so the messaging window is not open.`;
  const tags = window.allowed.filter((a) => a.startsWith("tag:")).map((a) => a.slice(4));
  const what = window.allowed.includes("template")
    ? "Send an approved template instead."
    : tags.length > 0
      ? `Send it with one of the message tags ${tags.join(", ")}.`
      : "Nothing can be sent until the customer writes again.";
  return `${why} ${what}`;
}
