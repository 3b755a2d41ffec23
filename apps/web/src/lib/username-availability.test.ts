import { describe, expect, it } from 'vitest';
import { fromServer, localAvailability } from './username-availability';

describe('username availability in the registration form', () => {
  it('says nothing for an empty field and waits for the server on a well-formed name', () => {
    expect(localAvailability('   ')).toEqual({ status: 'empty' });
    expect(localAvailability('SwiftWolf123')).toBeNull();
  });

  it('names a broken rule at once, in the shared validator’s words', () => {
    expect(localAvailability('abc')).toEqual({ status: 'invalid', username: 'abc', message: 'A username needs at least 5 characters.' });
    expect(localAvailability('no spaces')).toMatchObject({ status: 'invalid', message: 'A username may only use letters, digits and underscores.' });
    expect(localAvailability('Sh1tLord')).toMatchObject({ status: 'invalid', message: 'That username is not allowed. Try another one.' });
    expect(localAvailability('assistant')).toBeNull();
  });

  it('reads the server’s answer: available, yours, taken, or a rule', () => {
    const base = { username: 'Robert', yours: false, message: 'm' };
    expect(fromServer({ ...base, available: true, reason: null })).toMatchObject({ status: 'available' });
    expect(fromServer({ ...base, available: true, reason: null, yours: true })).toMatchObject({ status: 'yours' });
    expect(fromServer({ ...base, available: false, reason: 'taken' })).toMatchObject({ status: 'taken', message: 'm' });
    expect(fromServer({ ...base, available: false, reason: 'profanity' })).toMatchObject({ status: 'invalid' });
  });
});
