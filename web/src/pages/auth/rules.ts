// The account rules of API.md, checked as the user types; the API checks them again and its
// own message wins when it disagrees.
export type Fields = Record<string, string>;

export function usernameProblem(value: string): string | undefined {
  if (value.length === 0) return 'Username is required.';
  if (value.length < 3) return 'Username must be at least 3 characters.';
  if (value.length > 32) return 'Username must be at most 32 characters.';
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return 'Username may contain only letters, digits, _ and -.';
  return undefined;
}

export function emailProblem(value: string): string | undefined {
  if (value.length === 0) return 'Email is required.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return 'Enter a valid email address.';
  return undefined;
}

export function passwordProblem(value: string): string | undefined {
  if (value.length === 0) return 'Password is required.';
  if (value.length < 8) return 'Password must be at least 8 characters.';
  if (value.length > 256) return 'Password must be at most 256 characters.';
  return undefined;
}

/** Problems of the fields the user has touched (typed in or left). */
export function visibleProblems(problems: Record<string, string | undefined>, touched: Record<string, boolean>): Fields {
  const shown: Fields = {};
  for (const [field, problem] of Object.entries(problems)) if (problem && touched[field]) shown[field] = problem;
  return shown;
}
