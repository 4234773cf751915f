/**
 * Emulator of the Alibaba Cloud CDN API (and STS AssumeRoleWithOIDC) for tests, the demo and the bench:
 * a real HTTP server on 127.0.0.1 that verifies signatures as Alibaba does, enforces the documented limits
 * and injects scripted faults.
 */
export { DEFAULT_CREDENTIALS, DEFAULT_DOMAINS, startEmulator } from './server.js';
export { CALL_FAULT_KINDS } from './types.js';
export type { Edge, EdgeFault, EdgeOptions, EdgeRequest } from './edge.js';
export type { EdgeCounters, EdgeEvent, EdgeInspection, Freshness } from './edge-cache.js';
export type { Origin, OriginAnswer } from './origin.js';
export type {
  CallRecord,
  Emulator,
  EmulatorOptions,
  Fault,
  FaultKind,
  IssuedStsCredentials,
  TaskObjectType,
  TaskRecord,
} from './types.js';
