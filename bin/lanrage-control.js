#!/usr/bin/env node
// Runs the LANrage control server from its build (npm run build).
import { loadBundle } from './load-bundle.js';

await loadBundle('lanrage-control', 'server/lanrage-control.js');
