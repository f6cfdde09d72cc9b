import { DurableObject } from "cloudflare:workers";

/**
 * The floor of "stored before acknowledged": one Durable Object that inserts each body it is given in
 * SQLite, the least a relay must do before it may answer a platform. Its cost, beside the bare worker's,
 * shows what the runtime and this machine's disk allow whatever the relay does.
 */
export class DurableWrite extends DurableObject {
  /** @param {DurableObjectState} ctx @param {unknown} env */
  constructor(ctx, env) {
    super(ctx, /** @type {any} */ (env));
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS bodies (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)");
  }

  /** @param {string} body */
  async store(body) {
    this.ctx.storage.sql.exec("INSERT INTO bodies (body) VALUES (?)", body);
  }
}

/**
 * The baseline for the benchmark: the least a Worker can do with a POST. It reads the whole body
 * before answering, because workerd resets a keep-alive connection whose request body was left
 * unread, and a baseline full of reconnects would flatter every ratio computed against it.
 * `POST /durable` also stores the body in a DurableWrite object before answering.
 */
export default {
  /** @param {Request} request @param {{ DURABLE_WRITE: DurableObjectNamespace<DurableWrite> }} env */
  async fetch(request, env) {
    const body = await request.text();
    if (new URL(request.url).pathname === "/durable") await env.DURABLE_WRITE.get(env.DURABLE_WRITE.idFromName("floor")).store(body);
    return new Response("ok");
  },
};
