// The web app's server (`npm start -w apps/web`, and `-- --dev` for reload):
// Next's own request handler behind a plain HTTP server that first sets the
// visitor's address from the socket (src/server/client-address.ts), which
// `next start` cannot do — it keeps any X-Forwarded-For a visitor sends.
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markClientAddressSet, setClientAddress, trustFrom } from './src/server/client-address';

const dev = process.argv.includes('--dev');
(process.env as Record<string, string>).NODE_ENV ??= dev ? 'development' : 'production';
const port = Number(process.env.WEB_PORT || 4000);
const trust = trustFrom(process.env.WEB_TRUST_PROXY);

const { default: next } = await import('next');
const app = next({ dev, dir: path.dirname(fileURLToPath(import.meta.url)), port });
const handle = app.getRequestHandler();
await app.prepare();
markClientAddressSet();

createServer((req, res) => {
  setClientAddress(req, trust);
  void handle(req, res);
}).listen(port, () => console.log(`ChatPop web ${dev ? '(dev) ' : ''}on http://localhost:${port}`));
