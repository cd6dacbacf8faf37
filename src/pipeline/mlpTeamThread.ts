/** An MLP team follower on a node thread (`src/workers/mlpTeamProtocol.ts`): the browser worker's handlers. */
import { mlpTeamHandlers, type MlpTeamOps } from '../workers/mlpTeamProtocol.ts';
import { serveRequests, type WorkerScope } from '../workers/workerServer.ts';

declare const self: WorkerScope;

serveRequests<MlpTeamOps>(self, mlpTeamHandlers());
