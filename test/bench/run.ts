// Runs every benchmark module in test/bench/ (each exports `run()` printing JSON lines), one after another.
// `npm run bench -- wire local` runs only the named ones.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const names = readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts") && f !== "run.ts")
    .map((f) => basename(f, ".ts"))
    .filter((n) => only.length === 0 || only.includes(n))
    .sort();
  for (const name of names) {
    const mod = (await import(pathToFileURL(join(__dirname, `${name}.ts`)).href)) as { run?: () => Promise<void> };
    if (typeof mod.run !== "function") continue;
    console.error(`# bench ${name}`);
    await mod.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
