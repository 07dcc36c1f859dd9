#!/usr/bin/env node
// `npm start` and `npm run hms`: the built CLI (packages/cli/dist/bin.js) on a supported Node
// (the one scripts/setup.mjs fetched into .hms/node when the system Node is older than 22).
import { useSupportedNode } from './node-binary.mjs';

await useSupportedNode({ quiet: true });
await import('../packages/cli/dist/bin.js');
