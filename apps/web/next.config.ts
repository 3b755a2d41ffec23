import type { NextConfig } from 'next';

const dev = process.env.NODE_ENV === 'development';

/**
 * Where the page's Socket.IO connection goes (src/lib/socket.ts): the
 * configured URL, else the API port on whatever host served the page — a
 * host CSP cannot name ahead of time, hence `*` with the port.
 */
function socketSources(): string[] {
  const configured = process.env.NEXT_PUBLIC_SOCKET_URL;
  if (configured) {
    const url = new URL(configured);
    const ws = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return [url.origin, `${ws}//${url.host}`];
  }
  const port = process.env.NEXT_PUBLIC_SOCKET_PORT || '9000';
  return ['http:', 'https:', 'ws:', 'wss:'].map((scheme) => `${scheme}//*:${port}`);
}

/**
 * The page's Content-Security-Policy. Next's App Router writes inline
 * scripts (the RSC payload), so scripts need 'unsafe-inline' without
 * per-request nonces, which would make every page dynamic; the policy still
 * keeps every other origin out, frames out (frame-ancestors), and `<base>`,
 * plugins and form targets to this site. Stripe's Payment Element loads from
 * js.stripe.com and frames its fields (docs.stripe.com/security/guide#content-security-policy).
 */
function contentSecurityPolicy(): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", "'unsafe-inline'", ...(dev ? ["'unsafe-eval'"] : []), 'https://js.stripe.com', 'https://*.js.stripe.com'],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:', 'https://*.stripe.com'],
    'font-src': ["'self'", 'data:'],
    // Sounds are generated WAV data (src/lib/sounds.ts).
    'media-src': ["'self'", 'data:', 'blob:'],
    'connect-src': ["'self'", ...socketSources(), 'https://api.stripe.com'],
    'frame-src': ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com'],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

const nextConfig: NextConfig = {
  // The protocol package ships TypeScript source with extensionless imports.
  transpilePackages: ['@chatpop/protocol'],
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: contentSecurityPolicy() },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
