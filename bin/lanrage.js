#!/usr/bin/env node
// Runs the headless LANrage client from its build (npm run build).
import { loadBundle } from './load-bundle.js';

await loadBundle('lanrage', 'cli/lanrage.js');
