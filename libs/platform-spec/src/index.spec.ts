import { expect, it } from 'vitest';
import { x } from './index.js';
it('works', () => expect(x).toBe(1));
