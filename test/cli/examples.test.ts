// The deployable examples in config/examples stay valid: the CI fleet's config file loads, and
// the mounts `overlay plan` derives from its `@job` store chain are the team layer's, then the
// job's, each on the merged dir below it.
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strata } from './helpers.js';

const test = suite('config/examples');
const FLEET = fileURLToPath(new URL('../../config/examples/ci-fleet/', import.meta.url));

test('ci-fleet: the @job chain plans the team mount, then the job mount', () => {
  const r = strata(['--store', '@job', '--json', 'overlay', 'plan'], { cwd: FLEET });
  assert.is(r.status, 0, r.stderr);
  const plans = JSON.parse(r.stdout.toString('utf8')) as Array<{
    mountPoint: string;
    commands: Array<{ shell: string }>;
  }>;
  assert.equal(
    plans.map((p) => p.mountPoint),
    ['/srv/ci/team/nix/store', '/srv/ci/job/nix/store'],
  );
  assert.ok(
    plans[1]!.commands
      .map((c) => c.shell)
      .includes(
        'mount -t overlay overlay -o lowerdir=/srv/ci/team/nix/store,upperdir=/srv/ci/job-upper,workdir=/srv/ci/job-upper-work /srv/ci/job/nix/store',
      ),
    JSON.stringify(plans[1]!.commands),
  );
});

test.run();
