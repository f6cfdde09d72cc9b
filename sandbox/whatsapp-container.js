// @ts-check
/**
 * A stand-in for the WhatsApp Business API On-Premises container, for local development and tests.
 * It speaks the container's REST dialect (`/v1/...`) closely enough for the relay: login with Basic
 * auth for a bearer token, send messages, and get `sent`/`delivered`/`read` status callbacks and
 * injected customer messages POSTed to the configured webhook URL, with retries like the real one.
 * A control API under `/_sandbox/*` (no auth) injects faults and customer messages and shows state.
 *
 * Faults (`POST /_sandbox/faults`): `{"status": 503, "count": 3}` answers the next three API calls with
 * 503 (`retryAfter` adds Retry-After), `{"hang": true}` never answers, `{"delayMs": n}` answers late,
 * `{"expireTokens": true}` revokes every bearer token, and `{"refuse": true, "durationMs": 3000}` stops
 * listening for that long (connections are refused) and drops every open connection, the control
 * API's included, then listens again on the same port. `"to": "<recipient>"` limits a rule to sends to
 * that recipient. Status faults answer the container's own codes: 503 → 1014, 429 → 1015, 400 → 1008,
 * 404 → 1006, others → 1000.
 *
 * `POST /v1/messages` honours an `Idempotency-Key` header, as a proxy in front of the real container
 * could: a repeat of a key already accepted answers the original response and is not sent again (nor
 * recorded); the same key with a different body is refused with 422.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference
 *
 * Run it:  node sandbox/whatsapp-container.js
 * Environment (all optional):
 *   WA_CONTAINER_HOST         interface to bind (default 127.0.0.1)
 *   WA_CONTAINER_PORT         port (default 9090)
 *   WA_CONTAINER_USERNAME     login user name (default admin)
 *   WA_CONTAINER_PASSWORD     login password (default sandbox-password)
 *   WA_WEBHOOK_URL            where callbacks go, e.g. http://127.0.0.1:8787/webhooks/...?secret=...
 *   WA_ACCESS_CLIENT_ID       with WA_ACCESS_CLIENT_SECRET: require these Cloudflare Access service
 *   WA_ACCESS_CLIENT_SECRET   token headers on every /v1 request, like an Access-protected tunnel
 *   WA_TOKEN_TTL_SECONDS      bearer token lifetime (default 604800, 7 days like the real container)
 *   WA_STATUS_DELAY_MS        pause before each status callback (default 100)
 *
 * Recipient numbers with special behaviour: `0...` is not a WhatsApp user (1013), `470...` fails at
 * once with 470 (outside the 24-hour window), `471...` is accepted and then gets a `failed` status.
 * `PUT /v1/messages/{id}` with `{"status": "read"}` is recorded in `state.reads`; ids starting with
 * `unknown` answer 404 (1006) like a message the container never received.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
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

/** Every JSON answer of the real container carries this. */
const META = { api_status: "stable", version: "2.53.2" };

const MESSAGE_TYPES = [
  "text", "image", "audio", "video", "document", "sticker",
  "location", "contacts", "template", "hsm", "interactive", "reaction",
];
const MAX_TEXT = 4096;
const OUTSIDE_WINDOW_TITLE =
  "Message failed to send because more than 24 hours have passed since the customer last replied to this number";

/** Callback retries: the real container starts at 3 s and doubles to 15 min; scaled down here. */
const RETRY_FIRST_DELAY_MS = 200;
const RETRY_MAX_DELAY_MS = 5000;
const RETRY_MAX_ATTEMPTS = 20;
/** A callback that takes longer than this counts as a failed attempt. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * @typedef {object} ContainerOptions
 * @property {string} [host] default 127.0.0.1
 * @property {number} [port] default 0 (a free port)
 * @property {string} [username] default "admin"
 * @property {string} [password] default "sandbox-password"
 * @property {number} [tokenTtlSeconds] default 604800
 * @property {string} [webhookUrl] callback URL, used exactly as given (query string included)
 * @property {{ clientId: string, clientSecret: string }} [access] require these Access service-token headers
 * @property {number} [statusDelayMs] pause before each status callback, default 100
 * @property {string[]} [statuses] statuses sent for each accepted message, default sent, delivered, read
 * @property {boolean} [quiet] no request log
 */

/**
 * @typedef {object} SentMessage A `POST /v1/messages` the container accepted.
 * @property {string} id
 * @property {Record<string, unknown>} body the parsed request body
 * @property {{ authorization?: string, "cf-access-client-id"?: string,
 *   "cf-access-client-secret"?: string, "content-type"?: string, "idempotency-key"?: string }} headers
 * @property {string} receivedAt ISO time
 */

/**
 * @typedef {object} WebhookAttempt One attempt to deliver a callback.
 * @property {unknown} body
 * @property {number | "error"} status the HTTP status the receiver answered, or "error" (no answer)
 * @property {number} attempt 1 for the first try of this callback
 * @property {string} at ISO time
 */

/**
 * @typedef {object} ContainerState Live state; `GET /_sandbox/state` serves the same object.
 * @property {number} logins successful logins
 * @property {SentMessage[]} messages
 * @property {WebhookAttempt[]} webhooks
 * @property {string | null} webhookUrl assigning it also flushes callbacks queued while it was unset
 * @property {number} pending callbacks waiting for delivery (read-only)
 * @property {import("./http-util.js").FaultRule[]} faults fault rules not used up yet
 * @property {Record<string, number>} faultCounts faults applied to API calls, by kind: "5xx", "429",
 *   "hang", "slow" (see faultKind in http-util.js)
 * @property {number} refusals refuse faults started (read-only)
 * @property {boolean} refusing whether connections are being refused right now (read-only)
 * @property {number} idempotentReplays sends answered from an earlier one with the same Idempotency-Key
 * @property {{ key: string, at: string }[]} replays those sends' keys and times, in order
 * @property {number} idempotencyMismatches sends refused for reusing a key with another body
 * @property {ReadReceipt[]} reads messages marked read (`PUT /v1/messages/{id}`), in order
 */

/**
 * @typedef {object} ReadReceipt A `PUT /v1/messages/{id}` with `{"status": "read"}` the container accepted.
 * @property {string} id the message marked read
 * @property {string | undefined} authorization the bearer token it came with
 * @property {string} at ISO time
 */

/**
 * @typedef {object} ContainerHandle
 * @property {string} url e.g. http://127.0.0.1:9090
 * @property {number} port
 * @property {() => Promise<void>} close stops the server, drops open sockets and queued callbacks
 * @property {ContainerState} state
 */

/**
 * Compares two secrets without leaking where they differ through timing.
 * @param {string} a
 * @param {string} b
 */
function sameSecret(a, b) {
  const digest = (/** @type {string} */ s) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The container's `expires_after` format, "2018-03-01 15:29:26+00:00".
 * @param {number} ms
 */
function containerTime(ms) {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00:00`;
}

const unixSeconds = () => String(Math.floor(Date.now() / 1000));

/**
 * An On-Premises error answer.
 * @param {number} code
 * @param {string} title
 * @param {string} [details]
 */
function errorBody(code, title, details) {
  return { errors: [{ code, title, ...(details !== undefined && { details }) }], meta: META };
}

/**
 * The error a fault answers with, by HTTP status.
 * @param {number} status
 */
function faultErrorBody(status) {
  if (status === 503) return errorBody(1014, "Internal error", "sandbox fault");
  if (status === 429) return errorBody(1015, "Too many requests", "sandbox fault");
  if (status === 400) return errorBody(1008, "Required parameter is missing", "sandbox fault");
  if (status === 404) return errorBody(1006, "Resource not found", "sandbox fault");
  return errorBody(1000, "Generic error", "sandbox fault");
}

/**
 * The `to` of a send, so that a fault rule can name its recipient.
 * @param {Buffer} raw
 */
function recipientOf(raw) {
  try {
    const body = parseJson(raw);
    return isObject(body) && typeof body.to === "string" ? body.to : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks the type-specific part of a message; returns an error answer body, or undefined when fine.
 * Only what the relay could plausibly get wrong is checked, not every field the real API knows.
 * @param {string} type
 * @param {unknown} content the value under the key named by `type`
 */
function contentError(type, content) {
  const missing = (/** @type {string} */ what) => errorBody(1008, "Required parameter is missing", what);
  if (type === "contacts") {
    // The one type whose content is a list of contact cards.
    return Array.isArray(content) && content.length > 0 ? undefined : missing("contacts must be a non-empty array");
  }
  if (!isObject(content)) return missing(`${type} object`);
  switch (type) {
    case "text":
      if (typeof content.body !== "string" || content.body === "") return missing("text.body");
      if (content.body.length > MAX_TEXT) {
        return errorBody(100, "Invalid parameter", `text.body is longer than ${MAX_TEXT} characters`);
      }
      return undefined;
    case "image":
    case "audio":
    case "video":
    case "document":
    case "sticker":
      return typeof content.id === "string" || typeof content.link === "string"
        ? undefined
        : missing(`${type}.id or ${type}.link`);
    case "location":
      return typeof content.latitude === "number" && typeof content.longitude === "number"
        ? undefined
        : missing("location.latitude and location.longitude");
    case "template":
      return typeof content.name === "string" && isObject(content.language)
        ? undefined
        : missing("template.name and template.language");
    case "hsm":
      return typeof content.namespace === "string" && typeof content.element_name === "string"
        ? undefined
        : missing("hsm.namespace and hsm.element_name");
    case "interactive":
      return typeof content.type === "string" && isObject(content.action)
        ? undefined
        : missing("interactive.type and interactive.action");
    case "reaction":
      return typeof content.message_id === "string" && typeof content.emoji === "string"
        ? undefined
        : missing("reaction.message_id and reaction.emoji");
    default:
      return undefined;
  }
}

/**
 * A URL fit for the log: the webhook URL's query string may hold the relay's secret.
 * @param {string} url
 */
function loggableUrl(url) {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid url)";
  }
}

/**
 * A short description of a callback for the log.
 * @param {unknown} body
 */
function describeCallback(body) {
  if (!isObject(body)) return "callback";
  const status = Array.isArray(body.statuses) ? body.statuses[0] : undefined;
  if (isObject(status)) return `status ${status.id} ${status.status} for ${status.recipient_id}`;
  const message = Array.isArray(body.messages) ? body.messages[0] : undefined;
  if (isObject(message)) return `message ${message.id} from ${message.from}`;
  return "callback";
}

/**
 * Starts a WhatsApp On-Premises container stand-in.
 * @param {ContainerOptions} [options]
 * @returns {Promise<ContainerHandle>}
 */
export async function startContainer(options = {}) {
  const {
    host = "127.0.0.1",
    port = 0,
    username = "admin",
    password = "sandbox-password",
    tokenTtlSeconds = 604800,
    access,
    statusDelayMs = 100,
    statuses = ["sent", "delivered", "read"],
    quiet = false,
  } = options;
  const log = quiet ? () => {} : (/** @type {string} */ line) => console.log(line);

  /** Issued bearer tokens and when each expires (ms). Revoking a token deletes it. */
  const tokens = new Map();
  /** Uploaded media by id. */
  const media = new Map();
  /** Callbacks not yet delivered, oldest first: one FIFO so `sent` arrives before `delivered`. */
  /** @type {unknown[]} */
  const queue = [];
  /** Faults target the container's API; login is left alone unless a rule names it explicitly. */
  const faults = new FaultRules((path) => path.startsWith("/v1/") && path !== "/v1/users/login");
  /** Fault delays of in-flight requests; cleared on close. */
  const requestTimers = new TimerSet();
  /** Status schedules and retry back-offs; cleared on reset and close. */
  const webhookTimers = new TimerSet();
  let webhookUrl = options.webhookUrl ?? null;
  let closed = false;
  /** Bumped on reset so a delivery loop from before the reset stops when its await returns. */
  let generation = 0;
  let delivering = false;
  /** @type {AbortController | undefined} */
  let inFlight;
  /**
   * Accepted sends by Idempotency-Key: the body's digest and the answer given.
   * @type {Map<string, { digest: string, status: number, body: unknown }>}
   */
  const idempotency = new Map();

  /** @type {ContainerState} */
  const state = {
    logins: 0,
    messages: [],
    webhooks: [],
    get webhookUrl() {
      return webhookUrl;
    },
    set webhookUrl(url) {
      webhookUrl = url || null;
      void deliver();
    },
    get pending() {
      return queue.length;
    },
    faults: faults.rules,
    faultCounts: {},
    get refusals() {
      return refusal.episodes;
    },
    get refusing() {
      return refusal.refusing;
    },
    idempotentReplays: 0,
    replays: [],
    idempotencyMismatches: 0,
    reads: [],
  };

  /** @param {unknown} body */
  function enqueue(body) {
    queue.push(body);
    void deliver();
  }

  /**
   * Delivers queued callbacks one at a time, in order. A failed callback is retried with a growing
   * delay and holds up the ones behind it, as in the real container; after the last attempt it is dropped.
   */
  async function deliver() {
    if (delivering || closed) return;
    delivering = true;
    const myGeneration = generation;
    let attempt = 0;
    while (queue.length > 0 && webhookUrl && !closed && generation === myGeneration) {
      const body = queue[0];
      attempt += 1;
      /** @type {number | "error"} */
      let status = "error";
      inFlight = new AbortController();
      const timeout = setTimeout(() => inFlight?.abort(), WEBHOOK_TIMEOUT_MS);
      try {
        const res = await fetch(webhookUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          redirect: "manual",
          signal: inFlight.signal,
        });
        status = res.status;
        await res.arrayBuffer().catch(() => {}); // finish the exchange so the connection is reused
      } catch {
        status = "error";
      } finally {
        clearTimeout(timeout);
      }
      if (closed || generation !== myGeneration) return; // reset or closed meanwhile: this loop is stale
      state.webhooks.push({ body, status, attempt, at: new Date().toISOString() });
      const ok = typeof status === "number" && status >= 200 && status < 300;
      const what = `webhook ${describeCallback(body)} -> ${loggableUrl(webhookUrl)}`;
      if (ok || attempt >= RETRY_MAX_ATTEMPTS) {
        log(ok ? `${what}: ${status}` : `${what}: ${status}, giving up after ${attempt} attempts`);
        queue.shift();
        attempt = 0;
        continue;
      }
      const delay = Math.min(RETRY_FIRST_DELAY_MS * 2 ** (attempt - 1), RETRY_MAX_DELAY_MS);
      log(`${what}: ${status}, attempt ${attempt}, retrying in ${delay} ms`);
      await webhookTimers.sleep(delay); // never resolves if reset/closed: the loop just ends
    }
    if (generation === myGeneration) delivering = false;
  }

  /**
   * Queues the status callbacks of an accepted message, each after statusDelayMs.
   * @param {string} id
   * @param {string} to
   */
  function scheduleStatuses(id, to) {
    const outsideWindow = to.startsWith("471");
    /** @type {Record<string, unknown>[]} */
    const steps = outsideWindow
      ? [
          { status: "sent" },
          { status: "failed", errors: [{ code: 470, title: `${OUTSIDE_WINDOW_TITLE}.` }] },
        ]
      : statuses.map((status) => ({ status }));
    const next = (/** @type {number} */ i) => {
      const step = steps[i];
      if (!step) return;
      webhookTimers.after(statusDelayMs, () => {
        enqueue({ statuses: [{ id, recipient_id: to, ...step, timestamp: unixSeconds() }] });
        next(i + 1);
      });
    };
    next(0);
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @returns {boolean} whether the request carries a live bearer token
   */
  function hasValidToken(req) {
    const auth = req.headers.authorization ?? "";
    if (!/^bearer /i.test(auth)) return false;
    const expiresAt = tokens.get(auth.slice(7).trim());
    return expiresAt !== undefined && Date.now() < expiresAt;
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @returns {boolean} whether Basic auth names the configured user
   */
  function hasValidLogin(req) {
    const auth = req.headers.authorization ?? "";
    if (!/^basic /i.test(auth)) return false;
    const decoded = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    // Check both halves so the comparison time does not reveal which one was wrong.
    const userOk = sameSecret(decoded.slice(0, colon), username);
    const passwordOk = sameSecret(decoded.slice(colon + 1), password);
    return userOk && passwordOk;
  }

  /** @param {import("node:http").IncomingMessage} req */
  function hasAccess(req) {
    if (!access) return true;
    const id = req.headers["cf-access-client-id"];
    const secret = req.headers["cf-access-client-secret"];
    return (
      typeof id === "string" &&
      typeof secret === "string" &&
      sameSecret(id, access.clientId) &&
      sameSecret(secret, access.clientSecret)
    );
  }

  /**
   * The control API: no auth, not behind the access gate, never faulted.
   * @param {string} method
   * @param {string} path
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   * @returns {string} a note for the request log
   */
  function control(method, path, raw, res) {
    /** @type {unknown} */
    let input;
    try {
      input = parseJson(raw);
    } catch {
      sendJson(res, 400, { error: "body is not valid JSON" });
      return "";
    }
    const body = isObject(input) ? input : {};
    if (method === "POST" && path === "/_sandbox/faults" && body.refuse === true) {
      const duration = Refusal.parse(body);
      if (typeof duration === "string") {
        sendJson(res, 400, { error: duration });
        return "";
      }
      // Answer first: the refusal drops this connection too.
      res.once("finish", () => refusal.start(duration));
      sendJson(res, 200, { ok: true });
      return `refusing connections for ${duration} ms`;
    }
    if (method === "POST" && path === "/_sandbox/faults") {
      if (body.expireTokens === true) tokens.clear();
      const { expireTokens, ...rest } = body;
      // expireTokens alone is an action, not a rule; with status/delayMs/hang it is both.
      if (expireTokens === true && Object.keys(rest).length === 0) {
        sendJson(res, 200, { ok: true });
        return "tokens revoked";
      }
      const rule = faults.add(rest);
      if (typeof rule === "string") {
        sendJson(res, 400, { error: rule });
        return "";
      }
      sendJson(res, 200, { ok: true });
      return `fault ${JSON.stringify(rule)}${expireTokens === true ? ", tokens revoked" : ""}`;
    }
    if (method === "POST" && path === "/_sandbox/inbound") {
      const from = body.from;
      const custom = body.message;
      if (typeof from !== "string" || from === "") {
        sendJson(res, 400, { error: "from is required" });
        return "";
      }
      if (typeof body.text !== "string" && !isObject(custom)) {
        sendJson(res, 400, { error: "text or message is required" });
        return "";
      }
      if (body.id !== undefined && (typeof body.id !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(body.id))) {
        sendJson(res, 400, { error: "id must be 1 to 128 letters, digits, _ or -" });
        return "";
      }
      // A caller that retries an injection it got no answer to passes its own id: a repeat is then the
      // same customer message delivered twice, which the relay must recognise.
      const id = typeof body.id === "string" ? body.id : `ABGG${randomBytes(18).toString("base64url")}`;
      const content = isObject(custom) ? custom : { type: "text", text: { body: body.text } };
      const name = typeof body.name === "string" ? body.name : "Sandbox Customer";
      enqueue({
        contacts: [{ profile: { name }, wa_id: from }],
        messages: [{ from, id, timestamp: unixSeconds(), ...content }],
      });
      sendJson(res, 200, { id });
      return `inbound ${id} from ${from}`;
    }
    if (method === "GET" && path === "/_sandbox/state") {
      sendJson(res, 200, state);
      return "";
    }
    if (method === "POST" && path === "/_sandbox/reset") {
      generation += 1; // abandons a delivery in flight
      delivering = false;
      inFlight?.abort();
      webhookTimers.clear();
      queue.length = 0;
      state.messages.length = 0;
      state.webhooks.length = 0;
      state.logins = 0;
      state.faultCounts = {};
      state.idempotentReplays = 0;
      state.replays.length = 0;
      state.idempotencyMismatches = 0;
      state.reads.length = 0;
      idempotency.clear();
      faults.clear();
      tokens.clear();
      media.clear();
      sendJson(res, 200, { ok: true });
      return "reset";
    }
    sendJson(res, 404, { error: "not found" });
    return "";
  }

  /**
   * The container's own API, after the access gate, faults and (except login) the token check.
   * @param {import("node:http").IncomingMessage} req
   * @param {string} method
   * @param {string} path
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   * @returns {string} a note for the request log
   */
  function api(req, method, path, raw, res) {
    if (method === "POST" && path === "/v1/users/login") {
      if (!hasValidLogin(req)) {
        sendJson(res, 401, errorBody(1005, "Access denied", "Invalid credentials"));
        return "";
      }
      // Whole seconds, so the expiry we enforce is exactly the one expires_after states.
      const expiresAt = Math.floor(Date.now() / 1000) * 1000 + tokenTtlSeconds * 1000;
      const token = randomBytes(32).toString("base64url");
      tokens.set(token, expiresAt);
      state.logins += 1;
      sendJson(res, 200, { users: [{ token, expires_after: containerTime(expiresAt) }], meta: META });
      return `login #${state.logins}`;
    }

    if (!hasValidToken(req)) {
      sendJson(res, 401, errorBody(1005, "Access denied", "Invalid or expired token"));
      return "";
    }

    /** @type {unknown} */
    let input;
    if (method !== "GET" && !(method === "POST" && path === "/v1/media")) {
      try {
        input = parseJson(raw);
      } catch {
        sendJson(res, 400, errorBody(1000, "Generic error", "request body is not valid JSON"));
        return "";
      }
    }

    if (method === "POST" && path === "/v1/messages") {
      const key = req.headers["idempotency-key"];
      const digest = createHash("sha256").update(raw).digest("hex");
      const earlier = typeof key === "string" ? idempotency.get(key) : undefined;
      if (earlier && earlier.digest !== digest) {
        state.idempotencyMismatches += 1;
        sendJson(res, 422, errorBody(100, "Invalid parameter", "Idempotency-Key reused with a different request body"));
        return `idempotency key ${key} reused with another body`;
      }
      if (earlier) {
        state.idempotentReplays += 1;
        state.replays.push({ key: String(key), at: new Date().toISOString() });
        sendJson(res, earlier.status, earlier.body);
        return `idempotent replay of ${key}`;
      }
      if (!isObject(input)) {
        sendJson(res, 400, errorBody(100, "Invalid parameter", "body must be a JSON object"));
        return "";
      }
      const to = input.to;
      // The real API defaults `type` to text.
      const type = input.type ?? "text";
      if (typeof to !== "string" || to === "") {
        sendJson(res, 400, errorBody(1008, "Required parameter is missing", "to"));
        return "";
      }
      if (typeof type !== "string" || !MESSAGE_TYPES.includes(type)) {
        sendJson(res, 400, errorBody(100, "Invalid parameter", `type must be one of ${MESSAGE_TYPES.join(", ")}`));
        return "";
      }
      const invalid = contentError(type, input[type]);
      if (invalid) {
        sendJson(res, 400, invalid);
        return `rejected to=${to}`;
      }
      if (to.startsWith("0")) {
        sendJson(res, 400, errorBody(1013, "User is not valid"));
        return `rejected to=${to} (not a WhatsApp user)`;
      }
      if (to.startsWith("470")) {
        sendJson(res, 400, errorBody(470, OUTSIDE_WINDOW_TITLE));
        return `rejected to=${to} (outside 24h window)`;
      }
      const id = `gBEG${randomBytes(18).toString("base64url")}`;
      const h = req.headers;
      state.messages.push({
        id,
        body: input,
        headers: {
          authorization: h.authorization,
          "cf-access-client-id": /** @type {string | undefined} */ (h["cf-access-client-id"]),
          "cf-access-client-secret": /** @type {string | undefined} */ (h["cf-access-client-secret"]),
          "content-type": h["content-type"],
          ...(typeof key === "string" && { "idempotency-key": key }),
        },
        receivedAt: new Date().toISOString(),
      });
      const answer = { messages: [{ id }], meta: META };
      // Only accepted sends are remembered: a refused one left nothing to repeat.
      if (typeof key === "string") idempotency.set(key, { digest, status: 200, body: answer });
      sendJson(res, 200, answer);
      scheduleStatuses(id, to);
      return `id=${id} to=${to} type=${type}`;
    }

    // The read receipt: marks a customer's message (and those before it) read. Any id the container has
    // not seen is unknown, as a message id never received would be.
    const markRead = /^\/v1\/messages\/([^/]+)$/.exec(path);
    if (markRead && method === "PUT") {
      const id = decodeURIComponent(markRead[1] ?? "");
      if (!isObject(input) || input.status !== "read") {
        sendJson(res, 400, errorBody(1009, "Parameter value is not valid", "status must be read"));
        return "";
      }
      if (id.startsWith("unknown")) {
        sendJson(res, 404, errorBody(1006, "Resource not found", `unknown message id ${id}`));
        return `mark read ${id}: unknown`;
      }
      state.reads.push({ id, authorization: req.headers.authorization, at: new Date().toISOString() });
      sendJson(res, 200, { meta: META });
      return `read ${id}`;
    }

    if (method === "POST" && path === "/v1/contacts") {
      const contacts = isObject(input) ? input.contacts : undefined;
      if (!Array.isArray(contacts) || !contacts.every((c) => typeof c === "string")) {
        sendJson(res, 400, errorBody(1008, "Required parameter is missing", "contacts must be a list of phone numbers"));
        return "";
      }
      const results = contacts.map((/** @type {string} */ contact) => {
        const digits = contact.replace(/\D/g, "");
        // As in the real API, an invalid contact has no wa_id.
        return digits === "" || digits.startsWith("0")
          ? { input: contact, status: "invalid" }
          : { input: contact, status: "valid", wa_id: digits };
      });
      sendJson(res, 200, { contacts: results, meta: META });
      return `${results.length} contact(s)`;
    }

    if (method === "POST" && path === "/v1/media") {
      if (raw.length === 0) {
        sendJson(res, 400, errorBody(1008, "Required parameter is missing", "media body"));
        return "";
      }
      const id = randomUUID();
      media.set(id, { contentType: req.headers["content-type"] ?? "application/octet-stream", bytes: raw });
      sendJson(res, 201, { media: [{ id }], meta: META });
      return `media ${id} (${raw.length} bytes)`;
    }

    const mediaMatch = /^\/v1\/media\/([^/]+)$/.exec(path);
    if (mediaMatch && (method === "GET" || method === "DELETE")) {
      const id = decodeURIComponent(mediaMatch[1] ?? "");
      const item = media.get(id);
      if (!item) {
        sendJson(res, 404, errorBody(1006, "Resource not found", `unknown media id ${id}`));
        return "";
      }
      if (method === "DELETE") {
        media.delete(id);
        sendJson(res, 200, { meta: META });
      } else {
        res.writeHead(200, { "content-type": item.contentType, "content-length": item.bytes.length });
        res.end(item.bytes);
      }
      return `media ${id}`;
    }

    if (method === "GET" && path === "/v1/health") {
      sendJson(res, 200, { health: { gateway_status: "connected" }, meta: META });
      return "";
    }

    if (path === "/v1/settings/application" && method === "PATCH") {
      const webhooks = isObject(input) ? input.webhooks : undefined;
      if (isObject(webhooks) && typeof webhooks.url === "string") state.webhookUrl = webhooks.url;
      sendJson(res, 200, { meta: META });
      return `webhook url ${webhookUrl ? loggableUrl(webhookUrl) : "unset"}`;
    }
    if (path === "/v1/settings/application" && method === "GET") {
      sendJson(res, 200, { settings: { application: { webhooks: { url: webhookUrl ?? "" } } }, meta: META });
      return "";
    }

    sendJson(res, 404, errorBody(1006, "Resource not found", `${method} ${path}`));
    return "";
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handle(req, res) {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://sandbox").pathname; // the query string never reaches the log
    let note = "";
    res.on("finish", () => log(`${method} ${path} ${res.statusCode}${note ? ` ${note}` : ""}`));

    // Read the body first so that even an early error answer leaves the connection reusable.
    /** @type {Buffer} */
    let raw;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, errorBody(1000, "Generic error", err.message));
      throw err;
    }

    if (path.startsWith("/_sandbox/")) {
      note = control(method, path, raw, res);
      return;
    }
    if (!hasAccess(req)) {
      // What Cloudflare Access in front of the tunnel would do; the container never sees the request.
      sendJson(res, 403, errorBody(1005, "Access denied", "missing or wrong Cloudflare Access service token"));
      return;
    }
    const fault = faults.take(path, recipientOf(raw));
    if (fault) {
      countFault(state.faultCounts, fault);
      if (fault.hang) log(`${method} ${path} hanging (fault)`);
      note = "(fault)";
      if (await applyFault(fault, res, requestTimers, faultErrorBody)) return;
      note = "(delayed)";
    }
    note = api(req, method, path, raw, res) || note;
  }

  const server = createJsonServer("whatsapp container", handle, errorBody(1000, "Generic error", "sandbox internal error"));
  /** @type {number} */
  let boundPort = port;
  const refusal = new Refusal(server, host, () => boundPort, log);
  const bound = await listen(server, host, port);
  boundPort = bound.port;

  return {
    ...bound,
    state,
    async close() {
      closed = true;
      refusal.stop();
      for (const socket of refusal.sockets) socket.destroy();
      requestTimers.clear();
      webhookTimers.clear();
      inFlight?.abort();
      await closeServer(server);
    },
  };
}

if (isMain(import.meta.url)) {
  const clientId = process.env.WA_ACCESS_CLIENT_ID;
  const clientSecret = process.env.WA_ACCESS_CLIENT_SECRET;
  if (Boolean(clientId) !== Boolean(clientSecret)) {
    console.error("set both WA_ACCESS_CLIENT_ID and WA_ACCESS_CLIENT_SECRET, or neither");
    process.exit(1);
  }
  const container = await startContainer({
    host: process.env.WA_CONTAINER_HOST || "127.0.0.1",
    port: envInt("WA_CONTAINER_PORT", 9090),
    username: process.env.WA_CONTAINER_USERNAME || undefined,
    password: process.env.WA_CONTAINER_PASSWORD || undefined,
    webhookUrl: process.env.WA_WEBHOOK_URL || undefined,
    access: clientId && clientSecret ? { clientId, clientSecret } : undefined,
    tokenTtlSeconds: envInt("WA_TOKEN_TTL_SECONDS", 604800),
    statusDelayMs: envInt("WA_STATUS_DELAY_MS", 100),
  });
  console.log(`whatsapp container listening on ${container.url}`);
  closeOnSignals(container.close);
}
