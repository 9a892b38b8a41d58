#!/usr/bin/env node
// Runs a LANrage relay server from its build (npm run build).
import { loadBundle } from './load-bundle.js';

await loadBundle('lanrage-relay', 'server/lanrage-relay.js');
