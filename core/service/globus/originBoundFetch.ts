/**
 * node-fetch with redirects followed here, not by node-fetch: node-fetch keeps the Authorization header
 * on a redirect to another port or a subdomain (it compares host names only). Here credentials go only
 * to the origin (scheme, host and port) they were meant for; a redirect elsewhere is followed without
 * them. Methods change as fetch's own rules say (303, and 301/302 after a POST, become a GET without a
 * body).
 */
import fetch, { type RequestInit, type Response } from "node-fetch";

/** As fetch's "follow" mode. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials (and the body's type, which a GET without body must not claim). */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

export interface OriginBoundInit extends Omit<RequestInit, "redirect" | "headers" | "body"> {
  headers: Record<string, string>;
  body?: string;
}

export class TooManyRedirectsError extends Error {
  override readonly name = "TooManyRedirectsError";
}

export async function originBoundFetch(url: string, init: OriginBoundInit): Promise<Response> {
  const origin = new URL(url).origin;
  let current = url;
  let method = (init.method ?? "GET").toUpperCase();
  let body = init.body;
  let headers = { ...init.headers };
  for (let hops = 0; ; hops++) {
    // node-fetch given an aborted signal destroys the request's body stream with an error nobody listens
    // to (an uncaught AbortError): never start a request, or a redirect's next hop, once aborted.
    if (init.signal?.aborted) throw new DOMException("The operation was aborted.", "AbortError");
    const response = await fetch(current, { ...init, method, headers, body, redirect: "manual" });
    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    // The redirect's own body is not wanted; drain it so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (hops >= MAX_REDIRECTS) throw new TooManyRedirectsError(`more than ${MAX_REDIRECTS} redirects, the last to ${location}`);
    const next = new URL(location, current);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = undefined;
      headers = withoutHeaders(headers, ["content-type", "content-length"]);
    }
    if (next.origin !== origin) headers = withoutHeaders(headers, CREDENTIAL_HEADERS);
    current = next.toString();
  }
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}
