/** The workbench's version, read from package.json when the app or the CLI is built: reports and MLflow runs carry it. */
import { version } from '../../package.json';

/** The workbench's version, e.g. `0.1.0`. */
export const WORKBENCH_VERSION: string = version;
