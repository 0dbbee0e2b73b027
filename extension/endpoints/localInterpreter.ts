/**
 * Which Python runs the local endpoint's workers, and why: the interpreter chosen in the Python
 * extension, else the workspace's own `.venv`/`venv`, else `globusCompute.local.pythonPath`, else
 * `python3` on PATH. A workspace virtual environment is a program the workspace chose, so it is only
 * run when the workspace is trusted; so is an interpreter inside the workspace that the Python extension
 * reports (the setting is restricted, so VS Code already ignores a workspace's value of it when untrusted).
 */
import { join, relative, isAbsolute } from "node:path";

export type InterpreterSource = "python-extension" | "venv" | "setting" | "path";

export interface LocalInterpreter {
  /** The command or path the workers are started with. */
  python: string;
  source: InterpreterSource;
  /** Short, for the view: `Python extension`, `.venv`, `setting`, `PATH`. */
  sourceLabel: string;
  /** An interpreter inside the workspace skipped because the workspace is not trusted. */
  skippedUntrusted?: string;
}

export interface InterpreterFacts {
  /** The Python extension's active interpreter for the folder; undefined without the extension. */
  pythonExtensionPath?: string;
  /** The first workspace folder, where `.venv`/`venv` is looked for. */
  workspaceFolder?: string;
  /** True when the file exists (injected so this stays pure). */
  exists(path: string): boolean;
  trusted: boolean;
  /** `globusCompute.local.pythonPath` ("" when unset). */
  settingPath: string;
  platform: NodeJS.Platform;
}

/** The interpreter paths a workspace virtual environment may have, in the order they are tried. */
export function venvCandidates(folder: string, platform: NodeJS.Platform): { dir: string; python: string }[] {
  const bin = platform === "win32" ? join("Scripts", "python.exe") : join("bin", "python");
  return [".venv", "venv"].map((dir) => ({ dir, python: join(folder, dir, bin) }));
}

export function resolveLocalInterpreter(facts: InterpreterFacts): LocalInterpreter {
  const fromExtension = facts.pythonExtensionPath?.trim();
  let skippedUntrusted: string | undefined;
  if (fromExtension) {
    if (facts.trusted || !insideFolder(fromExtension, facts.workspaceFolder)) {
      return { python: fromExtension, source: "python-extension", sourceLabel: "Python extension" };
    }
    skippedUntrusted = fromExtension;
  }
  if (facts.workspaceFolder !== undefined) {
    const venv = venvCandidates(facts.workspaceFolder, facts.platform).find((c) => facts.exists(c.python));
    if (venv && facts.trusted) return { python: venv.python, source: "venv", sourceLabel: venv.dir };
    skippedUntrusted ??= venv?.python;
  }
  const skipped = skippedUntrusted === undefined ? {} : { skippedUntrusted };
  const setting = facts.settingPath.trim();
  if (setting) return { python: setting, source: "setting", sourceLabel: "setting", ...skipped };
  return { python: "python3", source: "path", sourceLabel: "PATH", ...skipped };
}

function insideFolder(path: string, folder: string | undefined): boolean {
  if (folder === undefined) return false;
  const rel = relative(folder, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}
