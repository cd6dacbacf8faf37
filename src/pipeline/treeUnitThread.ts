/** The tree-unit helper for node threads: the browser helper's operation (`treeUnitProtocol.ts`). */
import { treeUnitHandlers, type TreeUnitOps } from '../workers/treeUnitProtocol.ts';
import { serveRequests, type WorkerScope } from '../workers/workerServer.ts';

declare const self: WorkerScope;

serveRequests<TreeUnitOps>(self, treeUnitHandlers);
