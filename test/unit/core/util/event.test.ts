import { test } from "node:test";
import assert from "node:assert/strict";
import { Emitter } from "../../../../core/util/event";
import { DisposableStore, toDisposable } from "../../../../core/util/disposable";

test("Emitter delivers to every listener and isolates a throwing one", () => {
  const errors: unknown[] = [];
  const em = new Emitter<number>((e) => errors.push(e));
  const seen: number[] = [];
  em.event(() => {
    throw new Error("boom");
  });
  const sub = em.event((n) => seen.push(n));
  em.fire(1);
  sub.dispose();
  em.fire(2);
  assert.deepEqual(seen, [1]);
  assert.equal(errors.length, 2);
});

test("DisposableStore disposes in reverse order, once, and disposes late additions at once", () => {
  const order: string[] = [];
  const store = new DisposableStore();
  store.add(toDisposable(() => order.push("a")));
  store.add(toDisposable(() => order.push("b")));
  store.dispose();
  store.dispose();
  store.add(toDisposable(() => order.push("late")));
  assert.deepEqual(order, ["b", "a", "late"]);
});
