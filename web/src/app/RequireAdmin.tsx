import type { ReactNode } from 'react';
import { RequireSignIn } from './RequireSignIn';
import { useSession } from './useSession';

/** Shows its children to an administrator only (the API checks again on every call). */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const { user } = useSession();
  return <RequireSignIn>{user?.admin ? children : <p>You must be an administrator to view this.</p>}</RequireSignIn>;
}
