// Types of bin/cli-build.js (plain JavaScript: it runs before any TypeScript loader).

/** The file URL of the current build when every source it was made from is unchanged. */
export function currentBuild(): string | undefined;
/** Builds the CLI into .cache/cli and makes it current; returns its file URL. */
export function buildCli(): Promise<string>;
/** The compiled CLI's URL, built now when stale; undefined when only tsx can run it here. */
export function compiledCli(): Promise<string | undefined>;
