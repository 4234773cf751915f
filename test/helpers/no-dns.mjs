// A machine without DNS, for the bundled action or CLI (NODE_OPTIONS=--import <this file>): every host
// name but localhost fails to resolve with ENOTFOUND, as getaddrinfo reports a name it cannot find, so
// that "the API host cannot be resolved" is the same on every machine, with or without a network. IP
// addresses never reach lookup: the emulator on 127.0.0.1 still works.
import dns from 'node:dns';

const original = dns.lookup;

dns.lookup = function lookup(hostname, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  if (hostname === 'localhost') return original.apply(this, [hostname, options, callback]);
  const error = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  Object.assign(error, { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
  process.nextTick(done, error);
  return {};
};
