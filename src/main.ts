/**
 * The GitHub Action adapter: inputs in, outputs and a job summary out. All the work is in run.ts.
 */
import * as core from '@actions/core';
import { context } from '@actions/github';
import { type Config, type GitHubContext } from './config/config.js';
import { ConfigError, errorMessage } from './base/errors.js';
import { parseConfig, readCredentials } from './config/parse.js';
import { INPUTS, INPUT_NAMES } from './config/inputs.js';
import { noProxyForActionsHttpClient, proxySecrets } from './http/proxy.js';
import { writeReport } from './report/report.js';
import { actionOutputs } from './report/outputs.js';
import { renderSummary } from './report/summary.js';
import { savedLine } from './report/closing.js';
import { refreshText } from './report/follow-summary.js';
import { failureMessage } from './report/verdict.js';
import { runPrefetch } from './run.js';
import { type RunResult } from './report/result.js';
import { RunStop } from './runtime/stop.js';
import type { Logger } from './base/logger.js';
import { createRedactor, secretSpellings, type Redactor } from './base/redact.js';
import { stopOnSignals } from './runtime/signals.js';

const SECRET_INPUTS = INPUT_NAMES.filter((name) => INPUTS[name].kind === 'secret');

export async function run(): Promise<void> {
  const { mask, redact } = secretKeeper();
  try {
    const credentials = readCredentials(core.getInput, process.env);
    // Masked before anything else can print them: every input the spec calls a secret, and where
    // the credentials came from instead (ALIBABA_CLOUD_*), and the proxies' passwords.
    for (const secret of [
      ...SECRET_INPUTS.map((name) => core.getInput(name).trim()),
      ...Object.values(credentials),
      ...proxySecrets(process.env),
    ]) {
      mask(secret);
    }
    // @actions/core requests the ID token through @actions/http-client, which reads no_proxy itself;
    // hand it the list in the form it reads as every other request of the run does.
    const noProxy = noProxyForActionsHttpClient(process.env);
    if (noProxy !== undefined) process.env['no_proxy'] = noProxy;
    const config = parseConfig(core.getInput, process.env, credentials, { github: githubContext() });
    for (const message of config.messages) core[message.level](message.text);
    const stop = new RunStop();
    const signals = stopOnSignals(stop, (message) => core.warning(redact(message)));
    const result = await runPrefetch(config, {
      logger: actionsLogger(redact),
      stop,
      identity: { getIdToken: (audience) => core.getIDToken(audience), mask },
    }).finally(() => signals.dispose());
    await publish(result, config, redact);
    const failure = failureMessage(result, config.failOn);
    if (failure) core.setFailed(redact(failure));
  } catch (error) {
    const prefix = error instanceof ConfigError ? 'Configuration error: ' : '';
    core.setFailed(redact(prefix + errorMessage(error)));
  }
}

async function publish(result: RunResult, config: Config, redact: Redactor): Promise<void> {
  const reportPath = await writeReport(result, config.reportDir, redact);
  for (const [name, value] of Object.entries(actionOutputs(result, reportPath))) {
    core.setOutput(name, redact(value));
  }
  core.info(
    redact(
      result.savedSitemap
        ? `Done: ${savedLine(result)} Report: ${reportPath}`
        : `Done: ${result.counts.submitted} submitted, ${result.counts.skipped} skipped, ${result.counts.failed} failed` +
            (result.dryRun ? `, ${result.counts.planned} planned (dry run)` : '') +
            `. Task IDs: ${result.taskIds.join(',') || '(none)'}. Report: ${reportPath}`,
    ),
  );
  const refresh = result.follow?.refresh;
  if (refresh) core.info(redact(`Refresh: ${refreshText(refresh)}.`));
  try {
    await core.summary.addRaw(redact(renderSummary(result, reportPath))).write();
  } catch (error) {
    // No GITHUB_STEP_SUMMARY (a local run): the summary is a courtesy, never a reason to fail.
    core.debug(`job summary not written: ${errorMessage(error)}`);
  }
}

/** The workflow run's context, as @actions/github reads it (variables and the event's payload). */
function githubContext(): GitHubContext {
  let repository: GitHubContext['repository'];
  try {
    // GITHUB_REPOSITORY, or the payload's repository when that is not set.
    const { owner, repo } = context.repo;
    repository = owner && repo ? { owner, repo } : undefined;
  } catch {
    repository = undefined; // outside GitHub Actions: previous-ref says so if it is set
  }
  const payload = context.payload as { before?: unknown; forced?: unknown };
  return {
    repository,
    apiUrl: context.apiUrl,
    event: {
      before: typeof payload.before === 'string' ? payload.before : undefined,
      forced: typeof payload.forced === 'boolean' ? payload.forced : undefined,
    },
  };
}

/**
 * Every secret of the run, including those that arrive later (the role's STS credentials): each is
 * registered with the runner in every spelling (the runner masks only the exact strings it was given)
 * and removed from everything the action writes itself.
 */
function secretKeeper(): { mask: (secret: string | undefined) => void; redact: Redactor } {
  const secrets: string[] = [];
  let redactor: Redactor = (text) => text;
  const mask = (secret: string | undefined): void => {
    if (!secret || secrets.includes(secret)) return;
    secrets.push(secret);
    for (const spelling of new Set([secret, ...secretSpellings(secret)])) {
      if (spelling.trim() !== '') core.setSecret(spelling);
    }
    redactor = createRedactor(secrets);
  };
  return { mask, redact: (text) => redactor(text) };
}

function actionsLogger(redact: Redactor): Logger {
  return {
    info: (message) => core.info(redact(message)),
    warning: (message) => core.warning(redact(message)),
    notice: (message) => core.notice(redact(message)),
    debug: (message) => core.debug(redact(message)),
    group: (title, fn) => core.group(redact(title), fn),
  };
}
