// Writes packages/config/schema/strata.schema.json from the global settings and the store
// schemas of the workspace's plugins. Run from the repository root:
//   node --conditions=source --import tsx packages/config/scripts/generate-schema.ts
import { writeFileSync } from 'node:fs';
import { SCHEMA_FILE, schemaFileText } from '../src/schema-file.js';

writeFileSync(SCHEMA_FILE, await schemaFileText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
