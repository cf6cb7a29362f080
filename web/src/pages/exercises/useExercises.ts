import type { components } from '@codeyard/api-client';
import { useQuery } from '@tanstack/react-query';
import { api, must } from '../../api/client';

export const LANGUAGES = [
  { language: 'javascript', label: 'JavaScript' },
  { language: 'typescript', label: 'TypeScript' },
  { language: 'python', label: 'Python' },
] as const;

export const DIFFICULTIES: readonly { value: components['schemas']['Exercise']['difficulty']; label: string }[] = [
  { value: 'easy', label: 'Easy' },
  { value: 'medium', label: 'Medium' },
  { value: 'hard', label: 'Hard' },
];

export function difficultyLabel(difficulty: string): string {
  return DIFFICULTIES.find((entry) => entry.value === difficulty)?.label ?? difficulty;
}

export function languageLabel(language: string): string {
  return LANGUAGES.find((entry) => entry.language === language)?.label ?? language;
}

/** Every exercise, in course order (the course has tens, well under one page of 100). */
export function useAllExercises() {
  return useQuery({
    queryKey: ['exercises', 'all'],
    queryFn: async () => must(await api.GET('/api/v1/exercises', { params: { query: { limit: 100 } } })),
  });
}

/** The signed-in user's scores (one per exercise tried), or nothing while signed out. */
export function useMyScores(signedIn: boolean) {
  return useQuery({
    queryKey: ['scores', 'mine'],
    enabled: signedIn,
    queryFn: async () => must(await api.GET('/api/v1/scores/user')),
  });
}
