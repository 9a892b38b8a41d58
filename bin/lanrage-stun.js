#!/usr/bin/env node
// Runs the LANrage STUN server from its build (npm run build).
import { loadBundle } from './load-bundle.js';

await loadBundle('lanrage-stun', 'server/lanrage-stun.js');
