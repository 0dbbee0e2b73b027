/** `GET /v2/version` (protocol.md §3.2). */
import { ValidationError } from "../apiError";
import type { Route } from "../router";

export const API_VERSION = "1.23.0";

export function versionRoutes(): Route[] {
  return [
    {
      method: "GET",
      pattern: "/v2/version",
      auth: "none",
      handler: (req) => {
        const service = req.query.get("service") ?? "api";
        if (service === "api") return { status: 200, body: API_VERSION };
        if (service === "all") {
          // The SDK reads min_sdk_version and min_ep_version by key: both must be there.
          return {
            status: 200,
            body: { api: API_VERSION, min_sdk_version: "2.0.0", min_ep_version: "2.0.0", git_sha: "emulator", container_service: "0.0.1" },
          };
        }
        throw new ValidationError([{ loc: ["query", "service"], msg: "Input should be 'api' or 'all'", type: "enum" }]);
      },
    },
  ];
}
