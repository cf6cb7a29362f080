import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { Loading } from '../ui';
import { useSession } from './useSession';

/** Shows its children to a signed-in user; anyone else is asked to log in. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === 'unknown') return <Loading what="your session" />;
  if (status === 'signed-out')
    return (
      <p>
        You must be logged in to view this.{' '}
        <Link to="/login" state={{ from: location.pathname }}>
          Log in
        </Link>
      </p>
    );
  return <>{children}</>;
}
