import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, must } from '../../api/client';
import { Alert, Empty, Loading, PageTitle, styles } from '../../ui';

export function UsersPage() {
  const users = useQuery({
    queryKey: ['users', 'list'],
    queryFn: async () => must(await api.GET('/api/v1/users', { params: { query: { limit: 100 } } })),
  });
  return (
    <>
      <PageTitle>Users</PageTitle>
      {users.isPending ? (
        <Loading what="users" />
      ) : users.isError ? (
        <Alert>Users could not be loaded: {users.error.message}</Alert>
      ) : users.data.length === 0 ? (
        <Empty>No users yet.</Empty>
      ) : (
        <table className={styles.table}>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Karma</th>
              <th scope="col">Joined</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((user) => (
              <tr key={user.id}>
                <td>
                  <Link to={`/users/${user.id}`}>{user.username}</Link>
                </td>
                <td>{user.karma}</td>
                <td>{new Date(user.created_at).toLocaleDateString('en-GB')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
