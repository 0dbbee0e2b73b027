/**
 * "Open Sample File" (the walkthrough's first step): in the person's own workspace, opens the examples
 * file when it is there, else offers to create it in the workspace folder; with no folder open, shows the
 * examples in an untitled Python editor. Never overwrites a file.
 */
import { join } from "node:path";

export const SAMPLE_FILE_NAME = "globus_compute_examples.py";

export interface SampleFileDeps {
  /** The first workspace folder's path; undefined with no folder open. */
  folder: string | undefined;
  /** The sample's text (media/sample-workspace/examples.py). */
  sampleText(): Promise<string>;
  exists(path: string): Promise<boolean>;
  /** Creates the file; fails if it exists. */
  create(path: string, text: string): Promise<void>;
  openFile(path: string): Promise<void>;
  openUntitled(text: string): Promise<void>;
  /** Asks before writing into the workspace; true to create. */
  confirmCreate(path: string): Promise<boolean>;
}

export async function openSampleFile(deps: SampleFileDeps): Promise<void> {
  if (deps.folder === undefined) return deps.openUntitled(await deps.sampleText());
  const path = join(deps.folder, SAMPLE_FILE_NAME);
  if (!(await deps.exists(path))) {
    if (!(await deps.confirmCreate(path))) return undefined;
    await deps.create(path, await deps.sampleText());
  }
  return deps.openFile(path);
}
