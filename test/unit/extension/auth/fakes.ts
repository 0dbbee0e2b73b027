/** Stand-ins for SecretStorage and the login's UI steps. */
import { Emitter } from "../../../../core/util/event";
import type { LoginPrompts } from "../../../../extension/auth/nativeAppLogin";
import type { SecretStore } from "../../../../extension/auth/tokenStore";

/** A SecretStorage over a Map; `onDidChange` fires on every store/delete, as VS Code's does. */
export function secretStore(): SecretStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  const changed = new Emitter<{ key: string }>();
  return {
    data,
    onDidChange: changed.event,
    get: async (key) => data.get(key),
    store: async (key, value) => {
      data.set(key, value);
      changed.fire({ key });
    },
    delete: async (key) => {
      if (data.delete(key)) changed.fire({ key });
    },
  };
}

/**
 * Prompts that record what they were shown. `answers` gives each code prompt's answer from the URL the
 * "browser" was sent to (undefined: the person dismissed the box).
 */
export function scriptedPrompts(
  answers: ((authorizeUrl: string) => Promise<string | undefined> | string | undefined)[],
  openExternal = true,
): LoginPrompts & { urls: string[]; prompts: string[]; validate?: (text: string) => string | undefined } {
  const self: LoginPrompts & { urls: string[]; prompts: string[]; validate?: (text: string) => string | undefined } = {
    urls: [],
    prompts: [],
    openExternal: async (url) => {
      self.urls.push(url);
      return openExternal;
    },
    promptCode: async ({ prompt, validate }) => {
      self.prompts.push(prompt);
      self.validate = validate;
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected code prompt: ${prompt}`);
      return answer(self.urls.at(-1) as string);
    },
  };
  return self;
}
