import { RequireSignIn } from '../../app/RequireSignIn';
import { useSession } from '../../app/useSession';
import { Card, PageTitle } from '../../ui';

function Profile() {
  const { user } = useSession();
  if (!user) return null;
  return (
    <Card title="Your account">
      <dl>
        <dt>User ID</dt>
        <dd>{user.id}</dd>
        <dt>Username</dt>
        <dd>{user.username}</dd>
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Karma</dt>
        <dd>{user.karma}</dd>
      </dl>
    </Card>
  );
}

export function StatusPage() {
  return (
    <>
      <PageTitle>Status</PageTitle>
      <RequireSignIn>
        <Profile />
      </RequireSignIn>
    </>
  );
}
