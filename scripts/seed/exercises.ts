// The course content: exercises from easy to hard across Python, JavaScript and TypeScript,
// created through the public API as an admin. The exercises service runs each reference solution
// against its examples and hidden tests before accepting it, so every exercise here is checked.
import { isDeepStrictEqual } from 'node:util';

export interface SeedContext {
  baseUrl: string;
  adminToken: string;
  log: (line: string) => void;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface TestCase {
  args: Json[];
  expected: Json;
}

export interface SeedExercise {
  title: string;
  body: string;
  language: 'javascript' | 'typescript' | 'python';
  difficulty: 'easy' | 'medium' | 'hard';
  entrypoint: string;
  starter_code: string;
  examples: TestCase[];
  tests: TestCase[];
  solution: string;
}

const t = (args: Json[], expected: Json): TestCase => ({ args, expected });

export const SEED_EXERCISES: SeedExercise[] = [
  // ---- easy ---------------------------------------------------------------------------------
  {
    title: 'Sum of two numbers',
    difficulty: 'easy',
    language: 'python',
    entrypoint: 'sum',
    body: `Define a function called \`sum\` that takes two integers as arguments and returns their sum.

\`\`\`python
sum(2, 3)  # 5
\`\`\`

Your \`sum\` replaces Python's built-in one inside your program; that's fine here.`,
    starter_code: `def sum(x, y):
    # Return x plus y.
    pass
`,
    examples: [t([2, 3], 5), t([2, 2], 4)],
    tests: [t([0, 0], 0), t([-5, 12], 7), t([-3, -4], -7), t([1000000, 2345678], 3345678)],
    solution: `def sum(x, y):
    return x + y
`,
  },
  {
    title: 'Reverse a string',
    difficulty: 'easy',
    language: 'python',
    entrypoint: 'reverse',
    body: `Define a function called \`reverse\` that takes a string as an argument and returns the string in reversed order.

\`\`\`python
reverse("hello")  # "olleh"
\`\`\`

Spaces and punctuation are characters like any other.`,
    starter_code: `def reverse(text):
    # Return text backwards.
    pass
`,
    examples: [t(['racecar'], 'racecar'), t(['hello'], 'olleh')],
    tests: [t([''], ''), t(['a'], 'a'), t(['Hello, World!'], '!dlroW ,olleH'), t(['ab cd'], 'dc ba')],
    solution: `def reverse(text):
    return text[::-1]
`,
  },
  {
    title: 'Factorial',
    difficulty: 'easy',
    language: 'python',
    entrypoint: 'factorial',
    body: `Define a function called \`factorial\` that takes a non-negative integer \`n\` and returns its factorial:
\`n! = 1 × 2 × … × n\`, and \`0! = 1\`.

\`\`\`python
factorial(5)  # 120
\`\`\`

\`n\` is at most 15.`,
    starter_code: `def factorial(n):
    # Return 1 * 2 * ... * n (and 1 for 0).
    pass
`,
    examples: [t([5], 120), t([0], 1)],
    tests: [t([1], 1), t([3], 6), t([10], 3628800), t([15], 1307674368000)],
    solution: `def factorial(n):
    result = 1
    for i in range(2, n + 1):
        result *= i
    return result
`,
  },
  {
    title: 'FizzBuzz',
    difficulty: 'easy',
    language: 'javascript',
    entrypoint: 'fizzBuzz',
    body: `Write \`fizzBuzz(n)\` that returns an array of strings for the numbers from 1 to \`n\`:

- \`"Fizz"\` for multiples of 3,
- \`"Buzz"\` for multiples of 5,
- \`"FizzBuzz"\` for multiples of both,
- the number itself (as a string) otherwise.

\`\`\`js
fizzBuzz(5) // ["1", "2", "Fizz", "4", "Buzz"]
\`\`\`

For \`n = 0\` the array is empty.`,
    starter_code: `function fizzBuzz(n) {
  // Build and return the array of strings.
}
`,
    examples: [t([5], ['1', '2', 'Fizz', '4', 'Buzz']), t([1], ['1'])],
    tests: [
      t([0], []),
      t([3], ['1', '2', 'Fizz']),
      t([15], ['1', '2', 'Fizz', '4', 'Buzz', 'Fizz', '7', '8', 'Fizz', 'Buzz', '11', 'Fizz', '13', '14', 'FizzBuzz']),
    ],
    solution: `function fizzBuzz(n) {
  const out = [];
  for (let i = 1; i <= n; i++) {
    if (i % 15 === 0) out.push('FizzBuzz');
    else if (i % 3 === 0) out.push('Fizz');
    else if (i % 5 === 0) out.push('Buzz');
    else out.push(String(i));
  }
  return out;
}
`,
  },
  {
    title: 'Count the vowels',
    difficulty: 'easy',
    language: 'typescript',
    entrypoint: 'countVowels',
    body: `Write \`countVowels(text: string): number\` that counts the vowels \`a e i o u\` in \`text\`,
in upper or lower case. \`y\` is not a vowel here.

\`\`\`ts
countVowels('hello') // 2
\`\`\``,
    starter_code: `function countVowels(text: string): number {
  // Count a, e, i, o, u in any case.
  return 0;
}
`,
    examples: [t(['hello'], 2), t(['Codeyard'], 3)],
    tests: [t([''], 0), t(['rhythm'], 0), t(['AEIOU aeiou'], 10), t(['The quick brown fox'], 5)],
    solution: `function countVowels(text: string): number {
  let count = 0;
  for (const ch of text.toLowerCase()) {
    if ('aeiou'.includes(ch)) count++;
  }
  return count;
}
`,
  },
  {
    title: 'Palindromes',
    difficulty: 'easy',
    language: 'javascript',
    entrypoint: 'isPalindrome',
    body: `Write \`isPalindrome(text)\` that returns \`true\` when \`text\` reads the same forwards and backwards,
ignoring letter case and every character that is not a letter or a digit.

\`\`\`js
isPalindrome('A man, a plan, a canal: Panama') // true
isPalindrome('hello')                          // false
\`\`\`

An empty string is a palindrome. Only ASCII letters and digits count.`,
    starter_code: `function isPalindrome(text) {
  // Compare the letters and digits, ignoring case.
}
`,
    examples: [t(['A man, a plan, a canal: Panama'], true), t(['hello'], false)],
    tests: [t([''], true), t(["No 'x' in Nixon"], true), t(['ab'], false), t(['Was it a car or a cat I saw?'], true), t(['0P'], false)],
    solution: `function isPalindrome(text) {
  const chars = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return chars === chars.split('').reverse().join('');
}
`,
  },
  {
    title: 'Chunk an array',
    difficulty: 'easy',
    language: 'typescript',
    entrypoint: 'chunk',
    body: `Write \`chunk(items, size)\` that splits \`items\` into consecutive groups of \`size\` elements.
The last group holds whatever is left.

\`\`\`ts
chunk([1, 2, 3, 4, 5], 2) // [[1, 2], [3, 4], [5]]
\`\`\`

\`size\` is a positive integer; an empty array gives no groups.`,
    starter_code: `function chunk<T>(items: T[], size: number): T[][] {
  // Return the groups in order.
  return [];
}
`,
    examples: [t([[1, 2, 3, 4, 5], 2], [[1, 2], [3, 4], [5]]), t([['a', 'b', 'c'], 1], [['a'], ['b'], ['c']])],
    tests: [
      t([[], 3], []),
      t([[1, 2, 3], 5], [[1, 2, 3]]),
      t(
        [[1, 2, 3, 4], 2],
        [
          [1, 2],
          [3, 4],
        ],
      ),
      t([[true, false, true], 2], [[true, false], [true]]),
    ],
    solution: `function chunk<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}
`,
  },
  // ---- medium -------------------------------------------------------------------------------
  {
    title: 'Two sum',
    difficulty: 'medium',
    language: 'python',
    entrypoint: 'two_sum',
    body: `Write \`two_sum(nums, target)\` that returns the indices \`[i, j]\` (with \`i < j\`) of the two numbers in
\`nums\` that add up to \`target\`.

\`\`\`python
two_sum([2, 7, 11, 15], 9)  # [0, 1]
\`\`\`

Every input has exactly one answer, and you may not use the same element twice.
Can you do it in one pass, without comparing every pair?`,
    starter_code: `def two_sum(nums, target):
    # Return [i, j] with nums[i] + nums[j] == target and i < j.
    pass
`,
    examples: [t([[2, 7, 11, 15], 9], [0, 1]), t([[3, 2, 4], 6], [1, 2])],
    tests: [t([[3, 3], 6], [0, 1]), t([[1, 5, 9, 14], 23], [2, 3]), t([[-3, 4, 3, 90], 0], [0, 2]), t([[0, 4, 3, 0], 0], [0, 3])],
    solution: `def two_sum(nums, target):
    seen = {}
    for j, value in enumerate(nums):
        i = seen.get(target - value)
        if i is not None:
            return [i, j]
        seen[value] = j
    return []
`,
  },
  {
    title: 'Balanced brackets',
    difficulty: 'medium',
    language: 'javascript',
    entrypoint: 'isBalanced',
    body: `Write \`isBalanced(text)\` that returns \`true\` when every bracket in \`text\` — \`()\`, \`[]\` and \`{}\` — is
closed by the matching bracket in the right order. Other characters are ignored.

\`\`\`js
isBalanced('([]{})') // true
isBalanced('(]')     // false
isBalanced('(()')    // false
\`\`\``,
    starter_code: `function isBalanced(text) {
  // Hint: a stack of the brackets still open.
}
`,
    examples: [t(['([]{})'], true), t(['(]'], false), t(['(()'], false)],
    tests: [t([''], true), t(['{[()()]}'], true), t(['a(b[c]d)e'], true), t(['())('], false), t([']'], false), t(['((('], false)],
    solution: `function isBalanced(text) {
  const pairs = { ')': '(', ']': '[', '}': '{' };
  const open = [];
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') open.push(ch);
    else if (ch in pairs && open.pop() !== pairs[ch]) return false;
  }
  return open.length === 0;
}
`,
  },
  {
    title: 'Roman numerals',
    difficulty: 'medium',
    language: 'python',
    entrypoint: 'roman_to_int',
    body: `Write \`roman_to_int(numeral)\` that converts a Roman numeral to an integer.

| symbol | I | V | X | L | C | D | M |
|---|---|---|---|---|---|---|---|
| value | 1 | 5 | 10 | 50 | 100 | 500 | 1000 |

A smaller symbol before a larger one is subtracted: \`IV\` is 4, \`IX\` is 9, \`XL\` 40, \`XC\` 90, \`CD\` 400, \`CM\` 900.

\`\`\`python
roman_to_int("LVIII")    # 58
roman_to_int("MCMXCIV")  # 1994
\`\`\`

Inputs are valid numerals from 1 to 3999.`,
    starter_code: `def roman_to_int(numeral):
    # Add the values, subtracting a symbol that comes before a larger one.
    pass
`,
    examples: [t(['III'], 3), t(['LVIII'], 58)],
    tests: [t(['IV'], 4), t(['IX'], 9), t(['MCMXCIV'], 1994), t(['MMXXVI'], 2026), t(['CDXLIV'], 444)],
    solution: `def roman_to_int(numeral):
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, symbol in enumerate(numeral):
        value = values[symbol]
        if i + 1 < len(numeral) and values[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total
`,
  },
  {
    title: 'Flatten nested arrays',
    difficulty: 'medium',
    language: 'javascript',
    entrypoint: 'flatten',
    body: `Write \`flatten(items)\` that returns a flat array of all the values in \`items\`, however deeply the
arrays are nested, in their original order.

\`\`\`js
flatten([1, [2, [3, [4]], 5]]) // [1, 2, 3, 4, 5]
\`\`\`

Do it yourself: \`Array.prototype.flat\` is off limits in spirit.`,
    starter_code: `function flatten(items) {
  // Recursion (or a stack) helps.
}
`,
    examples: [t([[1, [2, [3, [4]], 5]]], [1, 2, 3, 4, 5]), t([[]], [])],
    tests: [
      t([[[[]]]], []),
      t([[1, 2, 3]], [1, 2, 3]),
      t([[['a'], ['b', ['c']]]], ['a', 'b', 'c']),
      t([[[1, [2]], [[3]], 4]], [1, 2, 3, 4]),
    ],
    solution: `function flatten(items) {
  const out = [];
  for (const item of items) {
    if (Array.isArray(item)) out.push(...flatten(item));
    else out.push(item);
  }
  return out;
}
`,
  },
  {
    title: 'Group anagrams',
    difficulty: 'medium',
    language: 'typescript',
    entrypoint: 'groupAnagrams',
    body: `Write \`groupAnagrams(words: string[]): string[][]\` that puts words made of the same letters together.

So that there is one right answer: sort the words inside each group alphabetically, and sort the
groups by their first word.

\`\`\`ts
groupAnagrams(['eat', 'tea', 'tan', 'ate', 'nat', 'bat'])
// [['ate', 'eat', 'tea'], ['bat'], ['nat', 'tan']]
\`\`\`

Words are lower-case ASCII letters.`,
    starter_code: `function groupAnagrams(words: string[]): string[][] {
  // Words with the same sorted letters belong together.
  return [];
}
`,
    examples: [t([['eat', 'tea', 'tan', 'ate', 'nat', 'bat']], [['ate', 'eat', 'tea'], ['bat'], ['nat', 'tan']]), t([['a']], [['a']])],
    tests: [
      t([[]], []),
      t(
        [['listen', 'silent', 'enlist', 'google', 'gogole']],
        [
          ['enlist', 'listen', 'silent'],
          ['gogole', 'google'],
        ],
      ),
      t([['abc', 'bca', 'cab', 'xyz']], [['abc', 'bca', 'cab'], ['xyz']]),
      t([['b', 'a', 'c']], [['a'], ['b'], ['c']]),
    ],
    solution: `function groupAnagrams(words: string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const word of words) {
    const key = [...word].sort().join('');
    const group = groups.get(key) ?? [];
    group.push(word);
    groups.set(key, group);
  }
  const result = [...groups.values()].map((group) => group.sort());
  return result.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}
`,
  },
  {
    title: 'Merge intervals',
    difficulty: 'medium',
    language: 'typescript',
    entrypoint: 'mergeIntervals',
    body: `Write \`mergeIntervals(intervals: [number, number][]): [number, number][]\` that merges every group of
overlapping intervals and returns the result sorted by start. Intervals that touch (\`[1, 4]\` and
\`[4, 5]\`) overlap.

\`\`\`ts
mergeIntervals([[1, 3], [2, 6], [8, 10], [15, 18]]) // [[1, 6], [8, 10], [15, 18]]
\`\`\`

The input is not necessarily sorted.`,
    starter_code: `function mergeIntervals(intervals: [number, number][]): [number, number][] {
  // Sort by start, then sweep.
  return [];
}
`,
    examples: [
      t(
        [
          [
            [1, 3],
            [2, 6],
            [8, 10],
            [15, 18],
          ],
        ],
        [
          [1, 6],
          [8, 10],
          [15, 18],
        ],
      ),
      t(
        [
          [
            [1, 4],
            [4, 5],
          ],
        ],
        [[1, 5]],
      ),
    ],
    tests: [
      t([[]], []),
      t([[[5, 7]]], [[5, 7]]),
      t(
        [
          [
            [6, 8],
            [1, 9],
            [2, 4],
            [4, 7],
          ],
        ],
        [[1, 9]],
      ),
      t(
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ),
      t(
        [
          [
            [2, 3],
            [1, 2],
            [5, 6],
            [4, 5],
          ],
        ],
        [
          [1, 3],
          [4, 6],
        ],
      ),
    ],
    solution: `function mergeIntervals(intervals: [number, number][]): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
`,
  },
  // ---- hard ---------------------------------------------------------------------------------
  {
    title: 'Edit distance',
    difficulty: 'hard',
    language: 'python',
    entrypoint: 'edit_distance',
    body: `Write \`edit_distance(a, b)\` that returns the Levenshtein distance between two strings: the fewest
single-character insertions, deletions and substitutions that turn \`a\` into \`b\`.

\`\`\`python
edit_distance("kitten", "sitting")  # 3: k→s, e→i, +g
\`\`\`

Strings are up to a few hundred characters: trying every sequence of edits is far too slow.
Think dynamic programming.`,
    starter_code: `def edit_distance(a, b):
    # distance[i][j] = edits to turn a[:i] into b[:j]
    pass
`,
    examples: [t(['kitten', 'sitting'], 3), t(['flaw', 'lawn'], 2)],
    tests: [
      t(['', ''], 0),
      t(['abc', ''], 3),
      t(['intention', 'execution'], 5),
      t(['same', 'same'], 0),
      t(['sunday', 'saturday'], 3),
      t(['a'.repeat(300), 'b'.repeat(300)], 300),
    ],
    solution: `def edit_distance(a, b):
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
`,
  },
  {
    title: 'Shortest path in a grid',
    difficulty: 'hard',
    language: 'typescript',
    entrypoint: 'shortestPath',
    body: `A maze is given as an array of equal-length strings: \`S\` is the start, \`E\` the exit, \`.\` an open
cell and \`#\` a wall. Write \`shortestPath(grid: string[]): number\` that returns the fewest steps from
\`S\` to \`E\`, moving up, down, left or right one open cell at a time — or \`-1\` when the exit
cannot be reached.

\`\`\`ts
shortestPath([
  'S.#',
  '..#',
  '#.E',
]) // 4
\`\`\`

Each grid has exactly one \`S\` and one \`E\`. Hint: breadth-first search.`,
    starter_code: `function shortestPath(grid: string[]): number {
  // Explore the maze level by level from S.
  return -1;
}
`,
    examples: [t([['S.#', '..#', '#.E']], 4), t([['S#E']], -1)],
    tests: [
      t([['SE']], 1),
      t([['S...', '###.', 'E...']], 8),
      t([['S.#.E', '.##.#', '...#.', '#.#..', '.....']], -1),
      t([['S....', '.###.', '.#E#.', '.#.#.', '.....']], 8),
      t([['S', '.', '.', 'E']], 3),
    ],
    solution: `function shortestPath(grid: string[]): number {
  const rows = grid.length;
  const cols = grid[0]?.length ?? 0;
  const seen = new Set<string>();
  let frontier: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    const c = grid[r]!.indexOf('S');
    if (c >= 0) frontier.push([r, c]);
  }
  for (const [r, c] of frontier) seen.add(r + ',' + c);
  for (let steps = 0; frontier.length > 0; steps++) {
    const next: [number, number][] = [];
    for (const [r, c] of frontier) {
      if (grid[r]![c] === 'E') return steps;
      for (const [dr, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const nr = r + dr;
        const nc = c + dc;
        if (nr < 0 || nc < 0 || nr >= rows || nc >= cols || grid[nr]![nc] === '#') continue;
        const key = nr + ',' + nc;
        if (seen.has(key)) continue;
        seen.add(key);
        next.push([nr, nc]);
      }
    }
    frontier = next;
  }
  return -1;
}
`,
  },
  {
    title: 'Evaluate an arithmetic expression',
    difficulty: 'hard',
    language: 'javascript',
    entrypoint: 'evaluate',
    body: `Write \`evaluate(expression)\` that computes the value of an arithmetic expression with numbers,
\`+\`, \`-\`, \`*\`, \`/\`, parentheses and spaces. \`*\` and \`/\` bind tighter than \`+\` and \`-\`; operators of
the same precedence apply left to right; \`-\` may also negate (\`2 * -3\`).

\`\`\`js
evaluate('1 + 2 * 3')   // 7
evaluate('(1 + 2) * 3') // 9
evaluate('10 / 4')      // 2.5
\`\`\`

No \`eval\`, no \`Function\`: write a small parser (recursive descent works well).`,
    starter_code: `function evaluate(expression) {
  // expression := term (('+' | '-') term)*
  // term       := factor (('*' | '/') factor)*
  // factor     := number | '(' expression ')' | '-' factor
}
`,
    examples: [t(['1 + 2 * 3'], 7), t(['(1 + 2) * 3'], 9), t(['10 / 4'], 2.5)],
    tests: [t(['42'], 42), t(['1 - 2 - 3'], -4), t(['8 / 2 / 2'], 2), t(['-3 + 5'], 2), t(['2 * -3'], -6), t(['2 * (3 + (4 - 1)) / 3'], 4)],
    solution: `function evaluate(expression) {
  const tokens = expression.match(/\\d+(?:\\.\\d+)?|[-+*\\/()]/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  function parseExpression() {
    let value = parseTerm();
    while (peek() === '+' || peek() === '-') value = take() === '+' ? value + parseTerm() : value - parseTerm();
    return value;
  }
  function parseTerm() {
    let value = parseFactor();
    while (peek() === '*' || peek() === '/') value = take() === '*' ? value * parseFactor() : value / parseFactor();
    return value;
  }
  function parseFactor() {
    const token = take();
    if (token === '-') return -parseFactor();
    if (token === '(') {
      const value = parseExpression();
      take();
      return value;
    }
    return Number(token);
  }
  return parseExpression();
}
`,
  },
];

// ---- loading through the API ------------------------------------------------------------------

interface ApiExercise extends SeedExercise {
  id: number;
}

const FIELDS = ['title', 'body', 'language', 'difficulty', 'entrypoint', 'starter_code', 'examples', 'tests', 'solution'] as const;

function sameContent(stored: ApiExercise, wanted: SeedExercise): boolean {
  return FIELDS.every((field) => isDeepStrictEqual(stored[field], wanted[field]));
}

async function api(ctx: SeedContext, method: string, path: string, body?: unknown): Promise<Response> {
  // The sandbox may still be warming up (Python's first run loads Pyodide): retry its 503s.
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(new URL(path, ctx.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${ctx.adminToken}`,
        accept: 'application/json',
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status !== 503 || attempt >= 6) return response;
    const wait = Math.min(Number(response.headers.get('retry-after')) || 2, 10);
    ctx.log(`exercises: ${method} ${path} answered 503, retrying in ${wait}s`);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

async function fail(what: string, response: Response): Promise<never> {
  throw new Error(`exercises: ${what} failed with ${response.status}: ${await response.text()}`);
}

/** Every exercise, following the `Link: rel="next"` pages (as admin, so tests and solutions come too). */
async function listAll(ctx: SeedContext): Promise<ApiExercise[]> {
  const all: ApiExercise[] = [];
  let next: string | undefined = '/api/v1/exercises?limit=100';
  while (next) {
    const response = await api(ctx, 'GET', next);
    if (!response.ok) await fail('listing exercises', response);
    all.push(...((await response.json()) as ApiExercise[]));
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  }
  return all;
}

/**
 * Creates the course's exercises through `POST /api/v1/exercises`, idempotently by title: a
 * missing one is created, one whose content changed is replaced (PUT), an identical one is left.
 */
export async function seedExercises(ctx: SeedContext): Promise<void> {
  const existing = new Map((await listAll(ctx)).map((exercise) => [exercise.title.toLowerCase(), exercise]));
  let created = 0;
  let updated = 0;
  for (const exercise of SEED_EXERCISES) {
    const stored = existing.get(exercise.title.toLowerCase());
    if (!stored) {
      const response = await api(ctx, 'POST', '/api/v1/exercises', exercise);
      if (response.status !== 201) await fail(`creating "${exercise.title}"`, response);
      created++;
      ctx.log(`exercises: created "${exercise.title}" (${exercise.language})`);
    } else if (!sameContent(stored, exercise)) {
      const response = await api(ctx, 'PUT', `/api/v1/exercises/${stored.id}`, exercise);
      if (response.status !== 200) await fail(`updating "${exercise.title}"`, response);
      updated++;
      ctx.log(`exercises: updated "${exercise.title}"`);
    }
  }
  ctx.log(`exercises: ${created} created, ${updated} updated, ${SEED_EXERCISES.length - created - updated} already up to date`);
}
