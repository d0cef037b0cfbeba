// A host process for the orphan tests: starts one guest, prints QEMU's pid, then waits to be killed.
import { GuestService } from '../../../workspaces/guest/service.js';

const [buildDir, runRoot, dataDir] = process.argv.slice(2);
const service = new GuestService({ dataDir, runRoot });
const guest = await service.start({ buildDir, accel: 'tcg' });
process.stdout.write(JSON.stringify({ pid: guest.pid, id: guest.id }) + '\n');
setInterval(() => {}, 1000);
