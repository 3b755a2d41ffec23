import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The protocol package ships TypeScript source with extensionless imports.
  transpilePackages: ['@chatpop/protocol'],
};

export default nextConfig;
