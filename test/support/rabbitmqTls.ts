/**
 * A throwaway certificate authority for a test broker's TLS listener (toolchain.md §4), made with the
 * openssl CLI since Node cannot create certificates. EC P-256 keys: generated in milliseconds, where
 * RSA would slow every broker start.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isIP } from "node:net";

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

export interface TestCertificateAuthority {
  readonly certFile: string;
  readonly certPem: string;
  /** A server certificate for `names` (DNS names or IP addresses; the first is also the CN). */
  issue(names: readonly string[]): Promise<IssuedCertificate>;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"];

/** Creates a CA whose files live in `dir` (which the caller owns and removes). */
export async function createTestCertificateAuthority(dir: string): Promise<TestCertificateAuthority> {
  const certFile = join(dir, "ca.pem");
  const keyFile = join(dir, "ca.key");
  await openssl("req", "-x509", ...EC_KEY, "-keyout", keyFile, "-out", certFile, "-subj", "/CN=Globus Compute test CA (throwaway)",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  const certPem = await readFile(certFile, "utf8");
  let serial = 0;
  return {
    certFile,
    certPem,
    async issue(names) {
      if (names.length === 0) throw new Error("a certificate needs at least one name");
      const base = join(dir, `server-${++serial}`);
      const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
      await openssl("req", "-x509", ...EC_KEY, "-keyout", `${base}.key`, "-out", `${base}.pem`, "-subj", `/CN=${names[0]}`,
        "-CA", certFile, "-CAkey", keyFile,
        // The req defaults would mark the leaf as a CA; a server certificate says what it is.
        "-addext", `subjectAltName=${san}`, "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth");
      const [certPem, keyPem] = await Promise.all([readFile(`${base}.pem`, "utf8"), readFile(`${base}.key`, "utf8")]);
      return { certFile: `${base}.pem`, keyFile: `${base}.key`, certPem, keyPem };
    },
  };
}

function openssl(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("openssl", args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`openssl ${args[0]} failed (is openssl installed?): ${(stderr || err.message).trim()}`, { cause: err }));
      else resolve();
    });
  });
}
