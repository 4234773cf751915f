// The standalone emulator (`npm run emulator`): one JSON line on stdout, a working API, clean shutdown.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

it('starts the edge and its origin over --origin-dir, and prints their URLs', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const site = mkdtempSync(path.join(tmpdir(), 'cdn-prefetch-origin-'));
  writeFileSync(path.join(site, 'index.html'), '<p>home</p>');
  const child = spawn('npm', ['run', '--silent', 'emulator', '--', '--origin-dir', site], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const info = JSON.parse(line) as { edge: string; origin: string };
    expect(info.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { hostname, port } = new URL(info.edge);
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: hostname, port, path: '/', headers: { host: 'www.example.com' } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(`${String(res.headers['x-cache']).split(' ')[0]} ${text}`));
        })
        .on('error', reject);
    });
    expect(body).toBe('MISS <p>home</p>');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(site, { recursive: true, force: true });
  }
});
