// Launcher for @portkey-ai/gateway that binds it to 127.0.0.1 only.
//
// The gateway's entry point (build/start-server.js, a single bundle) calls
// @hono/node-server's serve({fetch, port}) without a hostname, so Node listens
// on every interface, and it has no --host flag or env var. Its Hono app is not
// exported either, so we cannot serve it ourselves. Instead, before loading the
// bundle, we force the host of every http.Server#listen in this process (the
// gateway starts exactly one server) to BIND_HOST, then import the bundle.
//
// Usage: node serve.mjs --port=PORT [--headless]   (arguments go to the gateway)
import http from 'node:http';

const HOST = process.env.BIND_HOST || '127.0.0.1';
const origListen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  const cb = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
  const opts = args[0] !== null && typeof args[0] === 'object' ? { ...args[0] } : { port: args[0] };
  opts.host = HOST;
  this.once('listening', () => {
    const a = this.address();
    console.log(`[serve.mjs] portkey gateway listening on ${a.address}:${a.port}`);
  });
  return origListen.call(this, opts, cb);
};

await import('@portkey-ai/gateway/build/start-server.js');
