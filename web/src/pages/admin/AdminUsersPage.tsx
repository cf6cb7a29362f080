import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import type { User } from '../../api/session';
import { ApiRequestError, api, must } from '../../api/client';
import { RequireSignIn } from '../../app/RequireSignIn';
import { useSession } from '../../app/useSession';
import { Alert, Button, Card, Loading, Notice, PageTitle, TextField, styles } from '../../ui';
import { emailProblem, passwordProblem, usernameProblem, visibleProblems } from '../auth/rules';
import page from './admin.module.css';

function CreateUser() {
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ username: '', email: '', password: '' });
  const [admin, setAdmin] = useState(false);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const create = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/users', { body: { ...values, admin } })),
    onSuccess: () => {
      setValues({ username: '', email: '', password: '' });
      setAdmin(false);
      setTouched({});
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const problems = {
    username: usernameProblem(values.username),
    email: emailProblem(values.email),
    password: passwordProblem(values.password),
  };
  const shown = { ...visibleProblems(problems, touched), ...(create.error instanceof ApiRequestError ? create.error.fieldErrors : {}) };
  const valid = !problems.username && !problems.email && !problems.password;
  const field = (name: keyof typeof values) => ({
    value: values[name],
    error: shown[name],
    onChange: (event: { target: { value: string } }) => {
      setValues((v) => ({ ...v, [name]: event.target.value }));
      setTouched((t) => ({ ...t, [name]: true }));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (valid) create.mutate();
  };
  return (
    <Card title="Add a user">
      {create.isSuccess && <Notice>User {create.data.username} added.</Notice>}
      {create.isError && <Alert>{create.error.message}</Alert>}
      <form onSubmit={submit} noValidate>
        <TextField label="Username" autoComplete="off" {...field('username')} />
        <TextField label="Email" type="email" autoComplete="off" {...field('email')} />
        <TextField label="Password" type="password" autoComplete="new-password" {...field('password')} />
        <div className={page.checkbox}>
          <input id="new-user-admin" type="checkbox" checked={admin} onChange={(event) => setAdmin(event.target.checked)} />
          <label htmlFor="new-user-admin">Administrator</label>
        </div>
        <Button type="submit" disabled={!valid || create.isPending}>
          Add user
        </Button>
      </form>
    </Card>
  );
}

function UserRow({ user, self }: { user: User; self: boolean }) {
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: async () => {
      const options = { params: { path: { id: user.id } } };
      return must(
        user.active ? await api.POST('/api/v1/users/{id}/deactivate', options) : await api.POST('/api/v1/users/{id}/activate', options),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <tr>
      <td>
        <Link to={`/users/${user.id}`}>{user.username}</Link>
        {user.admin && <span className={styles.muted}> (admin)</span>}
      </td>
      <td className={page.email}>{user.email}</td>
      <td>{user.active ? 'active' : 'deactivated'}</td>
      <td>
        {!self && (
          <Button
            variant="secondary"
            disabled={toggle.isPending}
            onClick={() => toggle.mutate()}
            aria-label={`${user.active ? 'Deactivate' : 'Activate'} ${user.username}`}
          >
            {user.active ? 'Deactivate' : 'Activate'}
          </Button>
        )}
        {toggle.isError && <span className={styles.fieldError}> {toggle.error.message}</span>}
      </td>
    </tr>
  );
}

function ManageUsers() {
  const { user } = useSession();
  const users = useQuery({
    queryKey: ['users', 'admin-list'],
    enabled: Boolean(user?.admin),
    queryFn: async () => must(await api.GET('/api/v1/users', { params: { query: { limit: 100 } } })),
  });
  if (!user?.admin) return <p>You must be an administrator to view this.</p>;
  return (
    <>
      <CreateUser />
      <h2>Users</h2>
      {users.isPending ? (
        <Loading what="users" />
      ) : users.isError ? (
        <Alert>Users could not be loaded: {users.error.message}</Alert>
      ) : (
        <div className={page.scroll}>
          <table className={styles.table}>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">State</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((shown) => (
                <UserRow key={shown.id} user={shown} self={shown.id === user.id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function AdminUsersPage() {
  return (
    <>
      <PageTitle>Manage users</PageTitle>
      <RequireSignIn>
        <ManageUsers />
      </RequireSignIn>
    </>
  );
}
