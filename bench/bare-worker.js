/**
 * The baseline for the benchmark: the least a Worker can do with a POST. It reads the whole body
 * before answering, because workerd resets a keep-alive connection whose request body was left
 * unread, and a baseline full of reconnects would flatter every ratio computed against it.
 */
export default {
  /** @param {Request} request */
  async fetch(request) {
    await request.arrayBuffer();
    return new Response("ok");
  },
};
