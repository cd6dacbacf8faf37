// Serves the built workbench (dist/) on 127.0.0.1 and prints its address.
import { createWorkbenchServer } from './static-server.mjs';
import fs from 'node:fs';

const port = Number(process.env.PORT ?? 4173);
const host = process.env.HOST ?? '127.0.0.1';
const root = process.env.DIST_DIR ?? 'dist';
if (!fs.existsSync(`${root}/index.html`)) {
  console.error('dist/ is missing: run "npm run build" first (or "npm start", which builds)');
  process.exit(1);
}
createWorkbenchServer(root).listen(port, host, () => {
  console.log(`ML Workbench: http://${host}:${port}/`);
});
