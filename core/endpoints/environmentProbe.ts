/**
 * What an endpoint can run: a small stdlib-only function, submitted like any other, reports the
 * interpreter (version, implementation), the platform, the installed distributions with their versions
 * (importlib.metadata) and every importable top-level module name; `parseProbe` reads its JSON-able
 * answer defensively, and `missingImports` says which of a function's imports the endpoint lacks.
 */

export const PROBE_FUNCTION_NAME = "globus_compute_environment_probe";

/** Python 3.8+ (the local endpoint's floor); only the stdlib. */
export const PROBE_SOURCE = `def ${PROBE_FUNCTION_NAME}():
    import importlib.metadata as md
    import pkgutil
    import platform
    import sys

    distributions = {}
    for dist in md.distributions():
        name = dist.metadata["Name"]
        if name and name not in distributions:
            distributions[name] = dist.version
    modules = set(sys.builtin_module_names)
    modules.update(getattr(sys, "stdlib_module_names", ()))
    modules.update(m.name for m in pkgutil.iter_modules())
    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": {"system": platform.system(), "release": platform.release(), "machine": platform.machine(), "node": platform.node()},
        "distributions": distributions,
        "modules": sorted(modules),
    }
`;

export interface EnvironmentProbe {
  pythonVersion: string;
  /** `[major, minor]`. */
  pythonMajorMinor: [number, number];
  implementation: string;
  executable?: string;
  platform: { system: string; release: string; machine: string; node: string };
  /** distribution name → version. */
  distributions: Record<string, string>;
  /** Importable top-level module names. */
  modules: ReadonlySet<string>;
}

export class ProbeParseError extends Error {
  override readonly name = "ProbeParseError";
  readonly code = "PROBE_MALFORMED";
}

export function parseProbe(value: unknown): EnvironmentProbe {
  if (!isRecord(value) || !isRecord(value.python)) throw new ProbeParseError("the probe returned something else than its report");
  const version = String(value.python.version ?? "");
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) throw new ProbeParseError(`the probe reported Python version ${JSON.stringify(version)}`);
  const platform = isRecord(value.platform) ? value.platform : {};
  const distributions: Record<string, string> = {};
  if (isRecord(value.distributions))
    for (const [name, v] of Object.entries(value.distributions)) if (typeof v === "string") distributions[name] = v;
  const modules = new Set(Array.isArray(value.modules) ? value.modules.filter((x): x is string => typeof x === "string") : []);
  return {
    pythonVersion: version,
    pythonMajorMinor: [Number(m[1]), Number(m[2])],
    implementation: String(value.python.implementation ?? "CPython"),
    ...(typeof value.python.executable === "string" ? { executable: value.python.executable } : {}),
    platform: {
      system: String(platform.system ?? ""),
      release: String(platform.release ?? ""),
      machine: String(platform.machine ?? ""),
      node: String(platform.node ?? ""),
    },
    distributions,
    modules,
  };
}

/** The top-level modules of `imports` (`numpy`, `scipy.linalg` → `scipy`) the endpoint cannot import. */
export function missingImports(imports: Iterable<string>, probe: Pick<EnvironmentProbe, "modules">): string[] {
  const missing = new Set<string>();
  for (const name of imports) {
    const top = name.split(".")[0];
    if (top && !name.startsWith(".") && !probe.modules.has(top)) missing.add(top);
  }
  return [...missing].sort();
}

/** `Python 3.11.4 (CPython) on Linux x86_64 · 143 distributions`. */
export function describeProbe(p: EnvironmentProbe): string {
  return `Python ${p.pythonVersion} (${p.implementation}) on ${p.platform.system} ${p.platform.machine} · ${Object.keys(p.distributions).length} distributions`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
