/**
 * Tokens (the REST client's Bearer header, the token form's refresh token, code verifier or client secret)
 * only travel over TLS, except to this machine itself (a local emulator): plain http:// is for loopback hosts.
 */

/** `localhost`, 127.0.0.0/8 or ::1, as the URL parser writes them (`127.1` and `0x7f.0.0.1` become `127.0.0.1`). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === "[::1]";
}

/**
 * Why credentials must not be sent to `url` (plain http:// to another host); undefined when they may, or
 * when it is no URL at all (the request fails on that by itself).
 */
export function cleartextProblem(url: string | URL): string | undefined {
  const u = typeof url === "string" ? parsed(url) : url;
  if (u === undefined || u.protocol !== "http:" || isLoopbackHost(u.hostname)) return undefined;
  return `plain http:// is only used for this machine (localhost, 127.0.0.0/8, ::1), not ${u.host}: tokens would travel in clear text; use https://`;
}

function parsed(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
