/**
 * The public id of a conversation: the account and the customer's peer, so that any request can find the
 * conversation's shard from the id alone (the tenant comes from the caller's credentials).
 */
const PREFIX = "cnv_";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The id of the conversation with `peer` on `account`. */
export function conversationId(account: string, peer: string): string {
  const bytes = encoder.encode(JSON.stringify([account, peer]));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return PREFIX + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The account and peer an id names, or null when it is not a conversation id. */
export function parseConversationId(id: string): { account: string; peer: string } | null {
  if (!id.startsWith(PREFIX) || id.length > 1024) return null;
  try {
    const binary = atob(id.slice(PREFIX.length).replace(/-/g, "+").replace(/_/g, "/"));
    const parsed: unknown = JSON.parse(decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [account, peer] = parsed;
    return typeof account === "string" && typeof peer === "string" && account && peer ? { account, peer } : null;
  } catch {
    return null;
  }
}
