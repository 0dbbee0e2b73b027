import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { configFingerprint, decodeTaskState, encodeTaskState, type DaemonConfig } from "../../../../../../core/service/local/daemon/wire";

test("a task state crosses the socket as JSON, its transition's timestamp as a decimal string, and comes back whole", () => {
  const running = { taskId: "t1", state: "running", transition: { timestamp: 1733500000123456789n, state: "execution-start", actor: "worker" } };
  const wire = JSON.stringify(encodeTaskState(running));
  assert.equal(wire, '{"taskId":"t1","state":"running","transition":{"timestamp":"1733500000123456789","state":"execution-start","actor":"worker"}}');
  assert.deepEqual(decodeTaskState(JSON.parse(wire)), running);
});

test("a task state without a transition has no transition key on either side", () => {
  const waiting = { taskId: "t2", state: "waiting-for-launch" };
  assert.equal(JSON.stringify(encodeTaskState(waiting)), '{"taskId":"t2","state":"waiting-for-launch"}');
  const back = decodeTaskState(JSON.parse(JSON.stringify(encodeTaskState(waiting))));
  assert.deepEqual(back, waiting);
  assert.equal("transition" in back, false);
});

test("a daemon's fingerprint names folders by their real path: a window opened through a symbolic link matches it", (t) => {
  const root = mkdtempSync(join(tmpdir(), "gc-wire-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const real = join(root, "gpfs", "proj");
  mkdirSync(real, { recursive: true });
  symlinkSync(join(root, "gpfs"), join(root, "home"));
  const viaLink = join(root, "home", "proj");
  const config = (folder: string): DaemonConfig => ({ stateRoot: join(root, "state"), workspaceFolder: folder, cwd: folder, idleExitMs: 1 });
  assert.equal(configFingerprint(config(viaLink), "b1"), configFingerprint(config(real), "b1"));
  assert.notEqual(configFingerprint({ ...config(real), cwd: root }, "b1"), configFingerprint(config(real), "b1"));
});
