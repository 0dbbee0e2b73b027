import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { findExecutable, withoutWorkingDirOnPaths } from "../../../../core/local/searchPaths";

const root = mkdtempSync(join(tmpdir(), "gc-search-paths-"));
after(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, mode: number): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "#!/bin/sh\n");
  chmodSync(path, mode);
  return path;
}

describe("withoutWorkingDirOnPaths", () => {
  it("drops the empty and relative PATH entries and the empty PYTHONPATH entries, keeping the rest in order", () => {
    const env = withoutWorkingDirOnPaths({ PATH: "::/usr/bin:.:bin:./x:/bin:", PYTHONPATH: ":/a:src:", HOME: "/h" }, "linux");
    assert.deepEqual(env, { PATH: "/usr/bin:/bin", PYTHONPATH: "/a:src", HOME: "/h" });
  });

  it("removes a variable left with no entries, and leaves a clean environment as it is", () => {
    assert.deepEqual(withoutWorkingDirOnPaths({ PATH: ":.", PYTHONPATH: "::" }, "linux"), {});
    const clean = { PATH: "/usr/bin:/bin", PYTHONPATH: "/a" };
    assert.equal(withoutWorkingDirOnPaths(clean, "linux"), clean);
  });

  it("reads Windows' Path whatever its case, with ';' and drive-absolute entries", () => {
    assert.deepEqual(withoutWorkingDirOnPaths({ Path: ";C:\\Python;.;tools;\\\\server\\share" }, "win32"), { Path: "C:\\Python;\\\\server\\share" });
  });
});

describe("findExecutable", () => {
  const planted = join(root, "repo");
  file(join(planted, "python3"), 0o755);
  const bin = join(root, "bin");
  const python = file(join(bin, "python3"), 0o755);
  file(join(root, "noexec", "python3"), 0o644);
  mkdirSync(join(root, "dir", "python3"), { recursive: true });

  it("finds a bare name in the absolute PATH entries only, skipping files that cannot run and directories", () => {
    const path = `:.:repo:${join(root, "noexec")}:${join(root, "dir")}:${bin}`;
    assert.equal(findExecutable("python3", { PATH: path }, "linux"), python);
  });

  it("is undefined when no absolute entry has it, or there is no PATH", () => {
    assert.equal(findExecutable("python3", { PATH: `:.:${join(root, "noexec")}` }, "linux"), undefined);
    assert.equal(findExecutable("python3", {}, "linux"), undefined);
  });

  it("keeps a command that names a path as it is", () => {
    assert.equal(findExecutable("/usr/bin/python3", { PATH: bin }, "linux"), "/usr/bin/python3");
    assert.equal(findExecutable("venv/bin/python", { PATH: bin }, "linux"), "venv/bin/python");
    assert.equal(findExecutable("venv\\python.exe", {}, "win32"), "venv\\python.exe");
  });
});
