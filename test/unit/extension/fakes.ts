/** In-memory stand-ins for the VS Code objects the extension reads through interfaces. */
import { Emitter } from "../../../core/util/event";
import type { ConfigurationSource } from "../../../extension/state/settings";
import type { StateStorage } from "../../../extension/state/taskGroupStore";

/** A Memento that, like VS Code's, stores JSON (so what is read back is a copy). */
export function memento(initial: Record<string, unknown> = {}): StateStorage {
  const data = new Map(Object.entries(initial).map(([k, v]) => [k, JSON.stringify(v)]));
  return {
    get: (key) => (data.has(key) ? JSON.parse(data.get(key) as string) : undefined),
    // VS Code's Memento deletes a key updated to undefined.
    update: async (key, value) => void (value === undefined ? data.delete(key) : data.set(key, JSON.stringify(value))),
  };
}

/** Configuration values below `globusCompute.`; `set` changes one and fires the change event. */
export function configuration(values: Record<string, unknown>): ConfigurationSource & { set(key: string, value: unknown): void } {
  const changed = new Emitter<void>();
  return {
    get: (key) => values[key],
    onDidChange: changed.event,
    set(key, value) {
      values[key] = value;
      changed.fire();
    },
  };
}
