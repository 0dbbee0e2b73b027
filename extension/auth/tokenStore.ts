/**
 * The signed-in session, kept only in a SecretStorage (VS Code's `context.secrets`): one JSON entry per
 * Globus Auth URL and client, so a token issued by one server is never sent to another.
 */
import type { Event } from "../../core/util/event";

/** The part of VS Code's SecretStorage the store uses (a Map-backed fake in tests). */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
  readonly onDidChange: Event<{ key: string }>;
}

export interface Account {
  id: string;
  label: string;
}

export interface StoredSession {
  id: string;
  account: Account;
  scopes: string[];
  /** The Compute (funcx_service) access token and its expiry (epoch ms). */
  accessToken: string;
  expiresAt: number;
  refreshToken?: string;
}

const KEY_PREFIX = "globusCompute.session";

export function sessionKey(authBaseUrl: string, clientId: string): string {
  return `${KEY_PREFIX}|${authBaseUrl}|${clientId}`;
}

export function isSessionKey(key: string): boolean {
  return key.startsWith(`${KEY_PREFIX}|`);
}

export class TokenStore {
  constructor(private readonly secrets: SecretStore) {}

  readonly onDidChange: Event<{ key: string }> = (listener) => this.secrets.onDidChange((e) => isSessionKey(e.key) && listener(e));

  /** The stored session; an entry that is not a session (corrupt, older format) is deleted and reads as none. */
  async load(key: string): Promise<StoredSession | undefined> {
    const text = await this.secrets.get(key);
    if (text === undefined) return undefined;
    const session = parseSession(text);
    if (session === undefined) await this.secrets.delete(key);
    return session;
  }

  async save(key: string, session: StoredSession): Promise<void> {
    await this.secrets.store(key, JSON.stringify(session));
  }

  async clear(key: string): Promise<void> {
    await this.secrets.delete(key);
  }
}

function parseSession(text: string): StoredSession | undefined {
  let v: Partial<StoredSession> | null;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const ok =
    typeof v === "object" &&
    v !== null &&
    typeof v.id === "string" &&
    typeof v.account?.id === "string" &&
    typeof v.account.label === "string" &&
    Array.isArray(v.scopes) &&
    v.scopes.every((s) => typeof s === "string") &&
    typeof v.accessToken === "string" &&
    typeof v.expiresAt === "number" &&
    (v.refreshToken === undefined || typeof v.refreshToken === "string");
  return ok ? (v as StoredSession) : undefined;
}
