// Test helper: ask the real Python for values, in a small tagged JSON form decoded into PyValue here.
import { spawnSync } from "node:child_process";
import { PyBytes, PyDict, PySet, PyTuple, pyFloat, pyInt, type PyValue } from "../../../../core/protocol/pyValue";

export const PYTHON = process.env.GC_TEST_PYTHON ?? "/usr/bin/python3";

export type Tagged = [string, unknown];

/** Python source defining `tag(value)`: the encoder matching `fromTagged` below. */
export const PY_TAG = String.raw`
def tag(v):
    if v is None: return ["None", None]
    if isinstance(v, bool): return ["bool", v]
    if isinstance(v, int): return ["int", str(v)]
    if isinstance(v, float): return ["float", repr(v)]
    if isinstance(v, str): return ["str", v]
    if isinstance(v, bytes): return ["bytes", v.hex()]
    if isinstance(v, list): return ["list", [tag(x) for x in v]]
    if isinstance(v, tuple): return ["tuple", [tag(x) for x in v]]
    if isinstance(v, (set, frozenset)): return ["set", [tag(x) for x in v]]
    if isinstance(v, dict): return ["dict", [[tag(k), tag(x)] for k, x in v.items()]]
    raise TypeError(type(v))
`;

export function fromTagged([tag, v]: Tagged): PyValue {
  switch (tag) {
    case "None":
      return null;
    case "bool":
      return v as boolean;
    case "int":
      return pyInt(BigInt(v as string));
    case "float":
      return pyFloat(v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v));
    case "str":
      return v as string;
    case "bytes":
      return new PyBytes(Uint8Array.from(Buffer.from(v as string, "hex")));
    case "list":
      return (v as Tagged[]).map(fromTagged);
    case "tuple":
      return new PyTuple((v as Tagged[]).map(fromTagged));
    case "set":
      return new PySet((v as Tagged[]).map(fromTagged));
    case "dict":
      return new PyDict((v as [Tagged, Tagged][]).map(([k, x]) => [fromTagged(k), fromTagged(x)] as const));
  }
  throw new Error(`unknown tag ${tag}`);
}

/** Runs `script` (which has `tag` defined) with `input` as JSON on stdin; returns its JSON stdout. */
export function runPythonJson<T>(script: string, input: unknown): T {
  const r = spawnSync(PYTHON, ["-W", "ignore", "-c", PY_TAG + script], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
