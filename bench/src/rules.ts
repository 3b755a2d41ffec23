import { performance } from 'node:perf_hooks';
import { MESSAGE_MAX_CHARS } from '@chatpop/protocol';
import { containsLink, findBlockedTerm, readableText } from '../../apps/server/src/modules/moderation/matching';

/** The content rules (blocked terms, lockdown's link check) on messages built to make a backtracking matcher stall. */
export interface RulesCase {
  name: string;
  p50Ms: number;
  maxMs: number;
}

export interface RulesResult {
  terms: number;
  chars: number;
  runs: number;
  cases: RulesCase[];
}

const RUNS = 21;

/** 200 phrases that share their first twenty words: the list on which the old alternation regex backtracked. */
const TERMS = Array.from({ length: 200 }, (_, i) => `${'a '.repeat(20)}x${i}`);

const TEXTS: Record<string, string> = {
  'a a a …': 'a '.repeat(MESSAGE_MAX_CHARS / 2),
  'a.a.a…': 'a.'.repeat(MESSAGE_MAX_CHARS / 2),
  'a-a-a…': 'a-'.repeat(MESSAGE_MAX_CHARS / 2),
  spaces: `a${' '.repeat(MESSAGE_MAX_CHARS - 2)}b`,
  'zero-width': 'a\u200b'.repeat(MESSAGE_MAX_CHARS / 2),
};

/** Runs in the orchestrator's process, in a few hundred milliseconds: no server involved. */
export function measureContentRules(): RulesResult {
  const check = (text: string) => {
    const readable = readableText(text);
    return findBlockedTerm(readable, TERMS) ?? containsLink(readable);
  };
  check('warm up');
  const cases = Object.entries(TEXTS).map(([name, text]) => {
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      check(text);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { name, p50Ms: times[Math.floor(RUNS / 2)]!, maxMs: times.at(-1)! };
  });
  return { terms: TERMS.length, chars: MESSAGE_MAX_CHARS, runs: RUNS, cases };
}

export function renderRules(rules: RulesResult): string {
  const worst = rules.cases.reduce((a, b) => (b.p50Ms > a.p50Ms ? b : a));
  return (
    `content rules on pathological ${rules.chars.toLocaleString('en-US')}-character messages (${rules.terms} blocked phrases + link check, ${rules.runs} runs each): ` +
    rules.cases.map((c) => `${c.name} ${c.p50Ms.toFixed(2)} ms`).join(', ') +
    ` (p50); worst ${worst.name} p50 ${worst.p50Ms.toFixed(2)} ms, max ${Math.max(...rules.cases.map((c) => c.maxMs)).toFixed(2)} ms`
  );
}
