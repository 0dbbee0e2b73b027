/** Field checks for JSON request bodies, collecting every problem into one 422 (FastAPI style). */
import { ValidationError, parseUuid, type ValidationIssue } from "./apiError";

type Json = Record<string, unknown>;

export class BodyReader {
  private readonly issues: ValidationIssue[] = [];

  constructor(private readonly body: Json) {}

  str(name: string, required: true): string;
  str(name: string, required?: false): string | null;
  str(name: string, required = false): string | null {
    return this.field(name, required, (v) => typeof v === "string", "string_type", "Input should be a valid string") as string | null;
  }

  bool(name: string): boolean | null {
    return this.field(name, false, (v) => typeof v === "boolean", "bool_type", "Input should be a valid boolean") as boolean | null;
  }

  object(name: string, required: true): Json;
  object(name: string, required?: false): Json | null;
  object(name: string, required = false): Json | null {
    return this.field(name, required, isObject, "dict_type", "Input should be a valid dictionary") as Json | null;
  }

  /** A list of strings. */
  strings(name: string): string[] | null {
    const list = this.field(name, false, Array.isArray, "list_type", "Input should be a valid list") as unknown[] | null;
    list?.forEach((v, i) => {
      if (typeof v !== "string") this.issue([name, i], "Input should be a valid string", "string_type");
    });
    return list as string[] | null;
  }

  /** A UUID (400 INVALID_UUID when malformed, as the service answers for ids), lower-cased. */
  uuid(name: string): string | null {
    const v = this.body[name];
    return v === undefined || v === null ? null : parseUuid(v, name);
  }

  issue(loc: (string | number)[], msg: string, type: string): void {
    this.issues.push({ loc: ["body", ...loc], msg, type });
  }

  /** Throws the 422 if any check failed. */
  done(): void {
    if (this.issues.length) throw new ValidationError(this.issues);
  }

  private field(name: string, required: boolean, ok: (v: unknown) => boolean, type: string, msg: string): unknown {
    const v = this.body[name];
    if (v === undefined || v === null) {
      if (required) this.issue([name], "Field required", "missing");
      return null;
    }
    if (!ok(v)) {
      this.issue([name], msg, type);
      return null;
    }
    return v;
  }
}

export function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
