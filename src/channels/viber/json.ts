/**
 * Viber's `message_token` is a 64-bit integer sent as a bare JSON number (e.g. 5491231451212373001).
 * `JSON.parse` would round it to the nearest double (5491231451212373000), so two different messages
 * would share one id and statuses would match the wrong message. These keys are kept as exact strings.
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 */
const EXACT_KEYS = new Set(["message_token"]);

const INTEGER = /^-?\d+$/;

/** What V8 passes a reviver as its third argument (JSON.parse source text access, TC39 stage 3). */
interface ReviverContext {
  source?: string;
}

/** Whether this runtime gives revivers the source text of each primitive (workerd does; Node 20 does not). */
export const SOURCE_TEXT_ACCESS: boolean = (() => {
  let seen = false;
  JSON.parse("1", (_key: string, value: unknown, context?: ReviverContext) => {
    seen = typeof context?.source === "string";
    return value;
  });
  return seen;
})();

/**
 * Without source text access: quote the integer after every `"message_token":` key before parsing. Inside
 * a JSON string a quote is always escaped, so this pattern only ever matches an actual key.
 */
const RAW_TOKEN = /("message_token"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g;

/**
 * Parses a Viber JSON body, keeping every `message_token` exact as a string of digits. Throws on
 * malformed JSON, like `JSON.parse`. `sourceAccess` is for tests of the fallback.
 * @see https://github.com/tc39/proposal-json-parse-with-source
 */
export function parseViberJson(text: string, sourceAccess = SOURCE_TEXT_ACCESS): unknown {
  if (!sourceAccess) return JSON.parse(text.replace(RAW_TOKEN, '$1"$2"'));
  return JSON.parse(text, (key: string, value: unknown, context?: ReviverContext) => {
    if (!EXACT_KEYS.has(key) || typeof value !== "number") return value;
    const source = context?.source;
    return source !== undefined && INTEGER.test(source) ? source : String(value);
  });
}

/** A message token as its exact digits, from the parsed body (a string, or a number small enough to be exact). */
export function tokenOf(value: unknown): string | undefined {
  if (typeof value === "string" && INTEGER.test(value)) return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
