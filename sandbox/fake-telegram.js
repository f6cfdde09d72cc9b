// @ts-check
/**
 * A local stand-in for the Telegram Bot API, for development and tests. It answers the methods the relay
 * calls (`sendMessage`, `sendPhoto`, `sendVideo`, `sendAudio`, `sendDocument`, `sendVoice`, `sendLocation`,
 * `sendVenue`, `sendChatAction`, `setMessageReaction`, `getFile`, file downloads, `setWebhook`,
 * `getWebhookInfo`, `deleteWebhook`, `getMe`, `answerCallbackQuery`) at `/bot<token>/<method>`, with the Bot API's own success and error shapes
 * (`{"ok":true,"result":...}` / `{"ok":false,"error_code":N,"description":"...","parameters":{...}}`).
 * A control API under `/_sandbox/*` (no auth) shows what was sent, injects faults and customer updates, and
 * stores files for `getFile`.
 * @see https://core.telegram.org/bots/api
 *
 * Run it:  node sandbox/fake-telegram.js
 * Environment (all optional):
 *   TELEGRAM_FAKE_HOST    interface to bind (default 127.0.0.1)
 *   TELEGRAM_FAKE_PORT    port (default 9092)
 *   TELEGRAM_BOT_TOKEN    the one bot token accepted (default: the test account's, below)
 *
 * Auth as on Telegram: the token is part of the path. A well-formed but unknown token answers 401
 * Unauthorized, a malformed one 404 Not Found. Paths are logged and recorded with the token replaced by
 * `<token>` (or `<wrong-token>`), never with the token itself.
 *
 * Recipients (chat_id) with special behaviour:
 *   400…   400 "Bad Request: chat not found"
 *   403…   403 "Forbidden: bot was blocked by the user"
 *   410…   403 "Forbidden: user is deactivated"
 *   -400…  400 "Bad Request: group chat was upgraded to a supergroup chat" with parameters.migrate_to_chat_id
 * Media URLs containing `broken` answer 400 "Bad Request: wrong file identifier/HTTP URL specified"; those
 * containing `unreachable` answer 400 "Bad Request: failed to get HTTP URL content".
 *
 * Control API:
 *   GET  /_sandbox/state    { requests: [{method, path, apiMethod, headers, body, status, at}], webhook, files, faults }
 *   POST /_sandbox/faults   a FaultRule ({status, retryAfter?, count?, path?, delayMs?, hang?}) plus, here:
 *                           `path` names the Bot API method (`/sendMessage`; the real path holds the token),
 *                           default: every `send*` method; `retryAfter` goes into `parameters.retry_after`
 *                           (Telegram sends no Retry-After header); `error`: the exact error body to answer
 *                           (status defaults to its `error_code`); `chatId`: only requests to this chat.
 *   POST /_sandbox/files    {base64 | text, contentType?, fileId?, filePath?} → {file_id, file_unique_id, file_path, file_size}
 *   POST /_sandbox/inbound  {update} or {chatId, text, name?}: POSTs the update to the webhook set with
 *                           setWebhook, with its secret_token header → {update_id, status}
 *   POST /_sandbox/reset    forgets requests, faults, webhook and uploaded files
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import {
  BodyTooLargeError,
  FaultRules,
  TimerSet,
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

/** The test account's bot token (test/channels/telegram/account.ts): keep the two in step. */
export const DEFAULT_BOT_TOKEN = "123456789:AAE-sandbox-telegram-bot-token-0123456789";

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_CALLBACK_DATA_BYTES = 64;
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const WELL_FORMED_TOKEN = /^\d+:[A-Za-z0-9_-]+$/;
/** A webhook call that takes longer than this counts as failed. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** Send methods and the parameter holding their file (a URL or a file_id). */
const MEDIA_METHODS = /** @type {Record<string, string>} */ ({
  sendPhoto: "photo",
  sendVideo: "video",
  sendAudio: "audio",
  sendDocument: "document",
  sendVoice: "voice",
  sendAnimation: "animation",
});

/** `sendChatAction` actions. @see https://core.telegram.org/bots/api#sendchataction */
const CHAT_ACTIONS = [
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
  "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
];
/** Some of the emoji a bot may react with (the full list is longer). @see https://core.telegram.org/bots/api#reactiontypeemoji */
const REACTION_EMOJI = ["👍", "👎", "❤", "🔥", "🎉", "🙏", "👌", "😁", "🤔", "👀"];

/** Short descriptions of the HTTP-level errors, as the Bot API words them. */
const DESCRIPTIONS = /** @type {Record<number, string>} */ ({
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
});

/**
 * @typedef {object} FakeTelegramOptions
 * @property {string} [host] default 127.0.0.1
 * @property {number} [port] default 0 (a free port)
 * @property {string} [token] the accepted bot token, default DEFAULT_BOT_TOKEN
 * @property {boolean} [quiet] no request log
 */

/**
 * @typedef {object} RecordedRequest One Bot API request, whatever its answer.
 * @property {string} method HTTP method
 * @property {string} path with the token replaced by `<token>` or `<wrong-token>`
 * @property {string} apiMethod e.g. sendMessage, or `file` for downloads
 * @property {Record<string, string | undefined>} headers
 * @property {Record<string, unknown>} body the parameters, from JSON, form or query string
 * @property {number} status the HTTP status answered (0 while pending or hanging)
 * @property {string} at ISO time
 */

/**
 * @typedef {object} StoredFile
 * @property {string} fileId
 * @property {string} uniqueId
 * @property {string} filePath
 * @property {string} contentType
 * @property {Buffer} bytes
 */

/**
 * @typedef {object} Webhook
 * @property {string} url
 * @property {string | null} secretToken
 * @property {string[]} allowedUpdates
 */

/**
 * @typedef {object} FakeTelegramState Live state; `GET /_sandbox/state` serves it (files as ids only).
 * @property {RecordedRequest[]} requests
 * @property {Webhook | null} webhook
 * @property {import("./http-util.js").FaultRule[]} faults
 */

/**
 * @typedef {object} FakeTelegramHandle
 * @property {string} url
 * @property {number} port
 * @property {() => Promise<void>} close
 * @property {FakeTelegramState} state
 */

/**
 * A Bot API error body.
 * @param {number} code
 * @param {string} description
 * @param {Record<string, unknown>} [parameters]
 */
function errorBody(code, description, parameters) {
  return { ok: false, error_code: code, description, ...(parameters && { parameters }) };
}

/**
 * Compares secrets without leaking where they differ.
 * @param {string} a
 * @param {string} b
 */
function sameSecret(a, b) {
  const digest = (/** @type {string} */ s) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Deterministic bytes for the built-in files, so tests can compare what they fetch. */
function seedBytes(/** @type {string} */ name, /** @type {number} */ size) {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(name).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

/**
 * Files known from the start: those of the photo and voice fixtures (test/fixtures/telegram), so their
 * `file_id`s resolve like real ones.
 * @returns {StoredFile[]}
 */
function seedFiles() {
  return [
    {
      fileId: "AgADAQADtKcxG4LRUUQSQVUjfJIiiF8G6C8ABA9NJzFdXskaincBAAEC",
      uniqueId: "AQADtKcxG4LRUUQE",
      filePath: "photos/file_0.jpg",
      contentType: "image/jpeg",
      bytes: seedBytes("photo", 2048),
    },
    {
      fileId: "AwADAQADCQADgtFRRGn8KrC-0D_MAg",
      uniqueId: "AgADCQADgtFRRA",
      filePath: "voice/file_1.oga",
      contentType: "audio/ogg",
      bytes: seedBytes("voice", 1024),
    },
  ];
}

/**
 * Reads a request's parameters the ways the Bot API accepts them: JSON, URL-encoded form, or query
 * string. JSON-valued parameters given as strings (reply_markup, allowed_updates) are parsed.
 * @param {import("node:http").IncomingMessage} req
 * @param {URL} url
 * @param {Buffer} raw
 * @returns {Record<string, unknown> | string} the parameters, or what is wrong
 */
function readParams(req, url, raw) {
  /** @type {Record<string, unknown>} */
  const params = Object.fromEntries(url.searchParams);
  const type = String(req.headers["content-type"] ?? "").split(";")[0]?.trim();
  if (raw.length > 0 && type === "application/json") {
    try {
      const body = parseJson(raw);
      if (!isObject(body)) return "request body must be a JSON object";
      Object.assign(params, body);
    } catch {
      return "can't parse JSON object";
    }
  } else if (raw.length > 0 && type === "application/x-www-form-urlencoded") {
    Object.assign(params, Object.fromEntries(new URLSearchParams(raw.toString("utf8"))));
  }
  for (const key of ["reply_markup", "allowed_updates", "link_preview_options"]) {
    const value = params[key];
    if (typeof value === "string" && /^[[{]/.test(value)) {
      try {
        params[key] = JSON.parse(value);
      } catch {
        return `can't parse ${key} JSON object`;
      }
    }
  }
  return params;
}

/**
 * Starts the fake Bot API.
 * @param {FakeTelegramOptions} [options]
 * @returns {Promise<FakeTelegramHandle>}
 */
export async function startFakeTelegram(options = {}) {
  const { host = "127.0.0.1", port = 0, token = DEFAULT_BOT_TOKEN, quiet = false } = options;
  const log = quiet ? () => {} : (/** @type {string} */ line) => console.log(`fake telegram: ${line}`);
  const botId = Number(token.split(":")[0]);
  const botUser = { id: botId, is_bot: true, first_name: "Sandbox Bot", username: "sandbox_bot" };

  // `path` names a Bot API method; `to` a chat.
  const faults = new FaultRules((path) => /^\/send[A-Z]/.test(path));
  /** Bot API error bodies of the fault rules that name one. */
  /** @type {WeakMap<import("./http-util.js").FaultRule, Record<string, unknown>>} */
  const faultBodies = new WeakMap();
  const timers = new TimerSet();
  /** @type {Map<string, StoredFile>} */
  const files = new Map();
  const seed = () => {
    files.clear();
    for (const f of seedFiles()) files.set(f.fileId, f);
  };
  seed();
  let nextMessageId = 1000;
  let nextUpdateId = 800_000_000;

  /** @type {FakeTelegramState} */
  const state = { requests: [], webhook: null, faults: faults.rules };

  /**
   * The chat object of an answer, for a chat_id as sent.
   * @param {string} chatId
   */
  function chatOf(chatId) {
    if (chatId.startsWith("@")) return { id: -1001000000001, title: chatId.slice(1), username: chatId.slice(1), type: "channel" };
    const id = Number(chatId);
    return id < 0 ? { id, title: "Sandbox Group", type: "supergroup" } : { id, first_name: "Sandbox", type: "private" };
  }

  /**
   * Errors of special recipients, as documented at the top of this file.
   * @param {string} chatId
   * @returns {[number, Record<string, unknown>] | undefined}
   */
  function recipientError(chatId) {
    if (chatId.startsWith("400")) return [400, errorBody(400, "Bad Request: chat not found")];
    if (chatId.startsWith("403")) return [403, errorBody(403, "Forbidden: bot was blocked by the user")];
    if (chatId.startsWith("410")) return [403, errorBody(403, "Forbidden: user is deactivated")];
    if (chatId.startsWith("-400")) {
      return [400, errorBody(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: -1001000000400 })];
    }
    return undefined;
  }

  /**
   * Checks a reply_markup's inline keyboard the way the Bot API does.
   * @param {unknown} markup
   * @returns {string | undefined} the error description, if any
   */
  function markupError(markup) {
    if (markup === undefined) return undefined;
    if (!isObject(markup)) return "Bad Request: can't parse reply keyboard markup JSON object";
    if (markup.inline_keyboard === undefined) return undefined;
    if (!Array.isArray(markup.inline_keyboard) || !markup.inline_keyboard.every(Array.isArray)) {
      return "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays";
    }
    for (const button of markup.inline_keyboard.flat()) {
      if (!isObject(button) || typeof button.text !== "string" || button.text === "") return "Bad Request: text buttons are unallowed in the inline keyboard";
      const data = button.callback_data;
      if (typeof data === "string" && (data === "" || Buffer.byteLength(data) > MAX_CALLBACK_DATA_BYTES)) {
        return "Bad Request: BUTTON_DATA_INVALID";
      }
    }
    return undefined;
  }

  /**
   * `setMessageReaction`: a bot sets at most one reaction, an emoji of Telegram's list; none takes it back.
   * @param {Record<string, unknown>} p
   * @returns {[number, unknown]}
   */
  function setReaction(p) {
    const messageId = Number(p.message_id);
    if (!Number.isInteger(messageId) || messageId < 1) return [400, errorBody(400, "Bad Request: message to react not found")];
    const reaction = p.reaction ?? [];
    if (!Array.isArray(reaction)) return [400, errorBody(400, "Bad Request: can't parse reaction types JSON object")];
    if (reaction.length > 1) return [400, errorBody(400, "Bad Request: REACTIONS_TOO_MANY")];
    const [one] = reaction;
    if (one !== undefined && !(isObject(one) && one.type === "emoji" && typeof one.emoji === "string" && REACTION_EMOJI.includes(one.emoji))) {
      return [400, errorBody(400, "Bad Request: REACTION_INVALID")];
    }
    return [200, { ok: true, result: true }];
  }

  /**
   * The Bot API methods. Answers [status, body].
   * @param {string} apiMethod
   * @param {Record<string, unknown>} p
   * @returns {Promise<[number, unknown]>}
   */
  async function callMethod(apiMethod, p) {
    if (apiMethod === "getMe") return [200, { ok: true, result: botUser }];
    if (apiMethod === "answerCallbackQuery") {
      return typeof p.callback_query_id === "string" && p.callback_query_id
        ? [200, { ok: true, result: true }]
        : [400, errorBody(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")];
    }
    if (apiMethod === "getFile") {
      const file = typeof p.file_id === "string" ? files.get(p.file_id) : undefined;
      if (!file) return [400, errorBody(400, "Bad Request: invalid file_id")];
      return [200, { ok: true, result: { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.bytes.length, file_path: file.filePath } }];
    }
    if (apiMethod === "setWebhook") {
      const url = typeof p.url === "string" ? p.url : "";
      const secret = p.secret_token;
      if (secret !== undefined && !(typeof secret === "string" && SECRET_TOKEN.test(secret))) {
        return [400, errorBody(400, "Bad Request: secret token contains unallowed characters")];
      }
      if (url === "") {
        state.webhook = null;
        return [200, { ok: true, result: true, description: "Webhook was deleted" }];
      }
      // The real API wants HTTPS on ports 443, 80, 88 or 8443; the fake takes loopback http too.
      if (!/^https?:\/\//.test(url)) return [400, errorBody(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")];
      const allowed = Array.isArray(p.allowed_updates) ? p.allowed_updates.filter((u) => typeof u === "string") : [];
      state.webhook = { url, secretToken: typeof secret === "string" ? secret : null, allowedUpdates: allowed };
      return [200, { ok: true, result: true, description: "Webhook was set" }];
    }
    if (apiMethod === "deleteWebhook") {
      state.webhook = null;
      return [200, { ok: true, result: true, description: "Webhook was deleted" }];
    }
    if (apiMethod === "getWebhookInfo") {
      const w = state.webhook;
      return [200, { ok: true, result: { url: w?.url ?? "", has_custom_certificate: false, pending_update_count: 0, ...(w && { allowed_updates: w.allowedUpdates }) } }];
    }
    if (!apiMethod.startsWith("send") && apiMethod !== "setMessageReaction") return [404, errorBody(404, "Not Found")];

    const chatId = typeof p.chat_id === "number" ? String(p.chat_id) : typeof p.chat_id === "string" ? p.chat_id : "";
    if (chatId === "") return [400, errorBody(400, "Bad Request: chat_id is empty")];
    if (!/^-?\d+$/.test(chatId) && !/^@\w+$/.test(chatId)) return [400, errorBody(400, "Bad Request: chat not found")];
    const special = recipientError(chatId);
    if (special) return special;
    if (apiMethod === "sendChatAction") {
      return typeof p.action === "string" && CHAT_ACTIONS.includes(p.action)
        ? [200, { ok: true, result: true }]
        : [400, errorBody(400, "Bad Request: wrong parameter action in request")];
    }
    if (apiMethod === "setMessageReaction") return setReaction(p);
    const invalidMarkup = markupError(p.reply_markup);
    if (invalidMarkup) return [400, errorBody(400, invalidMarkup)];

    /** @type {Record<string, unknown>} */
    let content;
    if (apiMethod === "sendMessage") {
      const text = typeof p.text === "string" ? p.text : "";
      if (text.trim() === "") return [400, errorBody(400, "Bad Request: message text is empty")];
      if ([...text].length > MAX_TEXT) return [400, errorBody(400, "Bad Request: message is too long")];
      content = { text };
    } else if (apiMethod in MEDIA_METHODS) {
      const field = MEDIA_METHODS[apiMethod] ?? "";
      const file = p[field];
      if (typeof file !== "string" || file === "") return [400, errorBody(400, `Bad Request: there is no ${field} in the request`)];
      if (file.includes("broken")) return [400, errorBody(400, "Bad Request: wrong file identifier/HTTP URL specified")];
      if (file.includes("unreachable")) return [400, errorBody(400, "Bad Request: failed to get HTTP URL content")];
      if (typeof p.caption === "string" && [...p.caption].length > MAX_CAPTION) {
        return [400, errorBody(400, "Bad Request: message caption is too long")];
      }
      const fileId = `${field.slice(0, 2).toUpperCase()}ACAgQAAxkBAAI${randomBytes(12).toString("base64url")}`;
      const sent = { file_id: fileId, file_unique_id: randomBytes(6).toString("base64url"), file_size: 1024 };
      content = {
        [field]: field === "photo" ? [{ ...sent, width: 320, height: 240 }] : sent,
        ...(typeof p.caption === "string" && { caption: p.caption }),
      };
    } else if (apiMethod === "sendLocation" || apiMethod === "sendVenue") {
      const latitude = Number(p.latitude);
      const longitude = Number(p.longitude);
      if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) return [400, errorBody(400, "Bad Request: wrong latitude or longitude specified")];
      content = { location: { latitude, longitude } };
      if (apiMethod === "sendVenue") {
        if (typeof p.title !== "string" || p.title === "" || typeof p.address !== "string" || p.address === "") {
          return [400, errorBody(400, "Bad Request: venue title and address must be non-empty")];
        }
        content.venue = { location: { latitude, longitude }, title: p.title, address: p.address };
      }
    } else {
      return [404, errorBody(404, "Not Found")];
    }
    nextMessageId += 1;
    const message = {
      message_id: nextMessageId,
      from: botUser,
      chat: chatOf(chatId),
      date: Math.floor(Date.now() / 1000),
      ...content,
      ...(isObject(p.reply_markup) && { reply_markup: p.reply_markup }),
    };
    return [200, { ok: true, result: message }];
  }

  /**
   * The control API: no auth, never faulted.
   * @param {string} method
   * @param {string} path
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   */
  async function control(method, path, raw, res) {
    /** @type {unknown} */
    let input;
    try {
      input = parseJson(raw);
    } catch {
      return sendJson(res, 400, { error: "body is not valid JSON" });
    }
    const body = isObject(input) ? input : {};
    if (method === "GET" && path === "/_sandbox/state") {
      return sendJson(res, 200, { ...state, files: [...files.keys()] });
    }
    if (method === "POST" && path === "/_sandbox/faults") {
      const { error, chatId, ...rest } = body;
      if (error !== undefined && !isObject(error)) return sendJson(res, 400, { error: "error must be a Bot API error body" });
      if (chatId !== undefined && typeof chatId !== "string") return sendJson(res, 400, { error: "chatId must be a string" });
      if (error && rest.status === undefined) rest.status = typeof error.error_code === "number" ? error.error_code : 400;
      const rule = faults.add({ ...rest, ...(chatId !== undefined && { to: chatId }) });
      if (typeof rule === "string") return sendJson(res, 400, { error: rule });
      if (error) faultBodies.set(rule, error);
      log(`fault ${JSON.stringify(rule)}`);
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/_sandbox/files") {
      const bytes =
        typeof body.base64 === "string" ? Buffer.from(body.base64, "base64") : typeof body.text === "string" ? Buffer.from(body.text) : undefined;
      if (!bytes || bytes.length === 0) return sendJson(res, 400, { error: "base64 or text is required" });
      const fileId = typeof body.fileId === "string" && body.fileId ? body.fileId : `BQACAgIAAxkBAAI${randomBytes(18).toString("base64url")}`;
      const filePath = typeof body.filePath === "string" && body.filePath ? body.filePath : `documents/file_${files.size}.bin`;
      const contentType = typeof body.contentType === "string" ? body.contentType : "application/octet-stream";
      const uniqueId = randomBytes(8).toString("base64url");
      files.set(fileId, { fileId, uniqueId, filePath, contentType, bytes });
      return sendJson(res, 200, { file_id: fileId, file_unique_id: uniqueId, file_path: filePath, file_size: bytes.length });
    }
    if (method === "POST" && path === "/_sandbox/inbound") {
      const webhook = state.webhook;
      if (!webhook) return sendJson(res, 400, { error: "no webhook set: call setWebhook first" });
      /** @type {Record<string, unknown>} */
      let update;
      if (isObject(body.update)) {
        update = { ...body.update };
      } else if (typeof body.chatId === "string" && typeof body.text === "string") {
        const id = Number(body.chatId);
        const name = typeof body.name === "string" ? body.name : "Sandbox Customer";
        const user = { id, is_bot: false, first_name: name };
        nextMessageId += 1;
        update = { message: { message_id: nextMessageId, from: user, chat: { id, first_name: name, type: "private" }, date: Math.floor(Date.now() / 1000), text: body.text } };
      } else {
        return sendJson(res, 400, { error: "update, or chatId and text, is required" });
      }
      if (update.update_id === undefined) update.update_id = ++nextUpdateId;
      /** @type {number | "error"} */
      let status = "error";
      try {
        const answer = await fetch(webhook.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(webhook.secretToken && { "x-telegram-bot-api-secret-token": webhook.secretToken }) },
          body: JSON.stringify(update),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        status = answer.status;
        await answer.arrayBuffer().catch(() => {});
      } catch {
        status = "error";
      }
      log(`update ${update.update_id} -> webhook: ${status}`);
      return sendJson(res, 200, { update_id: update.update_id, status });
    }
    if (method === "POST" && path === "/_sandbox/reset") {
      state.requests.length = 0;
      state.webhook = null;
      faults.clear();
      seed();
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
    const url = new URL(req.url ?? "/", "http://sandbox");
    /** @type {Buffer} */
    let raw;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, errorBody(413, "Request Entity Too Large"));
      throw err;
    }
    if (url.pathname.startsWith("/_sandbox/")) return control(method, url.pathname, raw, res);

    const api = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
    const download = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname);
    const presented = decodeURIComponent((api ?? download)?.[1] ?? "");
    const tokenOk = (api !== null || download !== null) && sameSecret(presented, token);
    const shown = tokenOk ? "<token>" : "<wrong-token>";
    const path = api ? `/bot${shown}/${api[2]}` : download ? `/file/bot${shown}/${download[2]}` : url.pathname;
    const apiMethod = api?.[2] ?? (download ? "file" : "");
    const params = api ? readParams(req, url, raw) : {};
    /** @type {RecordedRequest} */
    const record = {
      method,
      path,
      apiMethod,
      headers: { "content-type": req.headers["content-type"], "user-agent": req.headers["user-agent"] },
      body: typeof params === "string" ? {} : params,
      status: 0,
      at: new Date().toISOString(),
    };
    if (api || download) state.requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
      log(`${method} ${path} ${res.statusCode}`);
    });

    if (!api && !download) return sendJson(res, 404, errorBody(404, "Not Found"));
    if (!tokenOk) {
      return WELL_FORMED_TOKEN.test(presented) ? sendJson(res, 401, errorBody(401, "Unauthorized")) : sendJson(res, 404, errorBody(404, "Not Found"));
    }
    const chatId = typeof params === "object" && (typeof params.chat_id === "string" || typeof params.chat_id === "number") ? String(params.chat_id) : undefined;
    const fault = faults.take(api ? `/${apiMethod}` : `/file/${download?.[2]}`, chatId);
    if (fault) {
      if (fault.hang) return; // never answer; close() drops the socket
      if (fault.delayMs) await timers.sleep(fault.delayMs);
      const status = fault.status;
      if (status !== undefined) {
        const retryAfter = fault.retryAfter;
        const description =
          status === 429 ? `Too Many Requests: retry after ${retryAfter ?? 1}` : (DESCRIPTIONS[status] ?? "Internal Server Error");
        const body = faultBodies.get(fault) ?? errorBody(status, description, retryAfter !== undefined ? { retry_after: retryAfter } : undefined);
        return sendJson(res, status, body);
      }
    }

    if (download) {
      const file = [...files.values()].find((f) => f.filePath === decodeURIComponent(download[2] ?? ""));
      if (!file) return sendJson(res, 404, errorBody(404, "Not Found"));
      res.writeHead(200, { "content-type": file.contentType, "content-length": file.bytes.length });
      res.end(file.bytes);
      return;
    }
    if (typeof params === "string") return sendJson(res, 400, errorBody(400, `Bad Request: ${params}`));
    const [status, body] = await callMethod(apiMethod, params);
    return sendJson(res, status, body);
  }

  const server = createJsonServer("fake telegram", handle, errorBody(500, "Internal Server Error"));
  const bound = await listen(server, host, port);
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
  const fake = await startFakeTelegram({
    host: process.env.TELEGRAM_FAKE_HOST || "127.0.0.1",
    port: envInt("TELEGRAM_FAKE_PORT", 9092),
    token: process.env.TELEGRAM_BOT_TOKEN || undefined,
  });
  console.log(`fake telegram bot api listening on ${fake.url}`);
  closeOnSignals(fake.close);
}
