import { z } from 'zod';

// Runs before the app's own code. zod compiles object schemas with `new
// Function` when it may, and finds out by trying: under our
// Content-Security-Policy (no 'unsafe-eval', next.config.ts) that try is a
// reported violation. The interpreted path is all the browser needs.
z.config({ jitless: true });
