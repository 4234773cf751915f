import * as core from '@actions/core';
import { run } from './main.js';
import { exitWhenIdle } from './runtime/exit.js';

// Everything is written: the process ends by itself, or at the latest 2 s later (runtime/exit.ts).
void run().finally(() => exitWhenIdle(2_000, (message) => core.warning(message)));
