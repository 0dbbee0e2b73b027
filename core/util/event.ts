import type { Disposable } from "./disposable";

/** A subscription function in VS Code's style: `const sub = emitter.event(listener); sub.dispose()`. */
export type Event<T> = (listener: (e: T) => void) => Disposable;

/** A typed event source with no vscode dependency; a listener that throws does not stop the others. */
export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();
  private disposed = false;

  constructor(private readonly onListenerError: (err: unknown) => void = (err) => console.error(err)) {}

  readonly event: Event<T> = (listener) => {
    if (this.disposed) return { dispose() {} };
    // Wrap so the same function can subscribe twice and unsubscribe each subscription separately.
    const wrapped = (e: T) => listener(e);
    this.listeners.add(wrapped);
    return { dispose: () => void this.listeners.delete(wrapped) };
  };

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  fire(e: T): void {
    // Events fire per task: no copy of the listeners when there are none or one (the usual cases).
    if (this.listeners.size === 0) return;
    if (this.listeners.size === 1) return this.call(this.listeners.values().next().value as (e: T) => void, e);
    for (const l of [...this.listeners]) this.call(l, e);
  }

  private call(l: (e: T) => void, e: T): void {
    try {
      l(e);
    } catch (err) {
      this.onListenerError(err);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
