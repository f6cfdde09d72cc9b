// @ts-check
/**
 * A stand-in for Meta's Graph API as the Messenger Platform uses it, for local development and tests:
 * the Send API (`POST /{version}/{page-id}/messages`, or `/{version}/me/messages`) with the platform's
 * success and error answers, and a CDN serving attachment files the way `scontent.xx.fbcdn.net` does
 * (no auth; an expired URL answers 403). A control API under `/_sandbox/*` (no auth) shows what was
 * sent, injects faults and uploads media.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes
 *
 * Run it:  node sandbox/fake-messenger.js
 * Environment (all optional):
 *   MESSENGER_FAKE_HOST        interface to bind (default 127.0.0.1)
 *   MESSENGER_FAKE_PORT        port (default 9310)
 *   MESSENGER_PAGE_ID          the Page messages are sent from (default 1234567890)
 *   MESSENGER_PAGE_TOKEN       the Page access token it accepts (default sandbox-messenger-page-token)
 *
 * Recipients (PSIDs) with special behaviour:
 *   `0...`        (#100) No matching user found, subcode 2018001 (HTTP 400)
 *   `551...`      (#551) This person isn't available right now, subcode 1545041 (HTTP 400)
 *   `2018278...`  (#10) This message is sent outside of allowed window, subcode 2018278 (HTTP 400),
 *                 unless sent with messaging_type MESSAGE_TAG and tag HUMAN_AGENT (7-day window)
 *   `1200...`     (#1200) Temporary send message failure (HTTP 500), every time
 *
 * Stricter than Meta on one point, to catch relay bugs: a quick-reply title over 20 characters is
 * refused with (#100) instead of being cut.
 *
 * Control API:
 *   GET  /_sandbox/state    { requests: [{method, path, query, headers, body, status}], faults, media }
 *   POST /_sandbox/faults   a FaultRule (see http-util.js): {status, retryAfter?, count?, path?, delayMs?,
 *                           hang?}, plus `error`: a Graph error object answered as `{"error": ...}`
 *                           (status defaults to 400), e.g. {"error": {"code": 190, "message": "..."}}
 *   POST /_sandbox/media    raw bytes (with their Content-Type) → { id, url } served at /media/{id}
 *   POST /_sandbox/reset    forget requests, faults and uploaded media
 * Media: `/media/{id}` serves a file; `/media/expired` answers 403 like an expired CDN URL;
 * `/media/redirect/{id}` redirects (302) to `/media/{id}` like lookaside.fbsbx.com does.
 */
import { randomBytes } from "node:crypto";
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
  parseJson,
  readBody,
  sendJson,
} from "./http-util.js";

export const DEFAULT_PAGE_ID = "1234567890";
export const DEFAULT_PAGE_TOKEN = "sandbox-messenger-page-token";

/** Send API limits the fake enforces. */
const MAX_TEXT = 2000;
const MAX_QUICK_REPLIES = 13;
const MAX_QUICK_REPLY_TITLE = 20;
const MAX_QUICK_REPLY_PAYLOAD = 1000;
const MESSAGING_TYPES = ["RESPONSE", "UPDATE", "MESSAGE_TAG"];
const TAGS = ["HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "CUSTOMER_FEEDBACK"];
const ATTACHMENT_TYPES = ["image", "audio", "video", "file", "template"];
const SENDER_ACTIONS = ["typing_on", "typing_off", "mark_seen", "react", "unreact"];
/** Button template: text and buttons, and a button title's length. */
const MAX_TEMPLATE_TEXT = 640;
const MAX_TEMPLATE_BUTTONS = 3;
const MAX_BUTTON_TITLE = 20;

/** A tiny valid PNG (1×1, transparent), always served at /media/sample.png. */
const SAMPLE_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

/**
 * @typedef {object} RecordedRequest One request to the fake's API or CDN, as it arrived.
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 * @property {{ authorization?: string, "content-type"?: string }} headers
 * @property {unknown} body the parsed JSON body, or null
 * @property {number} [status] what the fake answered (set once answered)
 */

/**
 * @typedef {object} FakeMessengerState Live state; `GET /_sandbox/state` serves the same object.
 * @property {RecordedRequest[]} requests
 * @property {import("./http-util.js").FaultRule[]} faults
 * @property {string[]} media ids of the files served under /media/
 */

/**
 * @typedef {object} FakeMessengerOptions
 * @property {string} [host] default 127.0.0.1
 * @property {number} [port] default 0 (a free port)
 * @property {boolean} [quiet] no request log
 * @property {string} [pageId] default DEFAULT_PAGE_ID
 * @property {string} [pageAccessToken] default DEFAULT_PAGE_TOKEN
 */

/**
 * A Graph API error body. Graph prefixes most messages with "(#code)", not OAuth token errors.
 * @param {number} code
 * @param {string} message
 * @param {number} [subcode]
 * @param {Record<string, unknown>} [extra]
 */
function graphError(code, message, subcode, extra = {}) {
  return {
    error: {
      message: code === 190 || code === 104 ? message : `(#${code}) ${message}`,
      type: "OAuthException",
      code,
      ...(subcode !== undefined && { error_subcode: subcode }),
      ...extra,
      fbtrace_id: randomBytes(9).toString("base64url"),
    },
  };
}

/**
 * The error a fault answers with, by HTTP status, as Graph reports throttling and outages.
 * @param {number} status
 */
function faultErrorBody(status) {
  if (status === 429) return graphError(613, "Calls to this API have exceeded the rate limit.");
  if (status >= 500) return graphError(2, "An unexpected error has occurred. Please retry your request later.", undefined, { is_transient: true });
  return graphError(1, "An unknown error occurred");
}

/**
 * Checks a Send API body; returns an error answer body, or undefined when it is fine. Only what the
 * relay could plausibly get wrong is checked.
 * @param {Record<string, unknown>} input
 */
function sendError(input) {
  const recipient = input.recipient;
  if (!isObject(recipient) || typeof recipient.id !== "string" || recipient.id === "") {
    return graphError(100, "The parameter recipient is required");
  }
  if (input.sender_action !== undefined) return senderActionError(input);
  const type = input.messaging_type;
  if (typeof type !== "string" || !MESSAGING_TYPES.includes(type)) {
    return graphError(100, `Param messaging_type must be one of {${MESSAGING_TYPES.join(", ")}}`);
  }
  if (type === "MESSAGE_TAG" && !(typeof input.tag === "string" && TAGS.includes(input.tag))) {
    return graphError(100, "Param tag must be a valid message tag when messaging_type is MESSAGE_TAG");
  }
  const message = input.message;
  if (!isObject(message)) return graphError(100, "The parameter message is required");
  const hasText = typeof message.text === "string";
  const attachment = message.attachment;
  if (hasText === isObject(attachment)) return graphError(100, "Exactly one of message[text] or message[attachment] must be set");
  if (hasText) {
    const text = /** @type {string} */ (message.text);
    if (text.trim() === "") return graphError(100, "Param message[text] must be a non-empty UTF-8 encoded string");
    if ([...text].length > MAX_TEXT) return graphError(100, `Length of param message[text] must be less than or equal to ${MAX_TEXT}`);
  }
  if (isObject(attachment)) {
    const payload = attachment.payload;
    if (typeof attachment.type !== "string" || !ATTACHMENT_TYPES.includes(attachment.type)) {
      return graphError(100, `Param message[attachment][type] must be one of {${ATTACHMENT_TYPES.join(", ")}}`);
    }
    if (attachment.type === "template") {
      const invalid = isObject(payload) ? buttonTemplateError(payload) : "Param message[attachment][payload] is required";
      if (invalid) return graphError(100, invalid);
    } else if (!isObject(payload) || (typeof payload.url !== "string" && typeof payload.attachment_id !== "string")) {
      return graphError(100, "Param message[attachment][payload] must have a url or an attachment_id");
    }
  }
  const replies = message.quick_replies;
  if (replies !== undefined) {
    if (!Array.isArray(replies) || replies.length === 0 || replies.length > MAX_QUICK_REPLIES) {
      return graphError(100, `param message[quick_replies] must be an array of 1 to ${MAX_QUICK_REPLIES} quick replies`);
    }
    for (const r of replies) {
      if (!isObject(r) || r.content_type !== "text") continue;
      if (typeof r.title !== "string" || r.title === "" || [...r.title].length > MAX_QUICK_REPLY_TITLE) {
        return graphError(100, `param message[quick_replies][title] must be 1 to ${MAX_QUICK_REPLY_TITLE} characters`);
      }
      if (typeof r.payload !== "string" || r.payload === "" || r.payload.length > MAX_QUICK_REPLY_PAYLOAD) {
        return graphError(100, `param message[quick_replies][payload] must be 1 to ${MAX_QUICK_REPLY_PAYLOAD} characters`);
      }
    }
  }
  return undefined;
}

/**
 * What is wrong with a button template, if anything (the one template the relay sends).
 * @param {Record<string, unknown>} payload
 * @returns {string | undefined}
 */
function buttonTemplateError(payload) {
  if (payload.template_type !== "button") return `template_type '${String(payload.template_type)}' is not supported by this fake`;
  if (typeof payload.text !== "string" || payload.text === "" || [...payload.text].length > MAX_TEMPLATE_TEXT) {
    return `Param message[attachment][payload][text] must be 1 to ${MAX_TEMPLATE_TEXT} characters`;
  }
  const buttons = Array.isArray(payload.buttons) ? payload.buttons : [];
  if (buttons.length < 1 || buttons.length > MAX_TEMPLATE_BUTTONS) return `param buttons must have 1 to ${MAX_TEMPLATE_BUTTONS} buttons`;
  for (const b of buttons) {
    if (!isObject(b) || typeof b.title !== "string" || b.title === "" || [...b.title].length > MAX_BUTTON_TITLE) {
      return `param buttons[title] must be 1 to ${MAX_BUTTON_TITLE} characters`;
    }
    if (b.type === "web_url" && !(typeof b.url === "string" && /^https?:\/\//.test(b.url))) return "param buttons[url] must be a URL";
    if (b.type !== "web_url" && b.type !== "postback") return `button type '${String(b.type)}' is not supported by this fake`;
  }
  return undefined;
}

/**
 * What is wrong with a sender action, if anything: one of the documented actions, and for `react` /
 * `unreact` the message in `payload` (with the emoji to react with).
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions
 * @param {Record<string, unknown>} input
 * @returns {Record<string, unknown> | undefined}
 */
function senderActionError(input) {
  const recipient = input.recipient;
  if (!isObject(recipient) || typeof recipient.id !== "string" || recipient.id === "") {
    return graphError(100, "The parameter recipient is required");
  }
  const action = input.sender_action;
  if (typeof action !== "string" || !SENDER_ACTIONS.includes(action)) {
    return graphError(100, `Param sender_action must be one of {${SENDER_ACTIONS.join(", ")}}`);
  }
  if (input.message !== undefined) return graphError(100, "sender_action cannot be sent with message");
  if (action === "react" || action === "unreact") {
    const payload = isObject(input.payload) ? input.payload : {};
    if (typeof payload.message_id !== "string" || payload.message_id === "") return graphError(100, "Param payload[message_id] is required");
    if (action === "react" && !(typeof payload.reaction === "string" && payload.reaction !== "")) {
      return graphError(100, "Param payload[reaction] must be an emoji");
    }
  }
  return undefined;
}

/**
 * The platform's answer to a recipient with special behaviour (see the top of this file).
 * @param {string} psid
 * @param {Record<string, unknown>} input
 * @returns {{ status: number, body: unknown } | undefined}
 */
function recipientError(psid, input) {
  if (psid.startsWith("0")) return { status: 400, body: graphError(100, "No matching user found", 2018001) };
  if (psid.startsWith("551")) return { status: 400, body: graphError(551, "This person isn't available right now.", 1545041) };
  if (psid.startsWith("2018278") && input.tag !== "HUMAN_AGENT") {
    return { status: 400, body: graphError(10, "This message is sent outside of allowed window.", 2018278) };
  }
  if (psid.startsWith("1200")) {
    return { status: 500, body: graphError(1200, "Temporary send message failure. Please try again later", undefined, { is_transient: true }) };
  }
  return undefined;
}

/**
 * Starts the fake Graph API.
 * @param {FakeMessengerOptions} [options]
 * @returns {Promise<{ url: string, port: number, state: FakeMessengerState, close: () => Promise<void> }>}
 */
export async function startFakeMessenger(options = {}) {
  const { host = "127.0.0.1", port = 0, quiet = false, pageId = DEFAULT_PAGE_ID, pageAccessToken = DEFAULT_PAGE_TOKEN } = options;
  const log = quiet ? () => {} : (/** @type {string} */ line) => console.log(`fake messenger: ${line}`);

  /** Files under /media/, by id. @type {Map<string, { contentType: string, bytes: Buffer }>} */
  const media = new Map();
  const addFixedMedia = () => media.set("sample.png", { contentType: "image/png", bytes: SAMPLE_PNG });
  addFixedMedia();
  /** Faults target the Send API unless a rule names another path. */
  const faults = new FaultRules((path) => path.endsWith("/messages"));
  /** Graph error bodies of fault rules that carry one. @type {WeakMap<object, Record<string, unknown>>} */
  const faultBodies = new WeakMap();
  const timers = new TimerSet();
  /** @type {FakeMessengerState} */
  const state = {
    requests: [],
    faults: faults.rules,
    get media() {
      return [...media.keys()];
    },
  };
  let base = "";

  /**
   * @param {string} method
   * @param {string} path
   * @param {Buffer} raw
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   * @returns {string} a note for the request log
   */
  function control(method, path, raw, req, res) {
    if (method === "GET" && path === "/_sandbox/state") {
      sendJson(res, 200, state);
      return "";
    }
    if (method === "POST" && path === "/_sandbox/reset") {
      state.requests.length = 0;
      faults.clear();
      media.clear();
      addFixedMedia();
      sendJson(res, 200, { ok: true });
      return "reset";
    }
    if (method === "POST" && path === "/_sandbox/media") {
      if (raw.length === 0) {
        sendJson(res, 400, { error: "the body is the file" });
        return "";
      }
      const id = randomBytes(12).toString("hex");
      media.set(id, { contentType: req.headers["content-type"] ?? "application/octet-stream", bytes: raw });
      sendJson(res, 200, { id, url: `${base}/media/${id}` });
      return `media ${id} (${raw.length} bytes)`;
    }
    if (method === "POST" && path === "/_sandbox/faults") {
      /** @type {unknown} */
      let input;
      try {
        input = parseJson(raw);
      } catch {
        sendJson(res, 400, { error: "body is not valid JSON" });
        return "";
      }
      const body = isObject(input) ? input : {};
      const { error, ...rest } = body;
      if (error !== undefined && !isObject(error)) {
        sendJson(res, 400, { error: "error must be a Graph error object" });
        return "";
      }
      const rule = faults.add(error && rest.status === undefined ? { ...rest, status: 400 } : rest);
      if (typeof rule === "string") {
        sendJson(res, 400, { error: rule });
        return "";
      }
      if (error) faultBodies.set(rule, error);
      sendJson(res, 200, { ok: true });
      return `fault ${JSON.stringify(rule)}${error ? ` error ${JSON.stringify(error)}` : ""}`;
    }
    sendJson(res, 404, { error: "not found" });
    return "";
  }

  /**
   * The Send API.
   * @param {import("node:http").IncomingMessage} req
   * @param {URL} url
   * @param {string} page
   * @param {unknown} input
   * @param {import("node:http").ServerResponse} res
   */
  function send(req, url, page, input, res) {
    const auth = req.headers.authorization ?? "";
    const token = /^bearer /i.test(auth) ? auth.slice(7).trim() : url.searchParams.get("access_token");
    if (!token) return sendJson(res, 400, graphError(104, "An access token is required to request this resource."));
    if (token !== pageAccessToken) {
      return sendJson(res, 400, graphError(190, "Invalid OAuth access token - Cannot parse access token"));
    }
    if (page !== pageId && page !== "me") {
      return sendJson(
        res,
        400,
        graphError(100, `Unsupported post request. Object with ID '${page}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33),
      );
    }
    if (!isObject(input)) return sendJson(res, 400, graphError(100, "The request body must be a JSON object"));
    const invalid = sendError(input);
    if (invalid) return sendJson(res, 400, invalid);
    const psid = /** @type {{ id: string }} */ (input.recipient).id;
    const refused = recipientError(psid, input);
    if (refused) return sendJson(res, refused.status, refused.body);
    // A sender action is answered with the recipient alone.
    if (input.sender_action !== undefined) return sendJson(res, 200, { recipient_id: psid });
    const message = /** @type {Record<string, unknown>} */ (input.message);
    const attachment = isObject(message.attachment) ? message.attachment : undefined;
    const reusable = attachment && isObject(attachment.payload) && attachment.payload.is_reusable === true;
    sendJson(res, 200, {
      recipient_id: psid,
      message_id: `m_${randomBytes(24).toString("base64url")}`,
      ...(reusable && { attachment_id: String(1e15 + Math.floor(Math.random() * 1e15)) }),
    });
  }

  /**
   * @param {string} path
   * @param {import("node:http").ServerResponse} res
   */
  function serveMedia(path, res) {
    if (path === "/media/expired") return sendJson(res, 403, { error: "URL signature expired" });
    const redirect = /^\/media\/redirect\/([^/]+)$/.exec(path);
    if (redirect) {
      res.writeHead(302, { location: `/media/${redirect[1]}`, "content-length": 0 });
      return res.end();
    }
    const item = media.get(decodeURIComponent(path.slice("/media/".length)));
    if (!item) return sendJson(res, 404, { error: "not found" });
    res.writeHead(200, { "content-type": item.contentType, "content-length": item.bytes.length });
    res.end(item.bytes);
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handle(req, res) {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    let note = "";
    res.on("finish", () => log(`${method} ${path} ${res.statusCode}${note ? ` ${note}` : ""}`));

    /** @type {Buffer} */
    let raw;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, graphError(100, err.message));
      throw err;
    }
    if (path.startsWith("/_sandbox/")) {
      note = control(method, path, raw, req, res);
      return;
    }

    /** @type {unknown} */
    let body = null;
    try {
      body = raw.length > 0 ? parseJson(raw) ?? null : null;
    } catch {
      body = raw.toString("utf8");
    }
    /** @type {RecordedRequest} */
    const recorded = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: {
        ...(req.headers.authorization !== undefined && { authorization: req.headers.authorization }),
        ...(req.headers["content-type"] !== undefined && { "content-type": req.headers["content-type"] }),
      },
      body,
    };
    state.requests.push(recorded);
    res.on("finish", () => {
      recorded.status = res.statusCode;
    });

    const fault = faults.take(path);
    if (fault) {
      note = "(fault)";
      const custom = faultBodies.get(fault);
      if (custom) {
        if (fault.hang) return;
        if (fault.delayMs) await timers.sleep(fault.delayMs);
        /** @type {Record<string, string>} */
        const headers = fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) };
        const error = { type: "OAuthException", ...custom, fbtrace_id: randomBytes(9).toString("base64url") };
        return sendJson(res, fault.status ?? 400, { error }, headers);
      }
      if (await applyFault(fault, res, timers, faultErrorBody)) return;
      note = "(delayed)";
    }

    const sendPath = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(path);
    if (sendPath && method === "POST") {
      if (typeof body === "string") return sendJson(res, 400, graphError(100, "The request body is not valid JSON"));
      return send(req, url, decodeURIComponent(sendPath[2] ?? ""), body, res);
    }
    if (path.startsWith("/media/") && method === "GET") return serveMedia(path, res);
    sendJson(res, 400, graphError(100, `Unknown path components: ${path}`, 2500));
  }

  const server = createJsonServer("fake messenger", handle, graphError(1, "An unknown error occurred"));
  const bound = await listen(server, host, port);
  base = bound.url;
  return {
    ...bound,
    state,
    async close() {
      timers.clear();
      await closeServer(server);
    },
  };
}

if (isMain(import.meta.url)) {
  const fake = await startFakeMessenger({
    host: process.env.MESSENGER_FAKE_HOST || "127.0.0.1",
    port: envInt("MESSENGER_FAKE_PORT", 9310),
    pageId: process.env.MESSENGER_PAGE_ID || undefined,
    pageAccessToken: process.env.MESSENGER_PAGE_TOKEN || undefined,
  });
  console.log(`fake messenger (Graph API) listening on ${fake.url}`);
  closeOnSignals(fake.close);
}
