// Keeps Node's own "SQLite is an experimental feature" warning off the console. The local
// emulators (fauxqs) load node:sqlite, so every stack, test and key command would print it,
// although cutout uses nothing experimental of its own. Every other warning still prints.
//
// Loaded first by bin/cutout.js, local/cli.ts and local/stack.ts, and by every Node that
// scripts/env.sh starts (NODE_OPTIONS --import), so vitest's workers are covered too. Plain
// JavaScript: it runs before any TypeScript loader.

/** @param {Error} warning */
function isSqliteNotice(warning) {
  return (
    warning.name === 'ExperimentalWarning' &&
    warning.message.startsWith('SQLite is an experimental feature')
  );
}

// Node prints warnings from a 'warning' listener of its own: wrap the listeners present now.
const printers = process.listeners('warning');
for (const printer of printers) process.removeListener('warning', printer);
process.on('warning', (warning) => {
  if (isSqliteNotice(warning)) return;
  for (const printer of printers) printer.call(process, warning);
});
