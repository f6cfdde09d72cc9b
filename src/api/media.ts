import { Hono } from "hono";
import { adapterFor } from "../channels/registry";
import { sendContextFor } from "../delivery/send-context";
import { ProblemError } from "../errors";
import { RefusedUrlError, UnreachableError } from "../transport/errors";
import { boundedResponse } from "../transport/guarded-fetch";
import type { AppEnv } from "./context";
import { mediaTokenSecret, verifyMediaToken } from "./media-tokens";
import { registryAccount } from "../registry/directory";

/**
 * The largest file streamed through: WhatsApp's documents reach 100 MB, the largest of any platform.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types
 */
const MAX_INBOUND_MEDIA_BYTES = 100 * 1024 * 1024;

/** Headers of the platform's answer worth passing on to the business. */
const PASSED_HEADERS = ["content-type", "content-length", "content-disposition", "etag", "last-modified"];

/**
 * `GET /v1/media/{token}`: streams an inbound media file from its platform. The signed token is the
 * credential (it names one file of one account and expires); platform credentials stay in the relay.
 */
export const mediaApi = new Hono<AppEnv>().get("/v1/media/:token", async (c) => {
  const grant = await verifyMediaToken(await mediaTokenSecret(c.env), c.req.param("token"));
  if (grant === "expired") throw new ProblemError(410, "media_url_expired", "This media URL has expired; media URLs last an hour.");
  if (grant === "invalid") throw new ProblemError(404, "media_not_found", "No such media.");
  const found = await registryAccount(c.env, grant.account);
  const adapter = found && adapterFor(found.account.channel);
  if (!found || !adapter?.fetchMedia) throw new ProblemError(404, "media_not_found", "No such media.");
  let upstream: Response;
  try {
    upstream = await adapter.fetchMedia(grant.mediaId, found.account, sendContextFor(c.env, found.account));
  } catch (e) {
    if (e instanceof UnreachableError || e instanceof RefusedUrlError) {
      console.warn(`media: ${found.account.id}: ${e.message}`);
      throw new ProblemError(502, "media_unavailable", "The platform's media could not be fetched; try again later.");
    }
    throw e;
  }
  if (upstream.status === 404 || upstream.status === 410) {
    await upstream.body?.cancel();
    throw new ProblemError(404, "media_not_found", "The platform no longer has this media.");
  }
  if (!upstream.ok) {
    await upstream.body?.cancel();
    throw new ProblemError(502, "media_unavailable", `The platform answered ${upstream.status}; try again later.`);
  }
  const headers = new Headers({ "cache-control": "private, max-age=300" });
  for (const h of PASSED_HEADERS) {
    const v = upstream.headers.get(h);
    if (v) headers.set(h, v);
  }
  return boundedResponse(new Response(upstream.body, { status: 200, headers }), MAX_INBOUND_MEDIA_BYTES);
});
