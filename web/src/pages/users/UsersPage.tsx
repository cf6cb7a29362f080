import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, must } from '../../api/client';
import type { User } from '../../api/session';
import { Alert, type Column, DataTable, Empty, Loading, PageTitle } from '../../ui';

const USER_COLUMNS: Column<User>[] = [
  { header: 'Username', cell: (user) => <Link to={`/users/${user.id}`}>{user.username}</Link> },
  { header: 'Karma', cell: (user) => user.karma },
  { header: 'Joined', cell: (user) => new Date(user.created_at).toLocaleDateString('en-GB') },
];

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
        <DataTable columns={USER_COLUMNS} rows={users.data} rowKey={(user) => user.id} />
      )}
    </>
  );
}
