/** `GET /v2/get_amqp_result_connection_url` (protocol.md §3.9): a fresh password on every call. */
import { ApiError } from "../apiError";
import type { EmulatorContext } from "../context";
import type { Route } from "../router";

export function amqpRoutes(ctx: EmulatorContext): Route[] {
  return [
    {
      method: "GET",
      pattern: "/v2/get_amqp_result_connection_url",
      auth: "compute",
      handler: async (req) => {
        let url: string;
        try {
          url = await ctx.accounts.freshUrl(req.me);
        } catch (err) {
          throw new ApiError(500, "INTERNAL_ERROR", `Could not issue broker credentials: ${(err as Error).message}`);
        }
        return { status: 200, body: { queue_prefix: req.me.queuePrefix, connection_url: url } };
      },
    },
  ];
}
