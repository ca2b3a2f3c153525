// Starts a replica's worker thread when millrace runs from its TypeScript sources (a checkout,
// tests): registers tsx in this thread, then loads the host module. Compiled builds start
// dist/runtime/thread-host.js directly and never use this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.host);
