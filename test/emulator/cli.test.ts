// The standalone emulator (`npm run emulator`): one JSON line on stdout, a working API, clean shutdown.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { rawCall } from '../helpers/sdk-client.js';

it('prints {url, accessKeyId, accessKeySecret}, serves the API and exits on SIGTERM', async () => {
  // As a workflow starts it: by the npm script, not by a path into the repository.
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(
    'npm',
    ['run', '--silent', 'emulator', '--', '--port', '0', '--quota', '7', '--latency-ms', '5'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const info = JSON.parse(line) as { url: string; accessKeyId: string; accessKeySecret: string };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await rawCall(info.url, {
      action: 'DescribeRefreshQuota',
      creds: { accessKeyId: info.accessKeyId, accessKeySecret: info.accessKeySecret },
    });
    expect(res.json()).toMatchObject({ PreloadQuota: '7', PreloadRemain: '7' });
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
