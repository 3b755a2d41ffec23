/** Import rules between the workspaces and the server's layers (docs/architecture.md, "Layers"). */
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'server-no-cycles',
      severity: 'error',
      comment: 'Server files never import each other in a circle, type-only imports included.',
      from: { path: '^apps/server/src/' },
      to: { circular: true },
    },
    {
      name: 'modules-not-realtime',
      severity: 'error',
      comment: 'Only the realtime layer and the composition root (app.ts) import realtime/*; what the rest needs from it is declared in ports.ts.',
      from: { path: '^apps/server/src/', pathNot: '^apps/server/src/(realtime/|app[.]ts$)' },
      to: { path: '^apps/server/src/realtime/' },
    },
    {
      name: 'web-not-server',
      severity: 'error',
      comment: 'The web app talks to the server over HTTP and sockets only; shared shapes live in packages/protocol.',
      from: { path: '^apps/web/' },
      to: { path: '^apps/server/' },
    },
    {
      name: 'protocol-not-apps',
      severity: 'error',
      comment: 'The protocol package is shared by both apps and depends on neither.',
      from: { path: '^packages/protocol/' },
      to: { path: '^apps/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|[.]next|dist)/|^apps/server/src/db/migrations/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};
