// @ts-check
/**
 * Small helpers shared by the sandbox stand-in servers (whatsapp-container.js, business-backend.js):
 * body reading, JSON answers, fault-injection rules, timers that die with the server, listen/close,
 * and CLI plumbing. Node built-ins only.
 */
import { realpathSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

/** Bodies above this are refused; media uploads are the largest thing the sandbox sees. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Thrown by readBody when a body is larger than allowed; handlers answer 413. */
export class BodyTooLargeError extends Error {}

/**
 * Reads a request body completely.
 * @param {import("node:http").IncomingMessage} req
 * @param {number} [maxBytes]
 * @returns {Promise<Buffer>}
 */
export function readBody(req, maxBytes = MAX_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on("data", (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new BodyTooLargeError(`body larger than ${maxBytes} bytes`));
        req.resume(); // drain the rest so the socket can still carry our 413
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Parses a JSON body; an empty body is `undefined`, malformed JSON throws a SyntaxError.
 * @param {Buffer} body
 * @returns {unknown}
 */
export function parseJson(body) {
  const text = body.toString("utf8");
  return text.trim() === "" ? undefined : JSON.parse(text);
}

/**
 * Answers with a JSON body.
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * True for a plain JSON object (not null, not an array).
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One fault-injection rule, as posted to `POST /_sandbox/faults`.
 * @typedef {object} FaultRule
 * @property {number} [status] answer with this HTTP status instead of handling the request
 * @property {number} [retryAfter] seconds, sent as a Retry-After header with `status`
 * @property {number} count how many more matching requests this rule applies to
 * @property {string} [path] only requests to this path (or below it); default: the server's own default
 * @property {number} [delayMs] wait this long first; without `status` the request then proceeds normally
 * @property {boolean} [hang] never answer; the socket stays open until the client gives up or close()
 * @property {string} [to] only requests for this recipient (the server says what a request's recipient
 *   is), so that tests running side by side do not use up each other's faults
 */

/**
 * Fault rules in the order they were added. A matching request consumes one count of the FIRST
 * matching rule, so tests can queue e.g. "two 503s, then a 429".
 */
export class FaultRules {
  /** @type {FaultRule[]} */
  rules = [];

  /**
   * @param {(pathname: string) => boolean} matchesByDefault which paths a rule without `path` applies to
   */
  constructor(matchesByDefault) {
    this.matchesByDefault = matchesByDefault;
  }

  /**
   * Validates a posted rule and appends it.
   * @param {Record<string, unknown>} input
   * @returns {FaultRule | string} the rule, or a message saying what is wrong with the input
   */
  add(input) {
    const { status, retryAfter, count = 1, path, delayMs, hang, to } = input;
    if (status !== undefined && !(Number.isInteger(status) && Number(status) >= 100 && Number(status) <= 599)) {
      return "status must be an HTTP status code";
    }
    if (retryAfter !== undefined && !(typeof retryAfter === "number" && retryAfter >= 0)) {
      return "retryAfter must be a number of seconds";
    }
    if (!(Number.isInteger(count) && Number(count) >= 1)) return "count must be a positive integer";
    if (path !== undefined && !(typeof path === "string" && path.startsWith("/"))) return "path must start with /";
    if (delayMs !== undefined && !(typeof delayMs === "number" && delayMs >= 0)) return "delayMs must be >= 0";
    if (hang !== undefined && typeof hang !== "boolean") return "hang must be a boolean";
    if (to !== undefined && typeof to !== "string") return "to must be a string";
    if (status === undefined && delayMs === undefined && !hang) return "a fault needs status, delayMs or hang";
    /** @type {FaultRule} */
    const rule = {
      count: Number(count),
      ...(status !== undefined && { status: Number(status) }),
      ...(retryAfter !== undefined && { retryAfter: Number(retryAfter) }),
      ...(path !== undefined && { path: String(path) }),
      ...(delayMs !== undefined && { delayMs: Number(delayMs) }),
      ...(hang && { hang: true }),
      ...(typeof to === "string" && { to }),
    };
    this.rules.push(rule);
    return rule;
  }

  /**
   * Consumes one count of the first rule matching this path (and recipient, for rules that name one).
   * @param {string} pathname
   * @param {string} [recipient] who the request is for, where the server knows
   * @returns {FaultRule | undefined}
   */
  take(pathname, recipient) {
    const index = this.rules.findIndex(
      (rule) =>
        (rule.to === undefined || rule.to === recipient) &&
        (rule.path === undefined
          ? this.matchesByDefault(pathname)
          : pathname === rule.path || pathname.startsWith(`${rule.path.replace(/\/+$/, "")}/`)),
    );
    const rule = this.rules[index];
    if (!rule) return undefined;
    rule.count -= 1;
    if (rule.count <= 0) this.rules.splice(index, 1);
    return rule;
  }

  clear() {
    this.rules.length = 0;
  }
}

/**
 * Timers that can all be cancelled at once, so close()/reset never leave a callback behind that
 * fires into a stopped server (or keeps the test process alive).
 */
export class TimerSet {
  /** @type {Set<NodeJS.Timeout>} */
  #timers = new Set();

  /**
   * Runs fn after ms unless the set is cleared first.
   * @param {number} ms
   * @param {() => void} fn
   */
  after(ms, fn) {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  /**
   * Resolves after ms. If the set is cleared first it never resolves: its caller is being shut down.
   * @param {number} ms
   * @returns {Promise<void>}
   */
  sleep(ms) {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  clear() {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

/**
 * Carries out a fault rule for one request.
 * @param {FaultRule} rule
 * @param {import("node:http").ServerResponse} res
 * @param {TimerSet} timers cleared on close(), so a delayed answer cannot outlive the server
 * @param {(status: number) => unknown} errorBody the server's error JSON for a status
 * @returns {Promise<boolean>} true when the request is dealt with (answered or left hanging),
 *   false when the caller should go on handling it normally (a pure delay)
 */
export async function applyFault(rule, res, timers, errorBody) {
  if (rule.hang) return true; // never answer; close() destroys the socket via closeAllConnections()
  if (rule.delayMs) await timers.sleep(rule.delayMs);
  if (rule.status === undefined) return false;
  /** @type {Record<string, string>} */
  const headers = rule.retryAfter === undefined ? {} : { "retry-after": String(rule.retryAfter) };
  sendJson(res, rule.status, errorBody(rule.status), headers);
  return true;
}

/**
 * The kind of a fault rule, for the servers' fault counters: "5xx", "429" (or another 4xx status, by
 * number), "hang", "slow" (a pure delay: the request is handled, late) or "delay" (delayed, then a status).
 * @param {FaultRule} rule
 * @returns {string}
 */
export function faultKind(rule) {
  if (rule.hang) return "hang";
  if (rule.status === undefined) return "slow";
  if (rule.status >= 500) return "5xx";
  return String(rule.status);
}

/**
 * Counts one applied fault of `rule` in a server's `faultCounts`.
 * @param {Record<string, number>} counts
 * @param {FaultRule} rule
 */
export function countFault(counts, rule) {
  const kind = faultKind(rule);
  counts[kind] = (counts[kind] ?? 0) + 1;
}

/**
 * The "refuse" fault: the server stops listening (new connections are refused by the OS) and drops
 * every open connection, hung requests and idle keep-alives included, then listens again on the same
 * port after a while, as a crashed-and-restarted or unreachable server would look to its clients.
 * A refusal while one is under way extends it.
 */
export class Refusal {
  /** Episodes started so far. */
  episodes = 0;
  /** Open connections dropped when refusals began. */
  droppedConnections = 0;
  /** @type {NodeJS.Timeout | undefined} */
  #timer;
  /** When listening starts again (epoch ms); 0 while listening. */
  #until = 0;
  #stopped = false;

  /**
   * @param {import("node:http").Server} server
   * @param {string} host
   * @param {() => number} port the port bound at start (port 0 picks one; the refusal keeps it)
   * @param {(line: string) => void} [log]
   */
  constructor(server, host, port, log = () => {}) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.log = log;
    /** @type {Set<import("node:net").Socket>} */
    this.sockets = new Set();
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  get refusing() {
    return this.#until > 0;
  }

  /**
   * Validates a posted `{ "refuse": true, "durationMs": n }` body.
   * @param {Record<string, unknown>} input
   * @returns {number | string} the duration, or a message saying what is wrong
   */
  static parse(input) {
    const { durationMs = 3000 } = input;
    if (!(typeof durationMs === "number" && Number.isFinite(durationMs) && durationMs > 0 && durationMs <= 600_000)) {
      return "durationMs must be a number of milliseconds, at most 600000";
    }
    return durationMs;
  }

  /**
   * Starts (or extends) a refusal. Call it after the answer to the control request that asked for it
   * has been written: that request's own connection is dropped too.
   * @param {number} durationMs
   */
  start(durationMs) {
    if (this.#stopped) return;
    const until = Date.now() + durationMs;
    if (this.refusing) {
      this.#until = Math.max(this.#until, until);
      return;
    }
    this.#until = until;
    this.episodes += 1;
    this.droppedConnections += this.sockets.size;
    this.log(`refusing connections for ${durationMs} ms (dropping ${this.sockets.size} open)`);
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
    this.#schedule();
  }

  #schedule() {
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      const left = this.#until - Date.now();
      if (left > 0) return this.#schedule();
      /** @param {Error} err */
      const retry = (err) => {
        // The port is ours, but a socket of the last listener may linger for a moment: try again soon.
        this.log(`listening again failed (${err.message}); retrying`);
        this.#until = Date.now() + 100;
        this.#schedule();
      };
      this.server.once("error", retry);
      this.server.listen(this.port(), this.host, () => {
        this.server.off("error", retry);
        this.#until = 0;
        this.log("listening again");
      });
    }, Math.max(0, this.#until - Date.now()));
  }

  /** For the server's close(): no listening again. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#until = 0;
  }
}

/**
 * Starts listening and reports the URL actually bound (port 0 picks a free port).
 * @param {import("node:http").Server} server
 * @param {string} host
 * @param {number} port
 * @returns {Promise<{ url: string, port: number }>}
 */
export function listen(server, host, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      const urlHost = host.includes(":") ? `[${host}]` : host;
      resolve({ url: `http://${urlHost}:${bound}`, port: bound });
    });
  });
}

/**
 * Stops the server and destroys every open socket, hung requests and idle keep-alives included,
 * so a test's teardown can never wait on a client that is still connected.
 * @param {import("node:http").Server} server
 * @returns {Promise<void>}
 */
export function closeServer(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * True when the module with this import.meta.url is the script node was started with.
 * @param {string} metaUrl
 */
export function isMain(metaUrl) {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

/**
 * An HTTP server whose handler may be async: a handler that throws answers 500 with the platform's own
 * error body (or drops the connection if the answer had begun), and says so on stderr.
 * @param {string} name who is failing, for the log
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<unknown>} handle
 * @param {unknown} internalErrorBody
 */
export function createJsonServer(name, handle, internalErrorBody) {
  return createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error(`${name}: request failed:`, err instanceof Error ? err.message : err);
      if (!res.headersSent) sendJson(res, 500, internalErrorBody);
      else res.destroy();
    });
  });
}

/**
 * Reads a non-negative integer from the environment.
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
export function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

/**
 * Closes the server on Ctrl-C / `docker stop` and exits once it is closed.
 * @param {() => Promise<void>} close
 */
export function closeOnSignals(close) {
  const stop = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
