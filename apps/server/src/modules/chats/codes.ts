import { randomInt } from 'node:crypto';
import { CHAT_CODE_ALPHABET, CHAT_CODE_LENGTH } from '@chatpop/protocol';

const GENERATED_ACCESS_CODE_LENGTH = 6;

function randomCode(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += CHAT_CODE_ALPHABET[randomInt(CHAT_CODE_ALPHABET.length)];
  return out;
}

/** 32^8 ≈ 10^12 codes; the unique index settles the rare collision and the caller draws again. */
export const newChatCode = () => randomCode(CHAT_CODE_LENGTH);
export const newAccessCode = () => randomCode(GENERATED_ACCESS_CODE_LENGTH);
