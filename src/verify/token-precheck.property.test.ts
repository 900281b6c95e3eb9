import { BASE62_ALPHABET, generateToken, parseToken, secureRandom } from '@gatehouse/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { precheckToken } from './token-precheck.js';

const agree = (input: string): void => {
  const parsed = parseToken(input);
  expect(precheckToken(input)).toBe(parsed.ok ? parsed.prefix : null);
};

const prefix = fc.stringMatching(/^[a-z][a-z0-9]{1,11}$/);

it('accepts exactly the tokens parseToken accepts (valid tokens)', () => {
  fc.assert(
    fc.property(prefix, (p) => {
      agree(generateToken({ prefix: p, random: secureRandom }));
    }),
    { numRuns: 500 },
  );
});

it('agrees with parseToken on single-character changes', () => {
  const alphabet = `${BASE62_ALPHABET}_-é\u0000`;
  fc.assert(
    fc.property(prefix, fc.nat(), fc.nat(), (p, at, ch) => {
      const token = generateToken({ prefix: p, random: secureRandom });
      const i = at % token.length;
      agree(`${token.slice(0, i)}${alphabet[ch % alphabet.length]}${token.slice(i + 1)}`);
      agree(token.slice(0, i) + token.slice(i + 1));
      agree(`${token}${alphabet[ch % alphabet.length]}`);
    }),
    { numRuns: 2000 },
  );
});

it('agrees with parseToken on arbitrary strings', () => {
  fc.assert(fc.property(fc.string({ maxLength: 80 }), agree), { numRuns: 2000 });
});
