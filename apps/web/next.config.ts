import type { NextConfig } from 'next';

// Where the API server listens. Rewrites are resolved when the app is built, so
// set API_URL at build time when the server is not on localhost:9000.
const apiUrl = process.env.API_URL ?? 'http://localhost:9000';

const nextConfig: NextConfig = {
  // The protocol package ships TypeScript source with extensionless imports.
  transpilePackages: ['@chatpop/protocol'],
  async rewrites() {
    return [{ source: '/api/:path*', destination: `${apiUrl}/api/:path*` }];
  },
};

export default nextConfig;
