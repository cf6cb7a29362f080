import { useSyncExternalStore } from 'react';
import { type SessionState, session } from '../api/session';

/** The session as React state: re-renders on sign-in, sign-out and user changes. */
export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.state);
}
