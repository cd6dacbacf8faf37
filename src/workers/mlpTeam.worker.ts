/// <reference lib="webworker" />
/** An MLP team follower (`src/trainers/mlpTeam.ts`), started by a training worker: runs the kernel on its slice of every batch. */
import { mlpTeamHandlers, type MlpTeamOps } from './mlpTeamProtocol.ts';
import { serveRequests } from './workerServer.ts';

declare const self: DedicatedWorkerGlobalScope;

serveRequests<MlpTeamOps>(self, mlpTeamHandlers());
