// @ts-check
/**
 * A stand-in for Meta's WhatsApp Cloud API (the Graph API endpoints the relay uses), for local
 * development and tests. It checks the bearer token like Graph, validates message bodies closely
 * enough to catch what the relay could get wrong, answers with Graph's success and error shapes, serves
 * media through the two-step lookup (`GET /{version}/{media-id}` → URL → `GET` with the same bearer
 * token, like lookaside.fbsbx.com), and posts `sent`/`delivered`/`read` statuses, signed with the app
 * secret like Meta (`X-Hub-Signature-256` over the exact bytes, non-ASCII escaped as `\u00e4`), to the
 * webhook URL once one is set. A control API under `/_sandbox/*` (no auth) shows state, injects faults,
 * uploads media and plays the customer.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media
 *
 * Run it:  node sandbox/fake-whatsapp-cloud.js   (WA_CLOUD_HOST, WA_CLOUD_PORT default 127.0.0.1:9092)
 *
 * Special recipients (`to`):
 *   `0…`       400, code 131026 "Message undeliverable" at once (the real API mostly reports it later, in a
 *              `failed` status; answering at once makes the permanent-failure path testable)
 *   `131047…`  accepted, then a `sent` and a `failed` status with code 131047 (re-engagement: outside the
 *              24-hour window), as the real API does; the `failed` status carries no callback data
 *   `131048…`  400, code 131048 "Spam rate limit hit"
 * Business-scoped user ids must come in `recipient` (a BSUID in `to` is refused with code 100, as is a
 * body with neither). Their statuses carry `recipient_user_id` and also a `recipient_id` phone number,
 * as when the user's number is known to the business.
 *
 * Control API:
 *   GET  /_sandbox/state    → { requests: [{method, path, headers, body}], messages: [{id, to | recipient, type}],
 *                           webhooks: [{body, status}], webhookUrl }
 *   POST /_sandbox/faults   { status?, retryAfter?, count?, path?, delayMs?, hang?, to?, error? }: like the
 *                           container's FaultRules (default path: the messages endpoint); `to` limits the
 *                           rule to sends to that recipient; `error` is the Graph `error` object to answer
 *                           with (status defaults to 400)
 *   POST /_sandbox/reset    forget requests, webhooks, faults and uploaded media (not the webhook URL)
 *   POST /_sandbox/media    raw bytes with their Content-Type → { id }; `?host=localhost` makes the
 *                           lookup hand out a URL on that host name instead (to test host checks)
 *   POST /_sandbox/webhook  { url, appSecret? }: where statuses and customer messages go
 *   POST /_sandbox/inbound  { from?, userId?, name?, text? | message? } → { id, status }: a customer message,
 *                           signed and POSTed to the webhook URL
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
  parseJson,
  readBody,
  sendJson,
} from "./http-util.js";

/** The sandbox account's credentials; test/channels/whatsapp-cloud/account.ts uses the same values. */
export const SANDBOX_CLOUD = {
  accessToken: "EAAGsandbox0cloud0system0user0token0123456789",
  appSecret: "sandbox-meta-app-secret-0123456789abcdef",
  phoneNumberId: "106540352242922",
  wabaId: "102290129340398",
  displayPhoneNumber: "15550783881",
};

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_BUTTONS = 3;
const MAX_BUTTON_TITLE = 20;
const MAX_BUTTON_ID = 256;
const MAX_INTERACTIVE_BODY = 1024;
const MAX_LIST_ROWS = 10;
const MAX_LIST_SECTIONS = 10;
const MAX_ROW_TITLE = 24;
const MAX_ROW_ID = 200;
const MAX_ROW_DESCRIPTION = 72;
const MAX_LIST_BUTTON = 20;
const MAX_CALLBACK_DATA = 512;
const MESSAGE_TYPES = ["text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "template", "reaction"];
const MEDIA_TYPES = ["image", "audio", "video", "document", "sticker"];
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/;
const PHONE = /^\+?\d{6,20}$/;
const WEBHOOK_TIMEOUT_MS = 10_000;
/** Where lookaside.fbsbx.com serves WhatsApp media. */
const MEDIA_DOWNLOAD_PATH = "/whatsapp_business/attachments/";

/**
 * @typedef {object} FakeCloudOptions
 * @property {string} [host] default 127.0.0.1
 * @property {number} [port] default 0 (a free port)
 * @property {boolean} [quiet] no request log
 * @property {string} [accessToken] default SANDBOX_CLOUD.accessToken
 * @property {string} [appSecret] signs webhooks; default SANDBOX_CLOUD.appSecret
 * @property {string} [phoneNumberId] default SANDBOX_CLOUD.phoneNumberId
 * @property {number} [statusDelayMs] pause before each status webhook, default 50
 */

/**
 * @typedef {object} RecordedRequest A request to the fake's Graph API (not the control API).
 * @property {string} method
 * @property {string} path with the query string
 * @property {{ authorization?: string, "content-type"?: string }} headers
 * @property {unknown} body the parsed JSON body, if it had one
 */

/**
 * @typedef {object} FakeCloudState Live state; `GET /_sandbox/state` serves the same object.
 * @property {RecordedRequest[]} requests
 * @property {{ id: string, to?: string, recipient?: string, type: string }[]} messages the sends it accepted
 * @property {{ id: string, typing: boolean }[]} reads read receipts (and typing indicators) it accepted
 * @property {{ body: unknown, status: number | "error" }[]} webhooks every webhook POST and its answer
 * @property {string | null} webhookUrl
 */

/**
 * @typedef {object} FakeCloudHandle
 * @property {string} url
 * @property {number} port
 * @property {() => Promise<void>} close
 * @property {FakeCloudState} state
 */

/** @typedef {{ contentType: string, bytes: Buffer, host?: string }} MediaItem */

/**
 * Compares two secrets without leaking where they differ through timing.
 * @param {string} a
 * @param {string} b
 */
function sameSecret(a, b) {
  const digest = (/** @type {string} */ s) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

const unixSeconds = () => String(Math.floor(Date.now() / 1000));
const fbtraceId = () => randomBytes(12).toString("base64url");
const wamid = () => `wamid.${randomBytes(27).toString("base64")}`;

/**
 * JSON as Meta sends it: every non-ASCII character escaped (`\u00e4`), so signatures are over those bytes.
 * @param {unknown} body
 */
function metaJson(body) {
  return JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A Graph API error answer.
 * @param {number} code
 * @param {string} title
 * @param {string} [details]
 * @param {{ type?: string, subcode?: number }} [more]
 */
function graphError(code, title, details, more = {}) {
  return {
    error: {
      message: `(#${code}) ${title}`,
      type: more.type ?? "OAuthException",
      code,
      ...(more.subcode !== undefined && { error_subcode: more.subcode }),
      ...(details !== undefined && { error_data: { messaging_product: "whatsapp", details } }),
      fbtrace_id: fbtraceId(),
    },
  };
}

/** @param {string} details */
const invalidParameter = (details) => graphError(100, "Invalid parameter", details);

/**
 * The error a fault answers with, by HTTP status.
 * @param {number} status
 */
function faultErrorBody(status) {
  if (status === 429) {
    return graphError(130429, "Rate limit hit", "Message failed to send because there were too many messages sent from this phone number in a short period of time");
  }
  if (status === 503) return graphError(2, "Service temporarily unavailable", "sandbox fault");
  if (status >= 500) return graphError(131000, "Something went wrong", "sandbox fault");
  if (status === 401) return graphError(190, "Invalid OAuth access token - Cannot parse access token", undefined);
  return graphError(1, "An unknown error occurred", "sandbox fault");
}

/**
 * What is wrong with an interactive message, if anything.
 * @param {Record<string, unknown>} i
 * @returns {string | undefined}
 */
function interactiveError(i) {
  const body = isObject(i.body) ? i.body.text : undefined;
  const action = isObject(i.action) ? i.action : undefined;
  if (!action) return "interactive.action is required";
  if (i.type === "button" || i.type === "list") {
    if (typeof body !== "string" || body === "") return "interactive.body.text is required";
    if (body.length > MAX_INTERACTIVE_BODY) return `interactive.body.text is longer than ${MAX_INTERACTIVE_BODY} characters`;
  }
  if (i.type === "button") {
    const buttons = Array.isArray(action.buttons) ? action.buttons : [];
    if (buttons.length < 1 || buttons.length > MAX_BUTTONS) return `interactive buttons: between 1 and ${MAX_BUTTONS}`;
    for (const b of buttons) {
      const reply = isObject(b) && b.type === "reply" && isObject(b.reply) ? b.reply : undefined;
      if (!reply || typeof reply.id !== "string" || typeof reply.title !== "string") return "each button needs type reply with reply.id and reply.title";
      if (reply.title.length > MAX_BUTTON_TITLE) return `button titles have at most ${MAX_BUTTON_TITLE} characters`;
      if (reply.id.length > MAX_BUTTON_ID) return `button ids have at most ${MAX_BUTTON_ID} characters`;
    }
    return undefined;
  }
  if (i.type === "list") {
    if (typeof action.button !== "string" || action.button === "" || action.button.length > MAX_LIST_BUTTON) {
      return `interactive.action.button: 1 to ${MAX_LIST_BUTTON} characters`;
    }
    const sections = Array.isArray(action.sections) ? action.sections : [];
    if (sections.length < 1 || sections.length > MAX_LIST_SECTIONS) return `list sections: between 1 and ${MAX_LIST_SECTIONS}`;
    let rows = 0;
    for (const s of sections) {
      if (!isObject(s) || !Array.isArray(s.rows) || s.rows.length === 0) return "each section needs rows";
      if (sections.length > 1 && typeof s.title !== "string") return "sections need a title when there are several";
      for (const r of s.rows) {
        rows += 1;
        if (!isObject(r) || typeof r.id !== "string" || typeof r.title !== "string") return "each row needs id and title";
        if (r.id.length > MAX_ROW_ID) return `row ids have at most ${MAX_ROW_ID} characters`;
        if (r.title.length > MAX_ROW_TITLE) return `row titles have at most ${MAX_ROW_TITLE} characters`;
        if (typeof r.description === "string" && r.description.length > MAX_ROW_DESCRIPTION) {
          return `row descriptions have at most ${MAX_ROW_DESCRIPTION} characters`;
        }
      }
    }
    return rows > MAX_LIST_ROWS ? `lists have at most ${MAX_LIST_ROWS} rows` : undefined;
  }
  if (i.type === "cta_url") {
    if (typeof body !== "string" || body === "") return "interactive.body.text is required";
    if (body.length > MAX_INTERACTIVE_BODY) return `interactive.body.text is longer than ${MAX_INTERACTIVE_BODY} characters`;
    const p = action.name === "cta_url" && isObject(action.parameters) ? action.parameters : undefined;
    if (!p || typeof p.display_text !== "string" || typeof p.url !== "string") return "a cta_url action needs name cta_url and parameters display_text and url";
    if (p.display_text === "" || p.display_text.length > MAX_BUTTON_TITLE) return `display_text: 1 to ${MAX_BUTTON_TITLE} characters`;
    return /^https?:\/\//.test(p.url) ? undefined : "parameters.url must be a URL";
  }
  return `interactive type '${String(i.type)}' is not supported by this fake`;
}

/**
 * What is wrong with the type-specific part of a message, if anything.
 * @param {string} type
 * @param {unknown} content
 * @returns {string | undefined}
 */
function contentError(type, content) {
  if (type === "contacts") return Array.isArray(content) && content.length > 0 ? undefined : "contacts must be a non-empty array";
  if (!isObject(content)) return `${type} object is required`;
  if (type === "text") {
    if (typeof content.body !== "string" || content.body === "") return "text.body is required";
    return content.body.length > MAX_TEXT ? `text.body is longer than ${MAX_TEXT} characters` : undefined;
  }
  if (MEDIA_TYPES.includes(type)) {
    if (typeof content.id !== "string" && !(typeof content.link === "string" && /^https?:\/\//.test(content.link))) {
      return `${type}.id or an http(s) ${type}.link is required`;
    }
    if (type === "audio" && content.caption !== undefined) return "audio has no caption";
    return typeof content.caption === "string" && content.caption.length > MAX_CAPTION ? `captions have at most ${MAX_CAPTION} characters` : undefined;
  }
  if (type === "location") {
    return typeof content.latitude === "number" && typeof content.longitude === "number" ? undefined : "location.latitude and location.longitude are required";
  }
  if (type === "template") {
    const language = isObject(content.language) ? content.language.code : undefined;
    return typeof content.name === "string" && typeof language === "string" ? undefined : "template.name and template.language.code are required";
  }
  if (type === "interactive") return interactiveError(content);
  if (type === "reaction") return typeof content.message_id === "string" ? undefined : "reaction.message_id is required";
  return undefined;
}

/**
 * A phone number the fake pretends to know for a business-scoped user id (digits derived from it).
 * @param {string} bsuid
 */
function phoneFor(bsuid) {
  return `1555${createHash("sha256").update(bsuid).digest("hex").replace(/\D/g, "").padEnd(7, "0").slice(0, 7)}`;
}

/**
 * A business-scoped user id the fake pretends a phone number has.
 * @param {string} phone
 */
function bsuidFor(phone) {
  return `US.${createHash("sha256").update(phone).digest("hex").replace(/\D/g, "").slice(0, 20)}`;
}

/**
 * Starts the WhatsApp Cloud API stand-in.
 * @param {FakeCloudOptions} [options]
 * @returns {Promise<FakeCloudHandle>}
 */
export async function startFakeWhatsAppCloud(options = {}) {
  const {
    host = "127.0.0.1",
    port = 0,
    quiet = false,
    accessToken = SANDBOX_CLOUD.accessToken,
    phoneNumberId = SANDBOX_CLOUD.phoneNumberId,
    statusDelayMs = 50,
  } = options;
  let appSecret = options.appSecret ?? SANDBOX_CLOUD.appSecret;
  const log = quiet ? () => {} : (/** @type {string} */ line) => console.log(`[fake whatsapp-cloud] ${line}`);

  /** A small JPEG-looking file under the id the image fixture names, so fixtures can fetch media too. */
  const PRELOADED = new Map([
    ["1003383421387256", { contentType: "image/jpeg", bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("sandbox image")]) }],
  ]);
  /** @type {Map<string, MediaItem>} */
  const media = new Map(PRELOADED);
  const faults = new FaultRules((path) => path.endsWith("/messages"));
  /** Graph error bodies of fault rules that name one. */
  /** @type {WeakMap<object, unknown>} */
  const faultBodies = new WeakMap();
  const requestTimers = new TimerSet();
  const webhookTimers = new TimerSet();
  /** Webhooks go out one at a time, in order, like statuses of one message should. */
  let outbox = Promise.resolve();
  /** Bumped on reset and close so queued webhooks from before are dropped. */
  let generation = 0;
  let origin = "";

  /** @type {FakeCloudState} */
  const state = { requests: [], messages: [], reads: [], webhooks: [], webhookUrl: null };

  /**
   * POSTs one webhook, signed like Meta, and records the answer.
   * @param {unknown} body
   * @returns {Promise<number | "error">}
   */
  async function post(body) {
    const url = state.webhookUrl;
    if (!url) return "error";
    const raw = metaJson(body);
    const signature = `sha256=${createHmac("sha256", appSecret).update(raw, "utf8").digest("hex")}`;
    /** @type {number | "error"} */
    let status = "error";
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signature },
        body: raw,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = "error";
    }
    state.webhooks.push({ body, status });
    log(`webhook -> ${status}`);
    return status;
  }

  /**
   * The Cloud API envelope around one `value`.
   * @param {Record<string, unknown>} value
   */
  function envelope(value) {
    return {
      object: "whatsapp_business_account",
      entry: [{
        id: SANDBOX_CLOUD.wabaId,
        changes: [{
          value: { messaging_product: "whatsapp", metadata: { display_phone_number: SANDBOX_CLOUD.displayPhoneNumber, phone_number_id: phoneNumberId }, ...value },
          field: "messages",
        }],
      }],
    };
  }

  /**
   * Queues the status webhooks of an accepted message, each after statusDelayMs.
   * @param {string} id
   * @param {{ to?: string, recipient?: string }} address
   * @param {unknown} callbackData
   */
  function scheduleStatuses(id, address, callbackData) {
    const mine = generation;
    const who = address.to !== undefined
      ? { recipient_id: address.to.replace(/^\+/, ""), recipient_user_id: bsuidFor(address.to) }
      : { recipient_id: phoneFor(String(address.recipient)), recipient_user_id: address.recipient };
    const echo = typeof callbackData === "string" ? { biz_opaque_callback_data: callbackData } : {};
    const pricing = { billable: true, pricing_model: "PMP", category: "service", type: "free_customer_service" };
    const outsideWindow = address.to?.startsWith("131047");
    /** @type {Record<string, unknown>[]} */
    const steps = outsideWindow
      ? [
          { status: "sent", ...who, ...echo, pricing },
          {
            status: "failed",
            recipient_id: who.recipient_id,
            errors: [{
              code: 131047,
              title: "Re-engagement message",
              message: "Re-engagement message",
              error_data: { details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
              href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }],
          },
        ]
      : ["sent", "delivered", "read"].map((status) => ({ status, ...who, ...echo, ...(status !== "read" && { pricing }) }));
    for (const step of steps) {
      outbox = outbox.then(async () => {
        await webhookTimers.sleep(statusDelayMs);
        if (mine !== generation || !state.webhookUrl) return;
        await post(envelope({ statuses: [{ id, timestamp: unixSeconds(), ...step }] }));
      });
    }
  }

  /**
   * Checks the bearer token like Graph: missing → 400 code 2500, wrong → 401 code 190.
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   * @returns {boolean} whether the request may go on
   */
  function authorized(req, res) {
    const auth = req.headers.authorization ?? "";
    if (!/^bearer /i.test(auth)) {
      sendJson(res, 400, { error: { message: "An active access token must be used to query information about the current user.", type: "OAuthException", code: 2500, fbtrace_id: fbtraceId() } });
      return false;
    }
    if (!sameSecret(auth.slice(7).trim(), accessToken)) {
      sendJson(res, 401, graphError(190, "Invalid OAuth access token - Cannot parse access token", undefined));
      return false;
    }
    return true;
  }

  /**
   * `POST /{version}/{phone-number-id}/messages`.
   * @param {unknown} input
   * @param {import("node:http").ServerResponse} res
   * @returns {string} a note for the log
   */
  function sendMessage(input, res) {
    if (!isObject(input)) return (sendJson(res, 400, invalidParameter("body must be a JSON object")), "");
    if (input.messaging_product !== "whatsapp") return (sendJson(res, 400, invalidParameter("messaging_product must be whatsapp")), "");
    if (input.status !== undefined) return markRead(input, res);
    const { to, recipient } = input;
    if (to === undefined && recipient === undefined) {
      return (sendJson(res, 400, graphError(100, "The parameter to is required.", "to or recipient is required")), "");
    }
    if (to !== undefined && !(typeof to === "string" && PHONE.test(to))) {
      return (sendJson(res, 400, invalidParameter("to must be a phone number; send business-scoped user ids in recipient")), "");
    }
    if (to === undefined && !(typeof recipient === "string" && BSUID.test(recipient))) {
      return (sendJson(res, 400, invalidParameter("recipient must be a business-scoped user id")), "");
    }
    const callbackData = input.biz_opaque_callback_data;
    if (callbackData !== undefined && !(typeof callbackData === "string" && callbackData.length <= MAX_CALLBACK_DATA)) {
      return (sendJson(res, 400, invalidParameter(`biz_opaque_callback_data: a string of at most ${MAX_CALLBACK_DATA} characters`)), "");
    }
    const type = input.type ?? "text";
    if (typeof type !== "string" || !MESSAGE_TYPES.includes(type)) {
      return (sendJson(res, 400, invalidParameter(`type must be one of ${MESSAGE_TYPES.join(", ")}`)), "");
    }
    const invalid = contentError(type, input[type]);
    if (invalid) return (sendJson(res, 400, invalidParameter(invalid)), `rejected: ${invalid}`);
    const address = /** @type {{ to?: string, recipient?: string }} */ (to !== undefined ? { to } : { recipient });
    if (typeof to === "string" && to.replace(/^\+/, "").startsWith("0")) {
      return (sendJson(res, 400, graphError(131026, "Message undeliverable", "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.")), `rejected to=${to}`);
    }
    if (typeof to === "string" && to.startsWith("131048")) {
      return (sendJson(res, 400, graphError(131048, "Spam rate limit hit", "Message failed to send because there are restrictions on how many messages can be sent from this phone number.")), `rejected to=${to}`);
    }
    const id = wamid();
    state.messages.push({ id, ...address, type });
    const contact = address.to !== undefined ? { input: address.to, wa_id: address.to.replace(/^\+/, "") } : { input: address.recipient, user_id: address.recipient };
    sendJson(res, 200, { messaging_product: "whatsapp", contacts: [contact], messages: [{ id }] });
    scheduleStatuses(id, address, callbackData);
    return `id=${id} ${address.to !== undefined ? `to=${address.to}` : `recipient=${address.recipient}`} type=${type}`;
  }

  /**
   * A read receipt (`status: "read"` with the customer's `message_id`), with a typing indicator when it
   * asks for one; recorded in `state.reads`. Ids starting with `wamid.unknown` answer like a message the
   * number never received.
   * @see https://developers.facebook.com/docs/whatsapp/cloud-api/typing-indicators
   * @param {Record<string, unknown>} input
   * @param {import("node:http").ServerResponse} res
   * @returns {string} a note for the log
   */
  function markRead(input, res) {
    const id = input.message_id;
    if (input.status !== "read") return (sendJson(res, 400, invalidParameter("status must be read")), "");
    if (typeof id !== "string" || id === "") return (sendJson(res, 400, graphError(100, "The parameter message_id is required.", "message_id is required")), "");
    const typing = input.typing_indicator;
    if (typing !== undefined && !(isObject(typing) && typing.type === "text")) {
      return (sendJson(res, 400, invalidParameter("typing_indicator.type must be text")), "");
    }
    if (id.startsWith("wamid.unknown")) return (sendJson(res, 400, invalidParameter(`message_id ${id} is not a message this number received`)), "");
    state.reads.push({ id, typing: typing !== undefined });
    sendJson(res, 200, { success: true });
    return `read ${id}${typing ? " + typing" : ""}`;
  }

  /**
   * The control API: no auth, never faulted.
   * @param {string} method
   * @param {URL} url
   * @param {import("node:http").IncomingMessage} req
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   * @returns {Promise<string>}
   */
  async function control(method, url, req, raw, res) {
    const path = url.pathname;
    if (method === "GET" && path === "/_sandbox/state") return (sendJson(res, 200, state), "");
    if (method === "POST" && path === "/_sandbox/media") {
      if (raw.length === 0) return (sendJson(res, 400, { error: "send the file as the body" }), "");
      const id = String(1_000_000_000_000_000n + BigInt(`0x${randomBytes(6).toString("hex")}`));
      const override = url.searchParams.get("host");
      media.set(id, { contentType: req.headers["content-type"] ?? "application/octet-stream", bytes: raw, ...(override && { host: override }) });
      return (sendJson(res, 200, { id }), `media ${id} (${raw.length} bytes)`);
    }
    if (method === "POST" && path === "/_sandbox/reset") {
      generation += 1;
      webhookTimers.clear();
      outbox = Promise.resolve();
      state.requests.length = 0;
      state.messages.length = 0;
      state.reads.length = 0;
      state.webhooks.length = 0;
      faults.clear();
      media.clear();
      for (const [id, item] of PRELOADED) media.set(id, item);
      return (sendJson(res, 200, { ok: true }), "reset");
    }
    /** @type {unknown} */
    let input;
    try {
      input = parseJson(raw);
    } catch {
      return (sendJson(res, 400, { error: "body is not valid JSON" }), "");
    }
    const body = isObject(input) ? input : {};
    if (method === "POST" && path === "/_sandbox/faults") {
      const { error, ...rest } = body;
      if (error !== undefined && !isObject(error)) return (sendJson(res, 400, { error: "error must be a Graph error object" }), "");
      const rule = faults.add({ ...rest, ...(error !== undefined && rest.status === undefined && { status: 400 }) });
      if (typeof rule === "string") return (sendJson(res, 400, { error: rule }), "");
      if (error !== undefined) faultBodies.set(rule, { error: { fbtrace_id: fbtraceId(), ...error } });
      return (sendJson(res, 200, { ok: true }), `fault ${JSON.stringify(rule)}`);
    }
    if (method === "POST" && path === "/_sandbox/webhook") {
      if (typeof body.url !== "string") return (sendJson(res, 400, { error: "url is required" }), "");
      state.webhookUrl = body.url;
      if (typeof body.appSecret === "string" && body.appSecret) appSecret = body.appSecret;
      return (sendJson(res, 200, { ok: true }), "webhook url set");
    }
    if (method === "POST" && path === "/_sandbox/inbound") {
      const from = typeof body.from === "string" ? body.from : undefined;
      const userId = typeof body.userId === "string" ? body.userId : undefined;
      if (!from && !userId) return (sendJson(res, 400, { error: "from or userId is required" }), "");
      if (typeof body.text !== "string" && !isObject(body.message)) return (sendJson(res, 400, { error: "text or message is required" }), "");
      if (!state.webhookUrl) return (sendJson(res, 409, { error: "set a webhook url first" }), "");
      const id = wamid();
      const content = isObject(body.message) ? body.message : { type: "text", text: { body: body.text } };
      const name = typeof body.name === "string" ? body.name : "Sandbox Customer";
      const contact = { profile: { name }, ...(from && { wa_id: from }), ...(userId && { user_id: userId }) };
      const message = { ...(from && { from }), ...(userId && { from_user_id: userId }), id, timestamp: unixSeconds(), ...content };
      const status = await post(envelope({ contacts: [contact], messages: [message] }));
      return (sendJson(res, 200, { id, status }), `inbound ${id}`);
    }
    return (sendJson(res, 404, { error: "not found" }), "");
  }

  /**
   * The Graph API, after the token check.
   * @param {string} method
   * @param {URL} url
   * @param {unknown} input
   * @param {import("node:http").ServerResponse} res
   * @returns {string}
   */
  function api(method, url, input, res) {
    const path = url.pathname;
    const send = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(path);
    if (send && method === "POST") {
      if (send[2] !== phoneNumberId) {
        sendJson(res, 400, graphError(100, `Unsupported post request. Object with ID '${send[2]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`, undefined, { type: "GraphMethodException", subcode: 33 }));
        return "unknown phone number id";
      }
      return sendMessage(input, res);
    }
    const lookup = /^\/(v\d+\.\d+)\/([^/]+)$/.exec(path);
    if (lookup && method === "GET") {
      const id = decodeURIComponent(lookup[2] ?? "");
      const item = media.get(id);
      if (!item) {
        sendJson(res, 400, graphError(100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`, undefined, { type: "GraphMethodException", subcode: 33 }));
        return `unknown media ${id}`;
      }
      const base = item.host ? origin.replace("127.0.0.1", item.host) : origin;
      sendJson(res, 200, {
        messaging_product: "whatsapp",
        url: `${base}${MEDIA_DOWNLOAD_PATH}?mid=${encodeURIComponent(id)}&ext=${unixSeconds()}&hash=${randomBytes(8).toString("hex")}`,
        mime_type: item.contentType,
        sha256: createHash("sha256").update(item.bytes).digest("base64"),
        file_size: item.bytes.length,
        id,
      });
      return `media lookup ${id}`;
    }
    if (path === MEDIA_DOWNLOAD_PATH && method === "GET") {
      const id = url.searchParams.get("mid") ?? "";
      const item = media.get(id);
      if (!item) return (sendJson(res, 404, { error: "not found" }), "");
      res.writeHead(200, { "content-type": item.contentType, "content-length": item.bytes.length });
      res.end(item.bytes);
      return `media download ${id}`;
    }
    sendJson(res, 400, graphError(2500, "Unknown path components", `${method} ${path}`));
    return "";
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handle(req, res) {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://sandbox");
    let note = "";
    res.on("finish", () => log(`${method} ${url.pathname} ${res.statusCode}${note ? ` ${note}` : ""}`));
    /** @type {Buffer} */
    let raw;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, graphError(100, "Invalid parameter", err.message));
      throw err;
    }
    if (url.pathname.startsWith("/_sandbox/")) {
      note = await control(method, url, req, raw, res);
      return;
    }
    /** @type {unknown} */
    let input;
    const json = (req.headers["content-type"] ?? "").includes("json");
    try {
      input = json ? parseJson(raw) : undefined;
    } catch {
      sendJson(res, 400, invalidParameter("request body is not valid JSON"));
      return;
    }
    const h = req.headers;
    state.requests.push({ method, path: `${url.pathname}${url.search}`, headers: { authorization: h.authorization, "content-type": h["content-type"] }, body: input });

    const recipient = isObject(input) ? (typeof input.to === "string" ? input.to : typeof input.recipient === "string" ? input.recipient : undefined) : undefined;
    const fault = faults.take(url.pathname, recipient);
    if (fault) {
      note = "(fault)";
      const custom = faultBodies.get(fault);
      if (await applyFault(fault, res, requestTimers, (status) => custom ?? faultErrorBody(status))) return;
      note = "(delayed)";
    }
    if (!authorized(req, res)) return;
    note = api(method, url, input, res) || note;
  }

  const server = createJsonServer("fake whatsapp-cloud", handle, graphError(1, "An unknown error occurred", "sandbox internal error"));
  const bound = await listen(server, host, port);
  origin = bound.url;

  return {
    ...bound,
    state,
    async close() {
      generation += 1;
      requestTimers.clear();
      webhookTimers.clear();
      await closeServer(server);
    },
  };
}

if (isMain(import.meta.url)) {
  const fake = await startFakeWhatsAppCloud({
    host: process.env.WA_CLOUD_HOST || "127.0.0.1",
    port: envInt("WA_CLOUD_PORT", 9092),
  });
  console.log(`fake WhatsApp Cloud API listening on ${fake.url}`);
  closeOnSignals(fake.close);
}
