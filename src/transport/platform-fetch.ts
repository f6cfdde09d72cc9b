import { errorKind, UnreachableError } from "./errors";

/**
 * A call to a platform's API, at an origin the operator configured. A network failure or timeout becomes
 * an UnreachableError naming only the host: some platforms put credentials in the path (Telegram's bot
 * token), and the message ends up in logs and retry details.
 */
export async function platformFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (e) {
    let host = "the platform";
    try {
      host = new URL(input instanceof Request ? input.url : input).host;
    } catch {
      // keep the generic name
    }
    throw new UnreachableError(`${host} did not answer (${errorKind(e)})`);
  }
}
