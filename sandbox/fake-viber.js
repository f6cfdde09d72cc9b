// @ts-check
/**
 * A stand-in for the Viber REST Bot API (`https://chatapi.viber.com/pa`), for local development and tests.
 * Like Viber, it answers every API call with HTTP 200 and puts the outcome in the body's numeric
 * `status` (0 is ok), and its `message_token`s are 64-bit integers beyond 2^53, written as bare JSON
 * numbers. `set_webhook` calls the webhook with a signed `webhook` event and succeeds only on a 200; once
 * a webhook is set, every accepted message gets signed `delivered` and `seen` callbacks
 * (`X-Viber-Content-Signature`: hex HMAC-SHA256 of the body keyed with the auth token).
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 * @see https://creators.viber.com/docs/bots-api/errors
 * @see https://creators.viber.com/docs/bots-api/getting-started/web-hooks
 *
 * Run it:  node sandbox/fake-viber.js
 * Environment (all optional):
 *   VIBER_FAKE_HOST         interface to bind (default 127.0.0.1)
 *   VIBER_FAKE_PORT         port (default 9093)
 *   VIBER_AUTH_TOKEN        the bot token it accepts and signs callbacks with (default FAKE_VIBER_AUTH_TOKEN)
 *   VIBER_STATUS_DELAY_MS   pause before each delivered/seen callback (default 50)
 *
 * Receivers with special behaviour:
 *   `0000...`  status 5, receiver not registered to Viber
 *   `6666...`  status 6, receiver not subscribed to the bot
 *   `1313...`  status 13, receiver's Viber is too old for the message's min_api_version
 *   `FAIL...`  accepted (status 0), then a signed `failed` callback instead of delivered/seen
 *
 * Control API (no auth, never faulted):
 *   GET  /_sandbox/state     { requests: [{method, path, headers, body, answer}], webhookUrl, callbacks, faults }
 *   POST /_sandbox/faults    a FaultRule (see http-util.js): {status, retryAfter?, count?, path?, delayMs?,
 *                            hang?}, plus `error`: a Viber answer body sent with HTTP 200 (Viber's way of
 *                            failing), e.g. {"error": {"status": 12, "status_message": "tooManyRequests"}},
 *                            and `receiver`: only sends to this receiver (so parallel tests never share faults)
 *   POST /_sandbox/media     raw bytes (with their Content-Type), `?name=photo.jpg` → { url } served at /media/{id}/{name}
 * Media: `/media/{id}/{name}` serves an uploaded file (no auth, like Viber's CDN); `/media/redirect?to=URL`
 * answers 302 to URL.
 *   POST /_sandbox/callback  { body: <event JSON text or object>, url? } → signs and POSTs it like Viber → { status }
 *   POST /_sandbox/reset     forget requests, callbacks, faults, media and the webhook
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  BodyTooLargeError,
  FaultRules,
  TimerSet,
  applyFault,
  closeOnSignals,
  closeServer,
  createJsonServer,
  envInt,
  isMain,
  isObject,
  listen,
  readBody,
  sendJson,
} from "./http-util.js";

/** The bot token the fake accepts unless told otherwise (the tests' Viber account uses the same). */
export const FAKE_VIBER_AUTH_TOKEN = "4a7f5c0e2b9d1836-1f0c9e7ab5d24c61-9e3b6d0a7c14f258";

/** Limits of the real API that the fake enforces. @see https://creators.viber.com/docs/bots-api/data-models/message */
const MAX_REQUEST_BYTES = 30 * 1024;
const MAX_TEXT = 7000;
const MAX_PICTURE_TEXT = 120;
const MAX_SENDER_NAME = 28;
const MAX_TRACKING_DATA = 4000;
const MAX_FILE_NAME = 256;
const MESSAGE_TYPES = ["text", "picture", "video", "file", "location", "contact", "sticker", "url", "rich_media"];
const EVENT_TYPES = ["delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started"];

/** Callbacks are retried like Viber does for an hour, scaled down here. */
const CALLBACK_ATTEMPTS = 5;
const CALLBACK_FIRST_DELAY_MS = 100;
const CALLBACK_TIMEOUT_MS = 10_000;

/**
 * @typedef {object} RecordedRequest One request to the fake's API or media files, as it arrived.
 * @property {string} method
 * @property {string} path
 * @property {{ "x-viber-auth-token"?: string, "content-type"?: string }} headers
 * @property {unknown} body the parsed JSON body (message_token-free, so plain JSON.parse), or null
 * @property {{ http: number, body?: unknown, token?: string }} [answer] what the fake answered; `token`
 *   is the exact message_token (as a string) of an accepted message
 */

/**
 * @typedef {object} CallbackAttempt
 * @property {string} event
 * @property {string} body the exact text POSTed
 * @property {number | "error"} status
 * @property {number} attempt
 */

/**
 * @typedef {object} FakeViberState Live state; `GET /_sandbox/state` serves it.
 * @property {RecordedRequest[]} requests
 * @property {string | null} webhookUrl
 * @property {CallbackAttempt[]} callbacks
 * @property {import("./http-util.js").FaultRule[]} faults fault rules not used up yet
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
 * A fresh message token: a 63-bit integer with its top bit set, so always beyond 2^53.
 * @returns {string}
 */
function newToken() {
  return ((randomBytes(8).readBigUInt64BE() & ((1n << 62n) - 1n)) | (1n << 62n)).toString();
}

/**
 * JSON text with the message token as a bare number, as Viber writes it (JSON.stringify cannot).
 * @param {Record<string, unknown>} fields
 * @param {string} [token]
 */
function viberJson(fields, token) {
  const text = JSON.stringify(fields);
  if (token === undefined) return text;
  return `${text.slice(0, -1)}${text.length > 2 ? "," : ""}"message_token":${token}}`;
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {string} text
 */
function sendText(res, text) {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * @param {number} status
 * @param {string} statusMessage
 */
const failure = (status, statusMessage) => ({ status, status_message: statusMessage, chat_hostname: "SN-CHAT-05_" });

/**
 * Checks a send_message body; returns Viber's failure answer, or undefined when it would be sent.
 * Only what the relay could plausibly get wrong is checked.
 * @param {Record<string, unknown>} m
 */
function messageError(m) {
  const missing = failure(4, "missingData");
  const bad = failure(3, "badData");
  if (typeof m.receiver !== "string" || m.receiver === "") return missing;
  if (!isObject(m.sender) || typeof m.sender.name !== "string" || m.sender.name === "") return missing;
  if (m.sender.name.length > MAX_SENDER_NAME) return bad;
  if (m.tracking_data !== undefined && !(typeof m.tracking_data === "string" && m.tracking_data.length <= MAX_TRACKING_DATA)) return bad;
  if (typeof m.type !== "string" || !MESSAGE_TYPES.includes(m.type)) return bad;
  if (m.keyboard !== undefined) {
    const k = m.keyboard;
    if (!isObject(k) || !Array.isArray(k.Buttons) || k.Buttons.length === 0) return bad;
    for (const b of k.Buttons) {
      if (!isObject(b) || typeof b.ActionBody !== "string" || (b.ActionType !== undefined && typeof b.ActionType !== "string")) return bad;
    }
  }
  const url = (/** @type {unknown} */ v) => typeof v === "string" && /^https?:\/\/\S+$/.test(v);
  switch (m.type) {
    case "text":
      if (typeof m.text !== "string" || m.text === "") return missing;
      return m.text.length > MAX_TEXT ? bad : undefined;
    case "picture":
      if (typeof m.text !== "string" || !url(m.media)) return missing;
      return m.text.length > MAX_PICTURE_TEXT ? bad : undefined;
    case "video":
      return url(m.media) && typeof m.size === "number" ? undefined : missing;
    case "file":
      if (!url(m.media) || typeof m.size !== "number" || typeof m.file_name !== "string") return missing;
      return m.file_name.length > MAX_FILE_NAME ? bad : undefined;
    case "location": {
      const l = m.location;
      return isObject(l) && typeof l.lat === "number" && typeof l.lon === "number" ? undefined : missing;
    }
    case "contact":
      return isObject(m.contact) && typeof m.contact.name === "string" && typeof m.contact.phone_number === "string" ? undefined : missing;
    case "sticker":
      return typeof m.sticker_id === "number" ? undefined : missing;
    case "url":
      return url(m.media) ? undefined : missing;
    default:
      return isObject(m.rich_media) ? undefined : missing;
  }
}

/**
 * Starts the fake Viber Bot API.
 * @param {{ host?: string, port?: number, quiet?: boolean, authToken?: string, statusDelayMs?: number }} [options]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void>, state: FakeViberState }>}
 */
export async function startFakeViber({
  host = "127.0.0.1",
  port = 0,
  quiet = false,
  authToken = FAKE_VIBER_AUTH_TOKEN,
  statusDelayMs = 50,
} = {}) {
  const log = quiet ? () => {} : (/** @type {string} */ line) => console.log(`fake viber: ${line}`);
  // `to` of a rule is a receiver; a rule may also carry a Viber answer body, sent with HTTP 200.
  const faults = new FaultRules((path) => path.startsWith("/pa/"));
  /** @type {WeakMap<import("./http-util.js").FaultRule, Record<string, unknown>>} */
  const faultBodies = new WeakMap();
  /** @type {FakeViberState} */
  const state = { requests: [], webhookUrl: null, callbacks: [], faults: faults.rules };
  /** Uploaded media by id. @type {Map<string, { type: string, name: string, bytes: Buffer }>} */
  const media = new Map();
  const requestTimers = new TimerSet();
  const callbackTimers = new TimerSet();
  /** Callbacks waiting, oldest first: delivered always reaches the relay before seen. */
  /** @type {{ url: string, body: string, event: string }[]} */
  const queue = [];
  let delivering = false;
  let generation = 0;
  let closed = false;
  /** @type {string} */
  let baseUrl = "";

  /**
   * Signs and POSTs one callback, as Viber does.
   * @param {string} url
   * @param {string} body
   * @returns {Promise<number | "error">}
   */
  async function post(url, body) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-viber-content-signature": createHmac("sha256", authToken).update(body).digest("hex"),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => {});
      return res.status;
    } catch {
      return "error";
    }
  }

  /** Delivers queued callbacks one at a time, retrying each a few times, in order. */
  async function deliver() {
    if (delivering || closed) return;
    delivering = true;
    const mine = generation;
    while (queue.length > 0 && !closed && generation === mine) {
      const next = /** @type {{ url: string, body: string, event: string }} */ (queue[0]);
      for (let attempt = 1; attempt <= CALLBACK_ATTEMPTS; attempt++) {
        const status = await post(next.url, next.body);
        if (closed || generation !== mine) return;
        state.callbacks.push({ event: next.event, body: next.body, status, attempt });
        if (status === 200) break;
        log(`callback ${next.event}: ${status}, attempt ${attempt}`);
        if (attempt < CALLBACK_ATTEMPTS) await callbackTimers.sleep(CALLBACK_FIRST_DELAY_MS * 2 ** (attempt - 1));
      }
      queue.shift();
    }
    if (generation === mine) delivering = false;
  }

  /**
   * Queues the receipts of an accepted message for the webhook, if one is set.
   * @param {string} token
   * @param {string} receiver
   */
  function scheduleReceipts(token, receiver) {
    const url = state.webhookUrl;
    if (!url) return;
    const events = receiver.startsWith("FAIL") ? ["failed"] : ["delivered", "seen"];
    events.forEach((event, i) => {
      callbackTimers.after(statusDelayMs * (i + 1), () => {
        const fields = {
          event,
          timestamp: Date.now(),
          user_id: receiver,
          ...(event === "failed" && { desc: "Message could not be delivered to the receiver's device" }),
        };
        queue.push({ url, event, body: viberJson(fields, token) });
        void deliver();
      });
    });
  }

  /**
   * The token a request presents: the header, or (legacy, still accepted by Viber) `auth_token` in the body.
   * @param {import("node:http").IncomingMessage} req
   * @param {unknown} body
   */
  function presentedToken(req, body) {
    const header = req.headers["x-viber-auth-token"];
    if (typeof header === "string" && header) return header;
    return isObject(body) && typeof body.auth_token === "string" ? body.auth_token : undefined;
  }

  /**
   * The Bot API. Every answer is HTTP 200 with a status in the body.
   * @param {import("node:http").IncomingMessage} req
   * @param {string} path
   * @param {unknown} body
   * @param {import("node:http").ServerResponse} res
   * @param {RecordedRequest} record
   */
  async function api(req, path, body, res, record) {
    /** @param {Record<string, unknown>} fields @param {string} [token] */
    const answer = (fields, token) => {
      record.answer = { http: 200, body: fields, ...(token && { token }) };
      sendText(res, viberJson(fields, token));
    };
    const token = presentedToken(req, body);
    if (!token) return answer(failure(2, "missing_auth_token"));
    if (!sameSecret(token, authToken)) return answer(failure(2, "invalidAuthToken"));
    if (!isObject(body)) return answer(failure(3, "badData"));

    if (path === "/pa/send_message") {
      const invalid = messageError(body);
      if (invalid) return answer(invalid);
      const receiver = /** @type {string} */ (body.receiver);
      if (receiver.startsWith("0000")) return answer(failure(5, "receiverNotRegistered"));
      if (receiver.startsWith("6666")) return answer(failure(6, "receiverNotSubscribed"));
      if (receiver.startsWith("1313")) return answer(failure(13, "apiVersionNotSupported"));
      const messageToken = newToken();
      answer({ status: 0, status_message: "ok", chat_hostname: "SN-CHAT-05_" }, messageToken);
      scheduleReceipts(messageToken, receiver);
      return;
    }
    if (path === "/pa/set_webhook") {
      const url = body.url;
      if (url === "") {
        state.webhookUrl = null;
        return answer({ status: 0, status_message: "ok" });
      }
      if (typeof url !== "string" || !/^https?:\/\//.test(url)) return answer(failure(1, "invalidUrl"));
      // Viber checks the URL with a signed `webhook` event; only a 200 sets it.
      const check = await post(url, viberJson({ event: "webhook", timestamp: Date.now(), chat_hostname: "SN-CHAT-05_" }, newToken()));
      if (check !== 200) return answer(failure(1, `invalidUrl: the webhook answered ${check}`));
      state.webhookUrl = url;
      const types = Array.isArray(body.event_types) ? body.event_types.filter((t) => EVENT_TYPES.includes(t)) : EVENT_TYPES;
      return answer({ status: 0, status_message: "ok", event_types: types });
    }
    if (path === "/pa/get_account_info") {
      return answer({
        status: 0,
        status_message: "ok",
        id: "pa:5190000000000000000",
        name: "Sandbox Bot",
        uri: "sandboxbot",
        webhook: state.webhookUrl ?? "",
        event_types: EVENT_TYPES,
      });
    }
    answer(failure(3, "badData: unknown endpoint"));
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {URL} url
   * @param {import("node:http").IncomingMessage} req
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   */
  async function control(method, path, url, req, raw, res) {
    if (method === "GET" && path === "/_sandbox/state") return sendJson(res, 200, state);
    if (method === "POST" && path === "/_sandbox/media") {
      const name = (url.searchParams.get("name") ?? "file.bin").replace(/[^\w.-]/g, "_");
      const id = randomBytes(12).toString("hex");
      media.set(id, { type: req.headers["content-type"] ?? "application/octet-stream", name, bytes: raw });
      return sendJson(res, 200, { id, url: `${baseUrl}/media/${id}/${name}` });
    }
    if (method === "POST" && path === "/_sandbox/reset") {
      generation += 1;
      delivering = false;
      callbackTimers.clear();
      queue.length = 0;
      state.requests.length = 0;
      state.callbacks.length = 0;
      faults.clear();
      state.webhookUrl = null;
      media.clear();
      return sendJson(res, 200, { ok: true });
    }
    /** @type {unknown} */
    let input;
    try {
      input = raw.length === 0 ? undefined : JSON.parse(raw.toString("utf8"));
    } catch {
      return sendJson(res, 400, { error: "body is not valid JSON" });
    }
    const body = isObject(input) ? input : {};
    if (method === "POST" && path === "/_sandbox/faults") {
      const { error, receiver, ...http } = body;
      if (error !== undefined && !(isObject(error) && typeof error.status === "number")) {
        return sendJson(res, 400, { error: "error must be a Viber answer body with a numeric status" });
      }
      if (receiver !== undefined && typeof receiver !== "string") return sendJson(res, 400, { error: "receiver must be a string" });
      // A pure `error` fault needs no HTTP status: it is answered with 200, Viber's way.
      const bodyOnly = error !== undefined && http.status === undefined && http.hang === undefined && http.delayMs === undefined;
      const rule = faults.add({ ...(bodyOnly ? { ...http, delayMs: 0 } : http), ...(typeof receiver === "string" && { to: receiver }) });
      if (typeof rule === "string") return sendJson(res, 400, { error: rule });
      if (isObject(error)) faultBodies.set(rule, error);
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/_sandbox/callback") {
      const target = typeof body.url === "string" ? body.url : state.webhookUrl;
      const text = typeof body.body === "string" ? body.body : isObject(body.body) ? JSON.stringify(body.body) : undefined;
      if (!target || !text) return sendJson(res, 400, { error: "body (event JSON) and a url or a set webhook are required" });
      return sendJson(res, 200, { status: await post(target, text) });
    }
    sendJson(res, 404, { error: "not found" });
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handle(req, res) {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    res.on("finish", () => log(`${method} ${path} ${res.statusCode}`));
    /** @type {Buffer} */
    let raw;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, failure(3, "badData: too large"));
      throw err;
    }
    if (path.startsWith("/_sandbox/")) return control(method, path, url, req, raw, res);

    /** @type {unknown} */
    let body = null;
    try {
      body = raw.length === 0 ? null : JSON.parse(raw.toString("utf8"));
    } catch {
      body = undefined;
    }
    const h = req.headers;
    /** @type {RecordedRequest} */
    const record = {
      method,
      path,
      headers: {
        ...(typeof h["x-viber-auth-token"] === "string" && { "x-viber-auth-token": h["x-viber-auth-token"] }),
        ...(typeof h["content-type"] === "string" && { "content-type": h["content-type"] }),
      },
      body: body ?? null,
    };
    state.requests.push(record);

    if (method === "GET" && path === "/media/redirect") {
      // A CDN bouncing the client elsewhere, to check that every hop is on an allowed host.
      const to = url.searchParams.get("to") ?? "";
      record.answer = { http: 302 };
      res.writeHead(302, { location: to, "content-length": 0 });
      res.end();
      return;
    }
    const mediaMatch = /^\/media\/([0-9a-f]+)\/[^/]+$/.exec(path);
    if (method === "GET" && mediaMatch) {
      const item = media.get(mediaMatch[1] ?? "");
      if (!item) {
        record.answer = { http: 404 };
        return sendJson(res, 404, { error: "no such media" });
      }
      record.answer = { http: 200 };
      res.writeHead(200, { "content-type": item.type, "content-length": item.bytes.length });
      res.end(item.bytes);
      return;
    }
    if (method !== "POST" || !path.startsWith("/pa/")) {
      record.answer = { http: 404 };
      return sendJson(res, 404, { error: "not found" });
    }

    const receiver = isObject(body) && typeof body.receiver === "string" ? body.receiver : undefined;
    const fault = faults.take(path, receiver);
    if (fault) {
      const dealt = await applyFault(fault, res, requestTimers, () => failure(99, "fault"));
      if (dealt) {
        record.answer = { http: fault.status ?? 0 };
        return;
      }
      const error = faultBodies.get(fault);
      if (error) {
        record.answer = { http: 200, body: error };
        return sendText(res, JSON.stringify(error));
      }
    }
    if (raw.length > MAX_REQUEST_BYTES) {
      record.answer = { http: 200, body: failure(3, "badData: over 30 KB") };
      return sendText(res, JSON.stringify(record.answer.body));
    }
    await api(req, path, body, res, record);
  }

  const server = createJsonServer("fake viber", handle, failure(99, "sandbox internal error"));
  const bound = await listen(server, host, port);
  baseUrl = bound.url;

  return {
    ...bound,
    state,
    async close() {
      closed = true;
      requestTimers.clear();
      callbackTimers.clear();
      await closeServer(server);
    },
  };
}

if (isMain(import.meta.url)) {
  const fake = await startFakeViber({
    host: process.env.VIBER_FAKE_HOST || "127.0.0.1",
    port: envInt("VIBER_FAKE_PORT", 9093),
    authToken: process.env.VIBER_AUTH_TOKEN || undefined,
    statusDelayMs: envInt("VIBER_STATUS_DELAY_MS", 50),
  });
  console.log(`fake viber listening on ${fake.url} (API at ${fake.url}/pa)`);
  closeOnSignals(fake.close);
}
