/**
 * The two ways a call to another server can fail before it answers. Delivery tells them apart from the
 * relay's own bugs: these are retried (unreachable) or fail the message with a clear reason (refused);
 * anything else thrown while sending is the relay's fault and fails the message after a few attempts.
 */

/** The network, a timeout or the DNS resolver: try again later. The message never quotes a secret URL. */
export class UnreachableError extends Error {
  override name = "UnreachableError";
}

/** A URL the relay will not fetch (not https, a private address, a redirect into the network...): permanent. */
export class RefusedUrlError extends Error {
  override name = "RefusedUrlError";
}

/** The server refused the account's credentials (a login answered 401 or 403): the account cannot send until they change. */
export class CredentialsRefusedError extends Error {
  override name = "CredentialsRefusedError";
}

/** A body larger than the relay reads: permanent for that body. */
export class TooLargeError extends Error {
  override name = "TooLargeError";
}

/** `error.name` of whatever fetch threw (TimeoutError, TypeError...), without its message, which may quote a URL. */
export const errorKind = (e: unknown) => (e instanceof Error ? e.name : "error");
