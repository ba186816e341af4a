#!/usr/bin/env node
// The `cutout` command from a clone: TypeScript sources run through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../local/cli.ts');
