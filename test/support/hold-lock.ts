// A process that takes a data-directory lock and keeps it until it is killed:
//   node --import tsx test/support/hold-lock.ts <dir> <kind>
import { acquireDirectoryLock } from '../../src/db/lock.js';

acquireDirectoryLock(process.argv[2]!, process.argv[3] ?? 'test');
setInterval(() => undefined, 60_000);
