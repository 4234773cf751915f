// Checks the workflows and every workflow a user may copy: that each file under .github/ parses as YAML
// and each workflow has jobs with steps; that every `uses:` (in .github/workflows/, examples/, and the
// YAML blocks of the Markdown pages) names a version — a tag like v7 or v1.2.3, or a full commit SHA,
// never a branch; that the actions below are at least at the major that is current (and runs on node24);
// and that each action is used at one version everywhere, so examples and docs move with the workflows
// when Dependabot updates those. Prints what it checked; exits 1 naming every problem.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

/** The current major of each action we use, every one of them running on node24 (late 2026). */
const CURRENT_MAJORS = {
  'actions/checkout': 7,
  'actions/setup-node': 7,
  'actions/cache': 6,
  'actions/upload-artifact': 7,
  'actions/download-artifact': 8,
  'aliyun/configure-aliyun-credentials-action': 1,
};

const root = path.resolve(import.meta.dirname, '..');
const problems = [];
/** Every `uses:` found: { file, value }. */
const uses = [];

function filesIn(dir, pattern) {
  let names;
  try {
    names = readdirSync(path.join(root, dir), { recursive: true });
  } catch {
    return [];
  }
  return names.filter((name) => pattern.test(name)).map((name) => path.join(dir, name));
}

function parseYaml(file, text = readFileSync(path.join(root, file), 'utf8')) {
  const document = parseDocument(text, { prettyErrors: true });
  for (const error of document.errors) problems.push(`${file}: does not parse as YAML: ${error.message}`);
  return document.errors.length > 0 ? undefined : document.toJS();
}

/** The `uses:` of every job (a reusable workflow) and step of a workflow. */
function collectWorkflow(file, workflow) {
  const jobs = workflow?.jobs;
  if (jobs === null || typeof jobs !== 'object' || Object.keys(jobs).length === 0) {
    return void problems.push(`${file}: no jobs`);
  }
  if (workflow.on === undefined) problems.push(`${file}: no on: (the events it runs on)`);
  for (const [id, job] of Object.entries(jobs)) {
    if (typeof job?.uses === 'string') uses.push({ file, value: job.uses });
    else if (!Array.isArray(job?.steps) || job.steps.length === 0)
      problems.push(`${file}: job ${id} has no steps`);
    for (const step of job?.steps ?? [])
      if (typeof step?.uses === 'string') uses.push({ file, value: step.uses });
  }
}

/** The `uses:` lines of the ```yaml blocks of a Markdown page (often parts of workflows). */
function collectMarkdown(file) {
  const text = readFileSync(path.join(root, file), 'utf8');
  for (const block of text.matchAll(/^\s*```ya?ml\n([\s\S]*?)^\s*```/gm)) {
    for (const match of (block[1] ?? '').matchAll(/^\s*-?\s*uses:\s*['"]?([^\s'"#]+)/gm)) {
      uses.push({ file, value: match[1] ?? '' });
    }
  }
}

/** What is wrong with one `uses:` value, if anything. */
function checkUses({ file, value }) {
  if (value.startsWith('./')) return; // this repository's own action or workflow
  const match = /^([\w.-]+\/[\w.-]+)(\/[^@]*)?@(.*)$/.exec(value);
  if (!match) return void problems.push(`${file}: uses: ${value} names no version (owner/repo@v1)`);
  const [, repo = '', , ref = ''] = match;
  const tag = /^v(\d+)(\.\d+){0,2}$/.exec(ref);
  if (!tag && !/^[0-9a-f]{40}$/.test(ref)) {
    return void problems.push(
      `${file}: uses: ${value}: '${ref}' is not a version (a tag like v1 or v1.2.3, or a commit SHA)`,
    );
  }
  const current = CURRENT_MAJORS[repo];
  if (tag && current !== undefined && Number(tag[1]) < current) {
    problems.push(`${file}: uses: ${value}: ${repo} is at v${current} (runs on node24); use @v${current}`);
  }
}

const workflows = filesIn('.github/workflows', /\.ya?ml$/);
if (workflows.length === 0) problems.push('.github/workflows/: no workflow files');
/** A workflow file's `uses:`, once it parses (parseYaml reports when it does not). */
function collectFile(file) {
  const workflow = parseYaml(file);
  if (workflow !== undefined) collectWorkflow(file, workflow);
}

for (const file of workflows) collectFile(file);
for (const file of filesIn('.github', /^[^/]+\.ya?ml$/)) parseYaml(file); // dependabot.yml and the like
const examples = filesIn('examples', /\.ya?ml$/);
for (const file of examples) collectFile(file);
const pages = [
  ...readdirSync(root).filter((name) => name.endsWith('.md')),
  ...filesIn('docs', /\.md$/),
  ...filesIn('.github', /\.md$/),
];
for (const file of pages) collectMarkdown(file);

for (const entry of uses) checkUses(entry);

// One version of each action everywhere: what the workflows run is what the examples recommend.
const versions = new Map();
for (const { file, value } of uses) {
  const at = value.lastIndexOf('@');
  if (value.startsWith('./') || at < 0) continue;
  const action = value.slice(0, at).split('/').slice(0, 2).join('/');
  const seen = versions.get(action) ?? new Map();
  seen.set(value.slice(at + 1), [...(seen.get(value.slice(at + 1)) ?? []), file]);
  versions.set(action, seen);
}
for (const [action, seen] of versions) {
  if (seen.size > 1) {
    const where = [...seen].map(([ref, files]) => `@${ref} in ${[...new Set(files)].join(', ')}`).join('; ');
    problems.push(`${action} is used at ${seen.size} versions: ${where}. Use one.`);
  }
}

if (problems.length > 0) {
  console.error(`Workflow checks failed:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  process.exit(1);
}
console.log(
  `Workflows: ${workflows.length} workflow files and ${examples.length} examples parse; ` +
    `${uses.length} uses: in them and in ${pages.length} pages name versions, at the current majors, one per action.`,
);
