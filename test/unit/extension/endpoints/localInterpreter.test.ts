import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { resolveLocalInterpreter, type InterpreterFacts } from "../../../../extension/endpoints/localInterpreter";

const folder = join("/", "work", "project");
const venvPython = join(folder, ".venv", "bin", "python");
const plainVenvPython = join(folder, "venv", "bin", "python");

function facts(over: Partial<InterpreterFacts> & { files?: string[] } = {}): InterpreterFacts {
  const files = new Set(over.files ?? []);
  return { workspaceFolder: folder, exists: (p) => files.has(p), trusted: true, settingPath: "", platform: "linux", ...over };
}

test("the Python extension's interpreter wins over a workspace .venv and the setting", () => {
  const r = resolveLocalInterpreter(facts({ pythonExtensionPath: "/opt/conda/bin/python", files: [venvPython], settingPath: "/usr/bin/python3" }));
  assert.deepEqual(r, { python: "/opt/conda/bin/python", source: "python-extension", sourceLabel: "Python extension" });
});

test("without the Python extension: .venv, then venv, in the workspace folder", () => {
  assert.deepEqual(resolveLocalInterpreter(facts({ files: [venvPython, plainVenvPython] })), { python: venvPython, source: "venv", sourceLabel: ".venv" });
  assert.deepEqual(resolveLocalInterpreter(facts({ files: [plainVenvPython], settingPath: "/usr/bin/python3" })), {
    python: plainVenvPython,
    source: "venv",
    sourceLabel: "venv",
  });
});

test("Windows virtual environments are found under Scripts/python.exe", () => {
  const win = join(folder, ".venv", "Scripts", "python.exe");
  assert.equal(resolveLocalInterpreter(facts({ platform: "win32", files: [win] })).python, win);
  assert.equal(resolveLocalInterpreter(facts({ platform: "win32", files: [venvPython] })).source, "path");
});

test("no extension and no venv: the setting, else python3 on PATH", () => {
  assert.deepEqual(resolveLocalInterpreter(facts({ settingPath: " /usr/bin/python3 " })), { python: "/usr/bin/python3", source: "setting", sourceLabel: "setting" });
  assert.deepEqual(resolveLocalInterpreter(facts()), { python: "python3", source: "path", sourceLabel: "PATH" });
  assert.deepEqual(resolveLocalInterpreter(facts({ workspaceFolder: undefined, pythonExtensionPath: " " })), { python: "python3", source: "path", sourceLabel: "PATH" });
});

test("an untrusted workspace's .venv is never chosen; it is reported as skipped", () => {
  const r = resolveLocalInterpreter(facts({ trusted: false, files: [venvPython], settingPath: "/usr/bin/python3" }));
  assert.deepEqual(r, { python: "/usr/bin/python3", source: "setting", sourceLabel: "setting", skippedUntrusted: venvPython });
  assert.equal(resolveLocalInterpreter(facts({ trusted: false, files: [plainVenvPython] })).python, "python3");
});

test("untrusted: an interpreter inside the workspace from the Python extension is skipped too; one outside is used", () => {
  const inside = join(folder, "env", "bin", "python");
  const r = resolveLocalInterpreter(facts({ trusted: false, pythonExtensionPath: inside }));
  assert.deepEqual(r, { python: "python3", source: "path", sourceLabel: "PATH", skippedUntrusted: inside });
  const outside = resolveLocalInterpreter(facts({ trusted: false, pythonExtensionPath: "/usr/bin/python3.11" }));
  assert.equal(outside.source, "python-extension");
  // A sibling folder that shares the prefix is not inside.
  assert.equal(resolveLocalInterpreter(facts({ trusted: false, pythonExtensionPath: `${folder}-other/bin/python` })).source, "python-extension");
});
