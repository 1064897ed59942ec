// Writes src/generated/adminOperations.ts: the admin UI's operation names, the only
// operation names the GraphQL metrics use as labels (see src/http/graphqlMetrics.ts).
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_OPERATIONS_FILE, adminOperationNames, adminOperationsModule } from './adminOperations.ts';

const text = adminOperationsModule(await adminOperationNames());
const old = fs.existsSync(ADMIN_OPERATIONS_FILE) ? fs.readFileSync(ADMIN_OPERATIONS_FILE, 'utf8') : '';
if (old !== text) {
  fs.mkdirSync(path.dirname(ADMIN_OPERATIONS_FILE), { recursive: true });
  fs.writeFileSync(ADMIN_OPERATIONS_FILE, text);
  console.log(`Wrote ${ADMIN_OPERATIONS_FILE}`);
}
