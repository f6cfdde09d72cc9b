// @ts-check
/**
 * A stand-in for Apple's Messages for Business gateway (the MSP REST API) and its attachment store (MMCS),
 * for tests and local development. It checks the MSP's bearer tokens like Apple (HS256 with the
 * base64-decoded MSP secret, `iss` = MSP id), accepts `POST /v1/message` (text, interactive, text with
 * attachments, typing_start and typing_end), hands out upload and download slots (`GET /v1/preUpload`, `GET /v1/preDownload`), stores
 * AES-256-CTR-encrypted files like MMCS and serves them back. A control API under `/_sandbox/*` (no auth)
 * shows what it received, injects faults and creates inbound attachments.
 * @see https://register.apple.com/resources/messages/msp-rest-api/common-specs
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages
 *
 * Run it:  node sandbox/fake-apple.js   (APPLE_FAKE_HOST, APPLE_FAKE_PORT; default 127.0.0.1:9096)
 *
 * Answers: 200 with an empty body for an accepted message (the message id is the caller's `id` header);
 * 401 for a missing, malformed, wrongly signed or stale token; 403 when `Source-Id` is not the business;
 * 400 for a malformed message or an attachment MMCS does not know. Apple's error bodies are not documented
 * publicly; this fake answers `{"code": <status>, "message": "..."}`.
 * Recipients (`Destination-Id`) with special behaviour:
 *   `urn:mbid:UNKNOWN...`  404, Apple does not know this opaque id
 *   `urn:mbid:GONE...`     410, the customer deleted the conversation or blocked the business
 *
 * Control API:
 *   GET  /_sandbox/state        {requests: [{method, path, headers, body}], messages: [...], files: n}
 *   POST /_sandbox/faults       a FaultRule (see http-util.js); applies to /v1/* and /mmcs/* by default.
 *                               With `destination` (an opaque id) it applies only to requests whose
 *                               Destination-Id is that one, so parallel tests never take each other's faults.
 *   POST /_sandbox/reset        forgets requests, messages, faults and files
 *   POST /_sandbox/attachments  {data: base64, mimeType?, name?} → the attachment as Apple puts it in an
 *                               inbound message (encrypted and stored here, downloadable via preDownload)
 *   POST /_sandbox/files        {data: base64, name, mimeType?} → {url}: a plain public file (a business's
 *                               media URL) served at GET /files/<name>
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
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

/** The test account's credentials (test/channels/apple/account.ts). */
export const DEFAULT_MSP_ID = "d6e2e2f4-3c1a-4b8e-9b7a-2f3e4d5c6b7a";
export const DEFAULT_MSP_SECRET = "cmVsYXktdGVzdC1hcHBsZS1tc3Atc2VjcmV0LTAxMjM=";
export const DEFAULT_BUSINESS_ID = "a884eddf-5a71-4f7e-9a8c-7f0c3c1b2d4e";

/** Apple's own interactive extension. */
const BUSINESS_EXTENSION_BID =
  "com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.icloud.apps.messages.business.extension";
/** How old an MSP token may be before this fake refuses it (Apple's window is not documented). */
const TOKEN_MAX_AGE_SECONDS = 600;
const CLOCK_SKEW_SECONDS = 60;
/** Apple's attachment limit. */
const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;
const QUICK_REPLY_ITEMS = { min: 2, max: 5 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^00[0-9a-fA-F]{64}$/;
const ZERO_IV = Buffer.alloc(16);

/**
 * @typedef {object} FakeAppleOptions
 * @property {string} [host] default 127.0.0.1
 * @property {number} [port] default 0 (a free port)
 * @property {boolean} [quiet] no request log
 * @property {string} [mspId]
 * @property {string} [mspSecret] base64, as Apple shows it
 * @property {string} [businessId]
 */

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} headers
 * @property {unknown} body parsed JSON, `{bytes: n}` for binary uploads, or undefined
 */

/**
 * @typedef {object} AcceptedMessage A `POST /v1/message` the fake accepted.
 * @property {string} id
 * @property {Record<string, string>} headers
 * @property {Record<string, unknown>} body
 * @property {{ name: string, mimeType: string, size: number, sha256: string }[]} attachments
 *   each attachment decrypted with the message's key: sha256 (hex) of the plain file
 */

/**
 * @typedef {object} StoredFile An encrypted file in the fake MMCS.
 * @property {string} token
 * @property {string} mmcsUrl
 * @property {string} owner
 * @property {Buffer} encrypted
 * @property {string} checksum base64, what MMCS answers an upload with and Apple calls the signature
 * @property {number} declaredSize
 */

/**
 * @typedef {object} FakeAppleState Live state; `GET /_sandbox/state` serves requests and messages.
 * @property {RecordedRequest[]} requests
 * @property {AcceptedMessage[]} messages
 */

/**
 * @typedef {object} FakeAppleHandle
 * @property {string} url
 * @property {number} port
 * @property {() => Promise<void>} close
 * @property {FakeAppleState} state
 */

/**
 * @param {string} s
 * @returns {Buffer}
 */
const b64url = (s) => Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");

/**
 * @param {Buffer} key
 * @param {Buffer} data
 */
const aesCtr = (key, data) => {
  const cipher = createCipheriv("aes-256-ctr", key, ZERO_IV);
  return Buffer.concat([cipher.update(data), cipher.final()]);
};

/**
 * @param {Buffer} key
 * @param {Buffer} data
 */
const aesCtrDecrypt = (key, data) => {
  const decipher = createDecipheriv("aes-256-ctr", key, ZERO_IV);
  return Buffer.concat([decipher.update(data), decipher.final()]);
};

/**
 * MMCS's checksum of a file: here a SHA-1 with a leading type byte, like the 21-byte signatures Apple sends.
 * @param {Buffer} data
 */
const mmcsChecksum = (data) => Buffer.concat([Buffer.from([1]), createHash("sha1").update(data).digest()]).toString("base64");

/**
 * @param {number} status
 * @param {string} message
 */
const errorBody = (status, message) => ({ code: status, message });

/**
 * Answers an error in the fake's shape and returns the message for the log.
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {string} message
 */
function refuse(res, status, message) {
  sendJson(res, status, errorBody(status, message));
  return message;
}

/**
 * Answers a bad control request.
 * @param {import("node:http").ServerResponse} res
 * @param {string} message
 */
function refuseControl(res, message) {
  sendJson(res, 400, { error: message });
  return "";
}

/**
 * Starts the fake Apple gateway.
 * @param {FakeAppleOptions} [options]
 * @returns {Promise<FakeAppleHandle>}
 */
export async function startFakeApple(options = {}) {
  const {
    host = "127.0.0.1",
    port = 0,
    quiet = false,
    mspId = DEFAULT_MSP_ID,
    mspSecret = DEFAULT_MSP_SECRET,
    businessId = DEFAULT_BUSINESS_ID,
  } = options;
  const log = quiet ? () => {} : (/** @type {string} */ line) => console.log(`fake-apple: ${line}`);
  const secret = Buffer.from(mspSecret, "base64");
  /** @type {FakeAppleState} */
  const state = { requests: [], messages: [] };
  /** @type {Map<string, StoredFile>} by token */
  const files = new Map();
  /** @type {Map<string, { bytes: Buffer, mimeType: string }>} plain public files by name */
  const publicFiles = new Map();
  const inApi = (/** @type {string} */ path) => path.startsWith("/v1/") || path.startsWith("/mmcs/");
  const faults = new FaultRules(inApi);
  const timers = new TimerSet();
  let base = "";

  /**
   * Whether the request carries a valid MSP token: HS256, our secret, `iss` = MSP id, a recent `iat`.
   * @param {import("node:http").IncomingMessage} req
   * @returns {string | null} why not, or null when valid
   */
  function tokenProblem(req) {
    const match = /^Bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(req.headers.authorization ?? "");
    if (!match) return "missing bearer token";
    const [, h = "", p = "", s = ""] = match;
    /** @type {unknown} */
    let header;
    /** @type {unknown} */
    let payload;
    try {
      header = JSON.parse(b64url(h).toString("utf8"));
      payload = JSON.parse(b64url(p).toString("utf8"));
    } catch {
      return "malformed token";
    }
    if (!isObject(header) || header.alg !== "HS256") return "token is not HS256";
    const expected = createHmac("sha256", secret).update(`${h}.${p}`).digest();
    const given = b64url(s);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "bad token signature";
    if (!isObject(payload) || payload.iss !== mspId) return "token issuer is not the MSP";
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== "number" || now - payload.iat > TOKEN_MAX_AGE_SECONDS || payload.iat - now > CLOCK_SKEW_SECONDS) {
      return "token iat missing or out of range";
    }
    return null;
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {string} name
   */
  const header = (req, name) => {
    const v = req.headers[name];
    return typeof v === "string" ? v : undefined;
  };

  /**
   * Checks one attachment of an outbound message against the fake MMCS and decrypts it.
   * @param {unknown} a
   * @returns {{ name: string, mimeType: string, size: number, sha256: string } | string}
   */
  function checkAttachment(a) {
    if (!isObject(a)) return "attachment is not an object";
    const { name, mimeType, size, url, owner, key } = a;
    const signature = a["signature-base64"];
    if (typeof name !== "string" || typeof mimeType !== "string") return "attachment needs name and mimeType";
    if (typeof key !== "string" || !KEY.test(key)) return "attachment key must be 00 + 64 hex digits";
    const file = [...files.values()].find((f) => f.mmcsUrl === url);
    if (!file || file.checksum === "" || file.owner !== owner) return "attachment url/owner unknown to MMCS";
    if (signature !== file.checksum) return "attachment signature-base64 does not match the uploaded file";
    if (String(size) !== String(file.encrypted.length)) return "attachment size is not the uploaded size";
    const plain = aesCtrDecrypt(Buffer.from(key.slice(2), "hex"), file.encrypted);
    return { name, mimeType, size: plain.length, sha256: createHash("sha256").update(plain).digest("hex") };
  }

  /**
   * The message body's own problem, or null.
   * @param {Record<string, unknown>} body
   */
  function contentProblem(body) {
    if (body.type === "text") {
      if (typeof body.body !== "string" || body.body === "") return "text needs a body";
      if (body.attachments !== undefined && !Array.isArray(body.attachments)) return "attachments must be an array";
      return null;
    }
    if (body.type === "interactive") {
      const data = isObject(body.interactiveData) ? body.interactiveData : undefined;
      if (!data || typeof data.bid !== "string" || !isObject(data.data)) return "interactive needs interactiveData.bid and .data";
      const d = data.data;
      if (typeof d.requestIdentifier !== "string") return "interactive data needs a requestIdentifier";
      if (data.bid === BUSINESS_EXTENSION_BID) {
        const quick = d["quick-reply"];
        if (isObject(quick)) {
          const items = Array.isArray(quick.items) ? quick.items : [];
          if (items.length < QUICK_REPLY_ITEMS.min || items.length > QUICK_REPLY_ITEMS.max) return "quick-reply needs 2 to 5 items";
          if (typeof quick.summaryText !== "string") return "quick-reply needs a summaryText";
        } else if (isObject(d.listPicker)) {
          if (!Array.isArray(d.listPicker.sections) || d.listPicker.sections.length === 0) return "listPicker needs sections";
          if (!isObject(data.receivedMessage)) return "listPicker needs a receivedMessage";
        }
      }
      return null;
    }
    // A typing indicator carries nothing but the envelope.
    if (body.type === "typing_start" || body.type === "typing_end") return null;
    return `type must be text, interactive, typing_start or typing_end, not ${String(body.type)}`;
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {string} method
   * @param {string} path
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   * @returns {string} a note for the log
   */
  function api(req, method, path, raw, res) {
    const mmcsUpload = /^\/mmcs\/upload\/([\w-]+)$/.exec(path);
    if (method === "POST" && mmcsUpload) {
      // MMCS upload URLs are pre-signed by preUpload: no bearer token.
      const file = files.get(mmcsUpload[1] ?? "");
      if (!file) return refuse(res, 404, "unknown upload slot");
      if (raw.length !== file.declaredSize) return refuse(res, 400, "size differs from MMCS-Size");
      file.encrypted = raw;
      file.checksum = mmcsChecksum(raw);
      sendJson(res, 200, { singleFile: { fileChecksum: file.checksum, fileSize: raw.length } });
      return `upload ${file.token} (${raw.length} bytes)`;
    }
    const mmcsDownload = /^\/mmcs\/download\/([\w-]+)$/.exec(path);
    if (method === "GET" && mmcsDownload) {
      const file = files.get(mmcsDownload[1] ?? "");
      if (!file) return refuse(res, 404, "no such file");
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.encrypted.length });
      res.end(file.encrypted);
      return `download ${file.token}`;
    }

    const problem = tokenProblem(req);
    if (problem) return refuse(res, 401, problem);
    const source = header(req, "source-id");
    if (source !== businessId) return refuse(res, 403, "Source-Id is not a business of this MSP");

    if (method === "GET" && path === "/v1/preUpload") {
      const size = Number(header(req, "mmcs-size"));
      if (!Number.isInteger(size) || size <= 0 || size > MAX_ATTACHMENT_BYTES) {
        return refuse(res, 400, "MMCS-Size must be 1 to 100 MB");
      }
      const token = randomBytes(12).toString("hex");
      const file = {
        token,
        mmcsUrl: `https://p00-content.icloud-content.com/M${token}`,
        owner: `p00_${randomBytes(8).toString("hex")}`,
        encrypted: Buffer.alloc(0),
        checksum: "",
        declaredSize: size,
      };
      files.set(token, file);
      sendJson(res, 200, { "upload-url": `${base}/mmcs/upload/${token}`, "mmcs-url": file.mmcsUrl, "mmcs-owner": file.owner });
      return `upload slot ${token} for ${size} bytes`;
    }

    if (method === "GET" && path === "/v1/preDownload") {
      const file = [...files.values()].find((f) => f.mmcsUrl === header(req, "mmcs-url"));
      if (!file || file.checksum === "") return refuse(res, 404, "no such MMCS file");
      if (file.owner !== header(req, "mmcs-owner") || file.checksum !== header(req, "mmcs-signature")) {
        return refuse(res, 400, "MMCS-Owner or MMCS-Signature do not match");
      }
      sendJson(res, 200, { "download-url": `${base}/mmcs/download/${file.token}` });
      return `download slot ${file.token}`;
    }

    if (method === "POST" && path === "/v1/message") {
      /** @type {unknown} */
      let input;
      try {
        input = parseJson(raw);
      } catch {
        return refuse(res, 400, "body is not JSON");
      }
      const id = header(req, "id");
      const destination = header(req, "destination-id");
      if (!isObject(input)) return refuse(res, 400, "body must be a JSON object");
      if (!id || !UUID.test(id) || input.id !== id) return refuse(res, 400, "id header must be a UUID equal to body.id");
      if (!destination || input.destinationId !== destination || input.sourceId !== source || input.v !== 1) {
        return refuse(res, 400, "sourceId, destinationId and v must match the headers");
      }
      const invalid = contentProblem(input);
      if (invalid) return refuse(res, 400, invalid);
      /** @type {AcceptedMessage["attachments"]} */
      const attachments = [];
      for (const a of Array.isArray(input.attachments) ? input.attachments : []) {
        const checked = checkAttachment(a);
        if (typeof checked === "string") return refuse(res, 400, checked);
        attachments.push(checked);
      }
      if (destination.startsWith("urn:mbid:UNKNOWN")) return refuse(res, 404, "unknown destination");
      if (destination.startsWith("urn:mbid:GONE")) return refuse(res, 410, "destination unreachable");
      const headers = /** @type {Record<string, string>} */ ({ ...req.headers });
      state.messages.push({ id, headers, body: input, attachments });
      res.writeHead(200, { "content-length": 0 });
      res.end();
      return `message ${id} (${String(input.type)}) to ${destination.slice(0, 24)}…`;
    }

    sendJson(res, 404, errorBody(404, `${method} ${path}`));
    return "";
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {Buffer} raw
   * @param {import("node:http").ServerResponse} res
   * @returns {string}
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
    if (method === "GET" && path === "/_sandbox/state") {
      sendJson(res, 200, { ...state, files: files.size });
      return "";
    }
    if (method === "POST" && path === "/_sandbox/faults") {
      const { destination, ...rest } = body;
      if (destination !== undefined && typeof destination !== "string") return refuseControl(res, "destination must be a string");
      const rule = faults.add({ ...rest, ...(destination !== undefined && { to: destination }) });
      if (typeof rule === "string") return refuseControl(res, rule);
      sendJson(res, 200, { ok: true });
      return `fault ${JSON.stringify(rule)}${destination ? ` for ${destination.slice(0, 24)}…` : ""}`;
    }
    if (method === "POST" && path === "/_sandbox/reset") {
      state.requests.length = 0;
      state.messages.length = 0;
      faults.clear();
      files.clear();
      publicFiles.clear();
      sendJson(res, 200, { ok: true });
      return "reset";
    }
    if (method === "POST" && (path === "/_sandbox/attachments" || path === "/_sandbox/files")) {
      if (typeof body.data !== "string") return refuseControl(res, "data (base64) is required");
      const plain = Buffer.from(body.data, "base64");
      const mimeType = typeof body.mimeType === "string" ? body.mimeType : "application/octet-stream";
      const name = typeof body.name === "string" ? body.name : "attachment.bin";
      if (path === "/_sandbox/files") {
        publicFiles.set(name, { bytes: plain, mimeType });
        sendJson(res, 200, { url: `${base}/files/${encodeURIComponent(name)}` });
        return `public file ${name}`;
      }
      const key = randomBytes(32);
      const encrypted = aesCtr(key, plain);
      const token = randomBytes(12).toString("hex");
      const checksum = mmcsChecksum(encrypted);
      const file = {
        token,
        mmcsUrl: `https://p00-content.icloud-content.com/M${token}`,
        owner: `p00_${randomBytes(8).toString("hex")}`,
        encrypted,
        checksum,
        declaredSize: encrypted.length,
      };
      files.set(token, file);
      // As Apple puts it in a customer's message: upper-case hex key and signature.
      sendJson(res, 200, {
        name,
        mimeType,
        size: encrypted.length,
        key: `00${key.toString("hex").toUpperCase()}`,
        url: file.mmcsUrl,
        owner: file.owner,
        signature: Buffer.from(checksum, "base64").toString("hex").toUpperCase(),
      });
      return `attachment ${token}`;
    }
    sendJson(res, 404, { error: "not found" });
    return "";
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handle(req, res) {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://sandbox").pathname;
    let note = "";
    res.on("finish", () => log(`${method} ${path} ${res.statusCode}${note ? ` ${note}` : ""}`));
    /** @type {Buffer} */
    let raw;
    try {
      raw = await readBody(req, MAX_ATTACHMENT_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, errorBody(413, err.message));
      throw err;
    }
    if (path.startsWith("/_sandbox/")) {
      note = control(method, path, raw, res);
      return;
    }
    const publicFile = /^\/files\/(.+)$/.exec(path);
    if (method === "GET" && publicFile) {
      const file = publicFiles.get(decodeURIComponent(publicFile[1] ?? ""));
      if (!file) return sendJson(res, 404, { error: "no such file" });
      res.writeHead(200, { "content-type": file.mimeType, "content-length": file.bytes.length });
      res.end(file.bytes);
      return;
    }
    /** @type {unknown} */
    let recorded;
    try {
      recorded = path.startsWith("/mmcs/upload/") ? { bytes: raw.length } : parseJson(raw);
    } catch {
      recorded = { bytes: raw.length };
    }
    state.requests.push({ method, path, headers: /** @type {Record<string, string>} */ ({ ...req.headers }), body: recorded });
    const destination = req.headers["destination-id"];
    const fault = faults.take(path, typeof destination === "string" ? destination : undefined);
    if (fault) {
      note = "(fault)";
      if (await applyFault(fault, res, timers, (status) => errorBody(status, "injected fault"))) return;
      note = "(delayed)";
    }
    note = api(req, method, path, raw, res) || note;
  }

  const server = createJsonServer("fake-apple", handle, errorBody(500, "sandbox internal error"));
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
  const fake = await startFakeApple({
    host: process.env.APPLE_FAKE_HOST || "127.0.0.1",
    port: envInt("APPLE_FAKE_PORT", 9096),
  });
  console.log(`fake Apple Messages for Business gateway listening on ${fake.url}`);
  closeOnSignals(fake.close);
}
