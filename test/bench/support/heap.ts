import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The heap in use after a full collection, in bytes (collected twice: the second pass takes what the first one's finalizers released). */
export function settledHeap(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
