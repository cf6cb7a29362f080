import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import type { User } from '../../api/session';
import { ApiRequestError, api, must } from '../../api/client';
import { RequireAdmin } from '../../app/RequireAdmin';
import { useSession } from '../../app/useSession';
import { Alert, Button, Card, type Column, DataTable, Loading, Notice, PageTitle, TextField, styles } from '../../ui';
import { emailProblem, passwordProblem, usernameProblem, visibleProblems } from '../auth/rules';
import page from './admin.module.css';
import { AdminNav } from './AdminNav';

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

/** Deactivates an active user or activates a deactivated one. */
function ActiveToggle({ user }: { user: User }) {
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
    <>
      <Button
        variant="secondary"
        disabled={toggle.isPending}
        onClick={() => toggle.mutate()}
        aria-label={`${user.active ? 'Deactivate' : 'Activate'} ${user.username}`}
      >
        {user.active ? 'Deactivate' : 'Activate'}
      </Button>
      {toggle.isError && <span className={styles.fieldError}> {toggle.error.message}</span>}
    </>
  );
}

function ManageUsers() {
  const { user } = useSession();
  const users = useQuery({
    queryKey: ['users', 'admin-list'],
    queryFn: async () => must(await api.GET('/api/v1/users', { params: { query: { limit: 100 } } })),
  });
  const columns: Column<User>[] = [
    {
      header: 'Username',
      cell: (shown) => (
        <>
          <Link to={`/users/${shown.id}`}>{shown.username}</Link>
          {shown.admin && <span className={styles.muted}> (admin)</span>}
        </>
      ),
    },
    { header: 'Email', cell: (shown) => shown.email, className: page.email },
    { header: 'State', cell: (shown) => (shown.active ? 'active' : 'deactivated') },
    { header: 'Action', cell: (shown) => shown.id !== user?.id && <ActiveToggle user={shown} /> },
  ];
  return (
    <>
      <CreateUser />
      <h2>Users</h2>
      {users.isPending ? (
        <Loading what="users" />
      ) : users.isError ? (
        <Alert>Users could not be loaded: {users.error.message}</Alert>
      ) : (
        <DataTable columns={columns} rows={users.data} rowKey={(shown) => shown.id} scrollLabel="Users" />
      )}
    </>
  );
}

export function AdminUsersPage() {
  return (
    <>
      <PageTitle>Manage users</PageTitle>
      <RequireAdmin>
        <AdminNav />
        <ManageUsers />
      </RequireAdmin>
    </>
  );
}
