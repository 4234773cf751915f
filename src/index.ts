// First: before the bundled modules that warn as they load (runtime/deprecations.ts).
import './runtime/deprecations.js';
import * as core from '@actions/core';
import { run } from './main.js';
import { exitWhenIdle } from './runtime/exit.js';
import { keepHeapNearLiveData } from './runtime/memory.js';

keepHeapNearLiveData();
// Everything is written: the process ends by itself, or at the latest 2 s after its output is taken
// (runtime/exit.ts).
void run().finally(() => exitWhenIdle({ graceMs: 2_000, warn: (message) => core.warning(message) }));
