import type { Migration } from '../migrator.js';
import { migration001Core } from './001-core.js';
import { migration002Audit } from './002-audit.js';
import { migration003Keys } from './003-keys.js';
import { migration004Feed } from './004-feed.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  migration001Core,
  migration003Keys,
  migration002Audit,
  migration004Feed,
];
