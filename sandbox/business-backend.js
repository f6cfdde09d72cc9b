// @ts-check
/**
 * A stand-in for a business's webhook receiver: it accepts the relay's Standard Webhooks deliveries,
 * verifies their signatures, keeps what it received, and prints one readable line per event. Faults
 * (errors, delays, hangs, refused connections) can be injected to exercise the relay's delivery retries.
 *
 * Like any Standard Webhooks consumer, it dedupes by `webhook-id`: a delivery whose id was already
 * received (a retry after a timeout or a crash of the sender) is acknowledged with 2xx and counted in
 * `state.redeliveries`, but not recorded (or printed) as an event again.
 * @see https://www.standardwebhooks.com/
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 *
 * Run it:  node sandbox/business-backend.js
 * Environment:
 *   BACKEND_HOST     interface to bind (default 127.0.0.1)
 *   BACKEND_PORT     port (default 9091)
 *   BACKEND_SECRET   the endpoint's signing secret, "whsec_<base64>" (default: the sandbox's public test secret)
 *
 * Control API (no auth): POST /_sandbox/faults, GET /_sandbox/events, POST /_sandbox/reset, and
 * POST /_sandbox/secrets {"path", "secret"} (deliveries to that path verify with that endpoint's secret).
 * Faults: `{"status": 503, "count": 3}` (`retryAfter` adds Retry-After), `{"hang": true}`,
 * `{"delayMs": n}`, and `{"refuse": true, "durationMs": 3000}`: stop listening for that long and drop
 * every open connection (the control API's included), then listen again on the same port.
 */
import { Webhook } from "standardwebhooks";
import {
  BodyTooLargeError,
  FaultRules,
  Refusal,
  TimerSet,
  applyFault,
  closeOnSignals,
  closeServer,
  createJsonServer,
  countFault,
  envInt,
  isMain,
  isObject,
  listen,
  parseJson,
  readBody,
  sendJson,
} from "./http-util.js";

/**
 * The sandbox's public test secret (base64 of "sandbox-signing-secret-12345678"). It is published in
 * this file on purpose and must never sign anything outside a sandbox.
 */
const SANDBOX_SECRET = "whsec_c2FuZGJveC1zaWduaW5nLXNlY3JldC0xMjM0NTY3OA==";

/**
 * @typedef {object} BackendOptions
 * @property {string} secret Standard Webhooks signing secret, "whsec_<base64>"
 * @property {string} [host] default 127.0.0.1
 * @property {number} [port] default 0 (a free port)
 * @property {boolean} [quiet] no log lines
 */

/**
 * @typedef {object} ReceivedEvent A delivery whose signature checked out.
 * @property {string} id the webhook-id header
 * @property {number} timestamp the webhook-timestamp header, unix seconds
 * @property {unknown} payload the parsed body (null when empty)
 * @property {string} path the path it was posted to
 * @property {string} receivedAt ISO time
 * @property {string} raw the body exactly as received
 * @property {Record<string, string>} signature the three Standard Webhooks headers as received
 */

/**
 * @typedef {object} BackendState Live state; `GET /_sandbox/events` serves the same data.
 * @property {ReceivedEvent[]} events verified deliveries, in arrival order, the first of each webhook-id only
 * @property {number} rejected deliveries refused for a bad signature, timestamp or body
 * @property {number} faulted deliveries answered (or left hanging) by a fault rule, not recorded
 * @property {number} redeliveries verified deliveries of a webhook-id received before: acknowledged, not recorded
 * @property {{ id: string, receivedAt: string }[]} redelivered those deliveries' ids, in arrival order
 * @property {import("./http-util.js").FaultRule[]} faults fault rules not used up yet
 * @property {Record<string, number>} faultCounts faults applied, by kind: "5xx", "429", "hang", "slow"
 *   (see faultKind in http-util.js)
 * @property {number} refusals refuse faults started (read-only)
 * @property {boolean} refusing whether connections are being refused right now (read-only)
 */

/**
 * @typedef {object} BackendHandle
 * @property {string} url e.g. http://127.0.0.1:9091
 * @property {number} port
 * @property {() => Promise<void>} close stops the server and drops open sockets
 * @property {BackendState} state
 */

/**
 * One line about a verified event. Payload fields may be missing, so every access is guarded.
 * @param {string} id
 * @param {unknown} payload
 */
function describeEvent(id, payload) {
  const p = isObject(payload) ? payload : {};
  const parts = ["✔ verified", id, typeof p.type === "string" ? p.type : "(no type)"];
  const conversation = isObject(p.conversation) ? p.conversation : {};
  const message = isObject(p.message) ? p.message : undefined;
  const status = isObject(p.status) ? p.status : undefined;
  if (message) {
    const content = isObject(message.content) ? message.content : {};
    if (typeof conversation.channel === "string") parts.push(conversation.channel);
    if (typeof conversation.peer === "string") parts.push(conversation.peer);
    if (typeof content.text === "string") parts.push(JSON.stringify(content.text));
    else if (typeof content.type === "string") parts.push(`[${content.type}]`);
  } else if (status) {
    if (typeof status.messageId === "string") parts.push(status.messageId);
    if (typeof status.status === "string") parts.push(status.status);
    if (typeof status.reason === "string") parts.push(`(${status.reason})`);
  }
  return parts.join(" ");
}

/**
 * Flattens Node's headers to the string map standardwebhooks expects.
 * @param {import("node:http").IncomingHttpHeaders} headers
 * @returns {Record<string, string>}
 */
function flatHeaders(headers) {
  /** @type {Record<string, string>} */
  const flat = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/**
 * Starts a business webhook receiver that verifies Standard Webhooks signatures.
 * @param {BackendOptions} options
 * @returns {Promise<BackendHandle>}
 */
export async function startBackend(options) {
  const { host = "127.0.0.1", port = 0, secret, quiet = false } = options;
  if (!secret) throw new Error("startBackend: a signing secret is required");
  // Built once so a malformed secret fails at start-up rather than on the first delivery.
  const webhook = new Webhook(secret);
  const log = quiet ? () => {} : (/** @type {string} */ line) => console.log(line);

  /** Any path outside the control API is a delivery target, so faults apply to all of them. */
  const faults = new FaultRules((path) => !path.startsWith("/_sandbox/"));
  const timers = new TimerSet();

  /** webhook-ids received (verified) per path, to dedupe redeliveries (each path is its own receiver). */
  const seen = new Set();
  /** Paths that verify with their own endpoint's secret (`POST /_sandbox/secrets`), instead of `secret`. */
  const pathSecrets = new Map();

  /** @type {BackendState} */
  const state = {
    events: [],
    rejected: 0,
    faulted: 0,
    redeliveries: 0,
    redelivered: [],
    faults: faults.rules,
    faultCounts: {},
    get refusals() {
      return refusal.episodes;
    },
    get refusing() {
      return refusal.refusing;
    },
  };

  /**
   * A control request's JSON body, or undefined once it has been answered 400.
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   * @returns {{ value: unknown } | undefined}
   */
  function jsonBody(raw, res) {
    try {
      return { value: parseJson(raw) };
    } catch {
      sendJson(res, 400, { error: "body is not valid JSON" });
      return undefined;
    }
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   */
  function control(method, path, raw, res) {
    if (method === "POST" && path === "/_sandbox/faults") {
      const body = jsonBody(raw, res);
      if (!body) return;
      const input = body.value;
      if (isObject(input) && input.refuse === true) {
        const duration = Refusal.parse(input);
        if (typeof duration === "string") return sendJson(res, 400, { error: duration });
        // Answer first: the refusal drops this connection too.
        res.once("finish", () => refusal.start(duration));
        return sendJson(res, 200, { ok: true });
      }
      const rule = faults.add(isObject(input) ? input : {});
      if (typeof rule === "string") return sendJson(res, 400, { error: rule });
      log(`fault added ${JSON.stringify(rule)}`);
      return sendJson(res, 200, { ok: true });
    }
    if (method === "GET" && path === "/_sandbox/events") {
      return sendJson(res, 200, {
        events: state.events,
        rejected: state.rejected,
        faulted: state.faulted,
        redeliveries: state.redeliveries,
        faultCounts: state.faultCounts,
        refusals: state.refusals,
      });
    }
    if (method === "POST" && path === "/_sandbox/secrets") {
      // An endpoint created at runtime has its own secret, shown once: deliveries to its path verify with it.
      const body = jsonBody(raw, res);
      if (!body) return;
      const input = body.value;
      if (!isObject(input) || typeof input.path !== "string" || !input.path.startsWith("/") || typeof input.secret !== "string") {
        return sendJson(res, 400, { error: 'send {"path": "/…", "secret": "whsec_…"}' });
      }
      try {
        pathSecrets.set(input.path, new Webhook(input.secret));
      } catch {
        return sendJson(res, 400, { error: "secret: a Standard Webhooks secret, whsec_ then base64" });
      }
      log(`deliveries to ${input.path} now verify with their endpoint's own secret`);
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/_sandbox/reset") {
      state.events.length = 0;
      state.rejected = 0;
      state.faulted = 0;
      state.redeliveries = 0;
      state.redelivered.length = 0;
      state.faultCounts = {};
      seen.clear();
      faults.clear();
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: "not found" });
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handle(req, res) {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://sandbox").pathname;

    /** @type {Buffer} */
    let raw;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, { error: err.message });
      throw err;
    }

    if (path.startsWith("/_sandbox/")) return control(method, path, raw, res);
    if (method !== "POST") return sendJson(res, 405, { error: "deliveries are POSTed" }, { allow: "POST" });

    // Faults come before verification: a faulted delivery must not count as received.
    const fault = faults.take(path);
    if (fault) {
      state.faulted += 1;
      countFault(state.faultCounts, fault);
      const what = fault.hang ? "hanging" : `${fault.delayMs ? `delay ${fault.delayMs} ms` : ""}${fault.status ? ` ${fault.status}` : ""}`;
      log(`⚡ fault on POST ${path}: ${what.trim()}`);
      if (await applyFault(fault, res, timers, (status) => ({ error: `sandbox fault ${status}` }))) return;
    }

    const headers = flatHeaders(req.headers);
    const id = headers["webhook-id"] ?? "(no id)";
    /** @type {unknown} */
    let payload;
    try {
      // Checks the HMAC over id.timestamp.body and that the timestamp is within 5 minutes.
      (pathSecrets.get(path) ?? webhook).verify(raw, headers, { jsonParse: false });
    } catch (err) {
      state.rejected += 1;
      log(`✘ rejected ${id}: ${err instanceof Error ? err.message : "invalid signature"}`);
      return sendJson(res, 401, { error: "invalid signature" });
    }
    try {
      payload = parseJson(raw) ?? null;
    } catch {
      state.rejected += 1;
      log(`✘ rejected ${id}: body is not valid JSON`);
      return sendJson(res, 400, { error: "body is not valid JSON" });
    }
    if (seen.has(`${path} ${id}`)) {
      // The sender did not see our earlier 2xx (a timeout, a crash): acknowledge, do not process again.
      state.redeliveries += 1;
      state.redelivered.push({ id, receivedAt: new Date().toISOString() });
      log(`↺ redelivery of ${id}, acknowledged again`);
      return sendJson(res, 200, { ok: true, duplicate: true });
    }
    seen.add(`${path} ${id}`);
    state.events.push({
      id,
      timestamp: Number(headers["webhook-timestamp"]),
      payload,
      path,
      // As received, so that a test can check the signature with its own verifier.
      raw: raw.toString("utf8"),
      signature: { "webhook-id": id, "webhook-timestamp": headers["webhook-timestamp"] ?? "", "webhook-signature": headers["webhook-signature"] ?? "" },
      receivedAt: new Date().toISOString(),
    });
    log(describeEvent(id, payload));
    return sendJson(res, 200, { ok: true });
  }

  const server = createJsonServer("business backend", handle, { error: "sandbox internal error" });
  /** @type {number} */
  let boundPort = port;
  const refusal = new Refusal(server, host, () => boundPort, log);
  const bound = await listen(server, host, port);
  boundPort = bound.port;

  return {
    ...bound,
    state,
    async close() {
      timers.clear();
      refusal.stop();
      for (const socket of refusal.sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

if (isMain(import.meta.url)) {
  const backend = await startBackend({
    host: process.env.BACKEND_HOST || "127.0.0.1",
    port: envInt("BACKEND_PORT", 9091),
    secret: process.env.BACKEND_SECRET || SANDBOX_SECRET,
  });
  console.log(`business backend listening on ${backend.url}`);
  closeOnSignals(backend.close);
}
