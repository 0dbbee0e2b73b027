/**
 * A failed task's error as shown to the person: the endpoint's traceback, its frames pointing at the
 * submitted file when the group knows its line map, else the error's message. The map names the lines
 * as they were at submission; later edits of the file are not followed.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TaskExecutionFailed } from "../../core/executor/errors";
import { exceptionLine } from "../../core/executor/exceptionLine";
import { locateTraceback, type FrameStyle } from "../../core/python/tracebackLocations";
import type { StoredOrigin } from "../state/taskGroupStore";
import { cleanTraceback } from "./tracebackFrames";

/** What locating a traceback needs from a task group's origin. */
export type TaskOrigin = Pick<StoredOrigin, "uri" | "lineMap" | "cells">;

export function failureText(
  err: unknown,
  origin: TaskOrigin | undefined,
  style: FrameStyle,
  readLines: (path: string, cell?: number) => readonly string[] | undefined = readFileLines,
): string {
  if (!(err instanceof TaskExecutionFailed)) return err instanceof Error ? err.message : String(err);
  const traceback = err.remoteTraceback.trimEnd();
  const path = origin?.lineMap === undefined ? undefined : filePath(origin.uri);
  // Frames in the project's helper modules name their own files: linked when the file is here.
  const located =
    path === undefined || origin?.lineMap === undefined ? traceback : locateTraceback(traceback, origin.lineMap, path, style, existsSync, origin.cells);
  return cleanTraceback(located, { path, readLines });
}

function readFileLines(path: string, cell?: number): readonly string[] | undefined {
  try {
    const text = readFileSync(path, "utf8");
    return (cell === undefined ? text : notebookCellText(text, cell - 1))?.split(/\r\n?|\n/);
  } catch {
    return undefined; // moved or deleted since (or no longer a notebook): the frames still name it
  }
}

/** The text of cell `index` of a Jupyter notebook file (nbformat 4: a cell's source is a string or a list of lines). */
function notebookCellText(json: string, index: number): string | undefined {
  const source: unknown = (JSON.parse(json) as { cells?: { source?: unknown }[] }).cells?.[index]?.source;
  return typeof source === "string" ? source : Array.isArray(source) ? source.join("") : undefined;
}

/**
 * The local path of a `file:` URI, or of the notebook file of a notebook cell's URI (its path is the
 * notebook's); undefined for an untitled or remote document, which has none.
 */
function filePath(uri: string): string | undefined {
  // A cell's URI may carry the window's remote authority (code-server): its path is the notebook's still.
  const cell = /^vscode-notebook-cell:(?:\/\/[^/]*)?([^#?]*)/.exec(uri);
  if (cell) uri = `file://${cell[1]}`;
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined; // a file URI with a host (a UNC share off Windows) has no path here
  }
}

/** One line for the tree and the lens: the exception line of a remote traceback, else the error's message. */
export function errorSummary(err: unknown): string {
  if (err instanceof TaskExecutionFailed) return exceptionLine(err.remoteTraceback) ?? err.message;
  return err instanceof Error ? err.message : String(err);
}
