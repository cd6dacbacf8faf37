/// <reference lib="webworker" />
/** A tree-unit helper (started by a training worker): fits one part of a tree classifier's protocol per request. */
import { treeUnitHandlers, type TreeUnitOps } from './treeUnitProtocol.ts';
import { serveRequests } from './workerServer.ts';

declare const self: DedicatedWorkerGlobalScope;

serveRequests<TreeUnitOps>(self, treeUnitHandlers);
