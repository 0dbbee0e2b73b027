/**
 * Node flags the language server runs with. Its JS heap holds ~15 MB with a 5k-line file open, but
 * each edit's analysis is a burst of short-lived objects, and with the default heuristics V8 keeps
 * the pages of those bursts: the process sat at 115–150 MB of RSS. Sizing the heap for memory keeps
 * it under 90 MB (see `npm run bench -- python`).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--optimize-for-size"];
