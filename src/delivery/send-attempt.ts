import { planParts } from "../channels/degrade";
import { adapterFor } from "../channels/registry";
import { ConfigError } from "../config/load";
import type { Env } from "../env";
import { registryAccount } from "../registry/directory";
import { CredentialsRefusedError, UnreachableError } from "../transport/errors";
import type { PendingMessage } from "./conversation-tables";
import { checkMediaUrl } from "./media-check";
import { sendContextFor } from "./send-context";
import type { Attempt } from "./send-outcome";

/**
 * Whether a thrown error is the world's (the network, a timeout, a busy Durable Object, the operator's
 * configuration) rather than a bug in the relay's code.
 * @see https://developers.cloudflare.com/durable-objects/best-practices/error-handling/
 */
function isTransient(e: unknown): boolean {
  if (e instanceof UnreachableError || e instanceof ConfigError) return true;
  if (!(e instanceof Error)) return false;
  const flags = e as { retryable?: unknown; overloaded?: unknown };
  if (flags.retryable === true || flags.overloaded === true) return true;
  // A body cut off while it was read: fetch has answered, so platformFetch did not wrap it.
  return e.name === "TimeoutError" || e.name === "AbortError" || /^Network connection lost|ECONNRESET|socket hang up/i.test(e.message);
}

/**
 * Sends the next part of a head message through its channel adapter. The network, the platform and the
 * configuration fail transiently (retried until the message expires); refused credentials fail it as
 * `auth_failed` (which pauses the account); an error thrown by the relay's own code is `internal`, so that
 * it fails the message after a few attempts instead of holding the queue. `platformIdOf` gives the
 * platform's id of a message the client named (a quote, a reaction), or nothing when the platform never
 * took it.
 */
export async function attemptSend(env: Env, head: PendingMessage, platformIdOf: (id: string) => string | undefined): Promise<Attempt> {
  try {
    return await send(env, head, platformIdOf);
  } catch (e) {
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (e instanceof CredentialsRefusedError) return { kind: "failed", error: { reason: "auth_failed", detail: e.message } };
    return isTransient(e) ? { kind: "retry", detail } : { kind: "internal", detail };
  }
}

async function send(env: Env, head: PendingMessage, platformIdOf: (id: string) => string | undefined): Promise<Attempt> {
  const { address } = head;
  const found = await registryAccount(env, address.account);
  if (!found || found.tenant !== address.tenant) {
    return { kind: "failed", error: { reason: "platform_error", detail: `account '${address.account}' is no longer configured` } };
  }
  const { account } = found;
  const adapter = adapterFor(account.channel);
  const plan = planParts(head.content, adapter.capabilities);
  if ("refused" in plan) return { kind: "failed", error: { reason: "unsupported_content", detail: plan.refused } };
  const part = plan.parts[head.partsSent];
  if (!part) return { kind: "failed", error: { reason: "unsupported_content", detail: "the message renders to nothing on this channel" } };
  const ctx = { ...sendContextFor(env, account), part: head.partsSent };
  const checked = adapter.capabilities.fetchesMedia ? part : await checkMediaUrl(part, ctx.urlPolicy);
  if ("kind" in checked) return checked;
  // The client may name a message by the relay's id: the platform knows it by its own.
  const replyTo = head.replyTo && platformIdOf(head.replyTo);
  let content = checked;
  if (content.type === "reaction") {
    const target = platformIdOf(content.messageId);
    if (!target) return { kind: "failed", error: { reason: "content_rejected", detail: `the message reacted to (${content.messageId}) was never accepted by the platform` } };
    content = { ...content, messageId: target };
  }
  const message = {
    id: head.id,
    content,
    reference: head.reference,
    acceptedAt: new Date(head.createdAt).toISOString(),
    // A quote of a message the platform never took is dropped: a quote is decoration.
    ...(replyTo && { replyTo }),
    ...(head.tag && { tag: head.tag }),
  };
  const result = await adapter.send(message, address.peer, account, ctx);
  return result.kind === "ok" ? { ...result, last: head.partsSent + 1 >= plan.parts.length } : result;
}
