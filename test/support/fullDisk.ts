/**
 * A disk that fills up, in process: until freed, writes get what still fits (a short write), then fail
 * with ENOSPC, as on a full disk or an exhausted quota. Deterministic and fast, unlike a real file-size
 * limit (prlimit) or a full filesystem. fs.writeFileSync writes strings natively, so it is made to write
 * through fs.writeSync too.
 */
import fs from "node:fs";
import { mock } from "node:test";

export function fillDisk(room: number): { free(): void } {
  const realWrite = fs.writeSync;
  const realWriteFile = fs.writeFileSync;
  const write = (fd: number, data: string | Uint8Array, offsetOrPosition?: unknown, lengthOrEncoding?: unknown): number => {
    if (room === 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" });
    const bytes = typeof data === "string" ? Buffer.from(data, (lengthOrEncoding as BufferEncoding | undefined) ?? "utf8") : data;
    const offset = typeof data === "string" ? 0 : ((offsetOrPosition as number | undefined) ?? 0);
    const length = typeof data === "string" ? bytes.byteLength : ((lengthOrEncoding as number | undefined) ?? bytes.byteLength - offset);
    const n = realWrite(fd, bytes, offset, Math.min(length, room));
    room -= n;
    return n;
  };
  const writeFile = (file: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, options?: fs.WriteFileOptions) =>
    realWriteFile(file, typeof data === "string" ? Buffer.from(data) : data, options);
  const mocks = [mock.method(fs, "writeSync", write as typeof fs.writeSync), mock.method(fs, "writeFileSync", writeFile)];
  return { free: () => mocks.forEach((m) => m.mock.restore()) };
}
