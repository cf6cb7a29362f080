import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api, must } from '../../api/client';

// The API keeps no read state, so "new" means: in the inbox and newer than the newest message the
// user has seen there in this browser.
const key = (userId: number) => `codeyard.inbox-seen.${userId}`;
const listeners = new Set<() => void>();

function seenUpTo(userId: number): number {
  try {
    return Number(localStorage.getItem(key(userId)) ?? 0);
  } catch {
    return 0;
  }
}

export function markInboxSeen(userId: number, newestId: number) {
  if (newestId <= seenUpTo(userId)) return;
  try {
    localStorage.setItem(key(userId), String(newestId));
  } catch {
    // without storage every message stays new; nothing breaks
  }
  for (const listener of listeners) listener();
}

/** The inbox, refreshed in the background every 30 s while the user is signed in. */
export function useInbox(enabled: boolean) {
  return useQuery({
    queryKey: ['messages', 'inbox'],
    enabled,
    refetchInterval: 30_000,
    queryFn: async () => must(await api.GET('/api/v1/messages', { params: { query: { box: 'inbox', limit: 100 } } })),
  });
}

/** How many inbox messages the user has not seen yet (0 while unknown). */
export function useNewMessageCount(userId: number | undefined): number {
  const inbox = useInbox(userId !== undefined);
  const seen = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => (userId === undefined ? 0 : seenUpTo(userId)),
  );
  return (inbox.data ?? []).filter((message) => message.id > seen).length;
}
