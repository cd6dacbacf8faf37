/// <reference lib="webworker" />
/** The search worker: serves `searchHandlers` (also run in node threads by the node search pool). */
import { searchHandlers } from './searchHandlers.ts';
import type { SearchOps } from './searchProtocol.ts';
import { serveRequests } from './workerServer.ts';

declare const self: DedicatedWorkerGlobalScope;

serveRequests<SearchOps>(self, searchHandlers());
