import { describe, expect, it } from 'vitest';
import { execForm, keyValuePairs, parseDockerfile } from '../src/index.js';

describe('parseDockerfile', () => {
  it('joins continuations, drops comments inside them and keeps the first line number', () => {
    const parsed = parseDockerfile(
      ['FROM a@sha256:' + 'a'.repeat(64), '', 'RUN apt-get update \\', '  # why: a comment inside', '  && echo done', 'USER 10001'].join('\n'),
    );
    expect(parsed.instructions.map((i) => [i.keyword, i.line, i.endLine])).toEqual([
      ['FROM', 1, 1],
      ['RUN', 3, 5],
      ['USER', 6, 6],
    ]);
    expect(parsed.instructions[1]?.body).toBe('apt-get update && echo done');
    expect(parsed.comments.map((c) => c.line)).toEqual([4]);
  });

  it('reads directives, the backtick escape and flags', () => {
    const parsed = parseDockerfile(['# escape=`', 'FROM --platform=linux/amd64 base:1 AS b', 'COPY --chown=10001:0 --from=b /a `', '  /b'].join('\r\n'));
    expect(parsed.directives.get('escape')).toBe('`');
    const [from, copy] = parsed.instructions;
    expect(from?.flags.get('platform')).toBe('linux/amd64');
    expect(from?.body).toBe('base:1 AS b');
    expect(copy?.flags.get('chown')).toBe('10001:0');
    expect(copy?.body).toBe('/a /b');
  });

  it('keeps heredoc bodies with the instruction and continues after the terminator', () => {
    const parsed = parseDockerfile(['FROM x:1', 'RUN <<-EOT bash', '\techo one', '\techo two', 'EOT', 'COPY <<CONF /etc/a.conf', 'key=value', 'CONF', 'USER 1'].join('\n'));
    const [, run, copy, user] = parsed.instructions;
    expect(run?.heredocs).toEqual([{ delimiter: 'EOT', content: 'echo one\necho two\n' }]);
    expect([run?.line, run?.endLine]).toEqual([2, 5]);
    expect(copy?.heredocs[0]?.content).toBe('key=value\n');
    expect(user?.line).toBe(9);
    expect(parsed.problems).toEqual([]);
  });

  it('attaches leading comments only when no blank line separates them', () => {
    const parsed = parseDockerfile(['FROM x:1', '# one', '', '# two', 'RUN true'].join('\n'));
    expect(parsed.instructions[1]?.leadingComments.map((c) => c.text)).toEqual(['two']);
  });

  it('reports a file ending in a continuation', () => {
    expect(parseDockerfile('FROM x:1\nRUN a \\\n').problems).toEqual([{ line: 2, message: 'the file ends inside a line continuation' }]);
  });
});

describe('argument helpers', () => {
  it('tells exec form from shell form', () => {
    expect(execForm('["node", "main.js"]')).toEqual(['node', 'main.js']);
    expect(execForm('node main.js')).toBeUndefined();
    expect(execForm('[node]')).toBeUndefined();
  });

  it('reads key=value pairs, quoted values and the legacy single form', () => {
    expect(keyValuePairs('A=1 B="two words" C', false)).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'two words' },
      { key: 'C', value: undefined },
    ]);
    expect(keyValuePairs('NAME some value', true)).toEqual([{ key: 'NAME', value: 'some value' }]);
  });
});
