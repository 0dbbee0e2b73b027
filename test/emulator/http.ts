/** The request/reply types every emulator route uses, and body reading with a size limit. */
import type { IncomingMessage } from "node:http";
import { ApiError, ValidationError } from "./apiError";
import type { User } from "./state";

export interface Reply {
  status: number;
  /** JSON-encoded unless `contentType` says otherwise (then it must be a string). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface BodyLimit {
  bytes: number;
  /** ErrorResponse code when the body is larger, e.g. TASK_PAYLOAD_TOO_LARGE. */
  code: string;
}

export class Request {
  params: Record<string, string> = {};
  /** Set by the authentication step for Compute API routes. */
  user: User | undefined;
  private bodyPromise: Promise<Buffer> | undefined;

  constructor(
    readonly raw: IncomingMessage,
    readonly url: URL,
    private limit: BodyLimit,
  ) {}

  get method(): string {
    return this.raw.method ?? "GET";
  }

  get path(): string {
    return this.url.pathname;
  }

  get query(): URLSearchParams {
    return this.url.searchParams;
  }

  header(name: string): string | undefined {
    const v = this.raw.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /** The authenticated user; routes behind authentication call this. */
  get me(): User {
    if (!this.user) throw new Error("route used without authentication");
    return this.user;
  }

  setBodyLimit(limit: BodyLimit): void {
    this.limit = limit;
  }

  body(): Promise<Buffer> {
    this.bodyPromise ??= readBody(this.raw, this.limit);
    return this.bodyPromise;
  }

  /** The JSON body; 422 when it is not JSON or not an object. */
  async json(): Promise<Record<string, unknown>> {
    const text = (await this.body()).toString("utf8");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ValidationError([{ loc: ["body"], msg: `JSON decode error: ${(err as Error).message}`, type: "json_invalid" }]);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new ValidationError([{ loc: ["body"], msg: "Input should be a valid dictionary", type: "dict_type" }]);
    }
    return value as Record<string, unknown>;
  }

  async form(): Promise<URLSearchParams> {
    return new URLSearchParams((await this.body()).toString("utf8"));
  }
}

function readBody(req: IncomingMessage, limit: BodyLimit): Promise<Buffer> {
  const tooLarge = () =>
    new ApiError(413, limit.code, `Request body exceeds the limit of ${limit.bytes} bytes`, [limit.bytes]);
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit.bytes) {
    req.resume(); // drain, so the client reads our answer instead of a reset connection
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit.bytes) failed = true;
      if (!failed) chunks.push(chunk);
    });
    req.once("end", () => (failed ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.once("error", reject);
  });
}
